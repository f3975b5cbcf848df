"""Shared test helpers: running the CLI as a user would, in a separate process or in this one.

A separate process costs a Python start and the imports (about a second of CPU each), so
most tests run the command in this process (:func:`invoke_cli`, the same exit code and
output); :func:`run_cli` stays for what needs a process of its own: signals, two
processes giving the same numbers, and one end-to-end check of exit code 2 without a
traceback (``tests/test_input_errors.py``).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``simsvc ARGS`` with this interpreter; capture text output."""
    return subprocess.run(
        [sys.executable, "-m", "simsvc.cli", *args],
        capture_output=True, text=True, cwd=cwd or ROOT, timeout=timeout,
    )  # fmt: skip


def descendants(pid: int) -> set[int]:
    """Every live process below ``pid`` (children, their children, ...), read from /proc."""
    children: dict[int, set[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, set()).add(int(entry.name))
    out, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), ()):
            out.add(child)
            todo.append(child)
    return out


def ctrl_c_as_in_a_terminal() -> None:
    """For ``preexec_fn``: the child takes SIGINT's default action, as a terminal's foreground job does.

    A test run started in the background by a non-interactive shell has SIGINT ignored, and
    a child would inherit that: Ctrl-C tests would then see a command run to its end.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@dataclass(frozen=True)
class Done:
    """What a command did: its exit code and its output (as :class:`subprocess.CompletedProcess` has them)."""

    returncode: int
    stdout: str
    stderr: str


def invoke_cli(*args: str, cwd: Path | None = None) -> Done:
    """Run ``simsvc ARGS`` in this process (Click's test runner), from ``cwd`` (default the repository).

    An exception the command lets escape ends it with exit code 1 and its traceback on
    stderr, as the interpreter would print it, so that "no traceback" checks keep their
    meaning.
    """
    from typer.testing import CliRunner

    from simsvc.cli import app

    before = Path.cwd()
    os.chdir(cwd or ROOT)
    try:
        result = CliRunner().invoke(app, list(args))
    finally:
        os.chdir(before)
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(result.exception))
    return Done(result.exit_code, result.stdout, stderr)


def strict_json(text: str) -> Any:
    """Parse JSON as strict parsers do: the bare words ``NaN`` and ``Infinity`` (not JSON) raise ``ValueError``."""

    def refuse(word: str) -> None:
        raise ValueError(f"{word} is not JSON")

    return json.loads(text, parse_constant=refuse)
