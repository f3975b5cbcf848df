"""The example scenarios and experiment that ship with simsvc, and copying them where a user can edit them.

They are package data under ``simsvc/examples/``: ``scenarios/`` (every ``*.yaml``, ``*.csv``
and ``*.csv.gz``) and ``experiments/staffing_small.yaml``. In the repository these are symbolic links
to the user-facing ``scenarios/`` folder and ``experiments/staffing_small.yaml``, so each file
exists once and a wheel carries the files themselves; someone who installed from a wheel gets
the same folders with ``simsvc examples DIR``, and the commands of the README work inside DIR.
The app's lessons (``lessons/``, linked as ``simsvc/examples/lessons``, read by :mod:`simsvc.app.lessons`)
ship beside them but are not copied: each names a bundled scenario. (A checkout made without symbolic
links, as Git on Windows does unless ``core.symlinks`` is on, has text files there instead;
``tests/test_cli.py`` says so.)
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

from simsvc.scenario.yaml_safe import parse_yaml

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

__all__ = ["Example", "bundled_examples", "examples_root", "write_examples"]

_SUFFIXES = (".yaml", ".csv", ".csv.gz")


@dataclass(frozen=True)
class Example:
    """One bundled file: its path relative to the examples folder and, for YAML files, its ``name``."""

    path: str
    title: str


def examples_root() -> Traversable:
    """The bundled examples folder (``scenarios/`` and ``experiments/`` inside)."""
    return files("simsvc").joinpath("examples")


def _files() -> list[tuple[str, Traversable]]:
    root = examples_root()
    out = []
    for folder in ("scenarios", "experiments"):
        entry = root.joinpath(folder)
        if entry.is_dir():
            out += [
                (f"{folder}/{f.name}", f) for f in entry.iterdir() if f.is_file() and f.name.endswith(_SUFFIXES)
            ]
    return sorted(out)


def bundled_examples() -> list[Example]:
    """Every bundled file, scenarios first, with the ``name`` its YAML declares ("" for data files)."""
    out = []
    for rel, f in _files():
        title = ""
        if rel.endswith(".yaml"):
            title = str((parse_yaml(f.read_text(encoding="utf-8")) or {}).get("name", ""))
        out.append(Example(rel, title))
    return sorted(out, key=lambda e: (not e.path.startswith("scenarios/"), e.path))


def write_examples(folder: str | Path, overwrite: bool = False) -> list[Path]:
    """Copy every bundled file into ``folder`` (``folder/scenarios/...``, ``folder/experiments/...``).

    Args:
        folder: created if missing.
        overwrite: replace files that exist; otherwise an existing file is an error and
            nothing is written.

    Returns:
        The files written.

    Raises:
        FileExistsError: a file to write exists and ``overwrite`` is off (names every such file).
    """
    folder = Path(folder)
    sources = _files()
    if not overwrite:
        existing = [str(folder / rel) for rel, _ in sources if (folder / rel).exists()]
        if existing:
            raise FileExistsError(f"would overwrite {', '.join(existing)} (use --force to replace them)")
    written = []
    for rel, source in sources:
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source.read_bytes())
        written.append(target)
    return written
