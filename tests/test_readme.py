"""The README opens with exactly two set-up commands, and CI runs the second one."""

from __future__ import annotations

import re

from tests.helpers import ROOT


def _setup_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = re.search(r"```bash\n(.*?)```", text, re.S)
    assert first_block, "the README must open with a bash block of set-up commands"
    return [line for line in first_block.group(1).splitlines() if line.strip()]


def test_readme_opens_with_two_setup_commands():
    commands = _setup_commands()
    assert len(commands) == 2
    run, test = commands
    assert "simsvc run scenarios/" in run and (ROOT / run.split("simsvc run ")[1].strip()).is_file()
    assert test.endswith("pytest")


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert _setup_commands()[1] in ci
