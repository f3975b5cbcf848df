"""Which files a scenario or an experiment may read: those in its own folder, or in a folder allowed.

A scenario file is data, often from someone else; ``trace_csv: /etc/passwd`` or
``csv: ../../secret.csv`` must not make simsvc read (and quote) any file the user can read.
The rule, after resolving ``..`` and symbolic links:

- a scenario reads CSV files in its folder or below it (a scenario file that is a symbolic
  link: also in the folder of the file it points to); a mapping given to
  :func:`simsvc.load_scenario` counts ``base_dir`` (default: the current folder) as its folder;
- an experiment's ``base:`` scenario lies in the experiment's folder's parent or below it
  (``base: ../scenarios/x.yaml``, the layout ``simsvc examples`` writes); its CSV files then
  follow the scenario rule;
- anywhere under a folder the user allows: ``--allow-dir DIR`` on the command line,
  ``allowed_dirs=`` in Python.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

__all__ = ["ALLOW_HINT", "OutsideFolder", "confine", "file_folders", "resolved_dirs"]

ALLOW_HINT = "move it there or allow its folder with --allow-dir (Python: allowed_dirs=)"
"""How a refusal says to allow a file (the app, where files are uploaded, says otherwise)."""

PathLike = str | os.PathLike


class OutsideFolder(ValueError):
    """A referenced file lies outside every folder it may be read from (the message says how to allow it)."""


def resolved_dirs(folders: Iterable[PathLike] | None) -> tuple[Path, ...]:
    """Folders as absolute, symlink-free paths, in order, without repeats."""
    out: list[Path] = []
    for folder in folders or ():
        path = _resolve(Path(folder).expanduser())
        if path not in out:
            out.append(path)
    return tuple(out)


def file_folders(path: Path) -> tuple[Path, ...]:
    """The folder of ``path`` as named and, if ``path`` is a symbolic link, the folder of its target."""
    return resolved_dirs((path.parent, _resolve(path).parent))


def _resolve(path: Path) -> Path:
    """``path`` absolute and free of symbolic links; a loop of links stays as written (it leads nowhere)."""
    try:
        return path.resolve()
    except (RuntimeError, OSError):  # "Symlink loop" (Python < 3.13 raises RuntimeError)
        return Path(os.path.abspath(path))


def confine(path: Path, folders: tuple[Path, ...], allowed: tuple[Path, ...], owner: str = "the scenario's") -> Path:
    """``path`` resolved, if it lies in one of ``folders`` or ``allowed`` (each already resolved).

    Args:
        path: the file as referenced (absolute, or joined to its folder already).
        folders: the referencing file's own folders (named in the message).
        allowed: folders the user allowed explicitly.
        owner: whose folder the message names ("the scenario's", "the experiment's parent").

    Raises:
        OutsideFolder: naming the path, the folder and the way to allow it; never the file's content.
    """
    try:
        resolved = path.resolve()
    except (RuntimeError, OSError):
        raise OutsideFolder(f"{path} cannot be read: its symbolic links lead round in a loop") from None
    if any(resolved.is_relative_to(root) for root in (*folders, *allowed)):
        return resolved
    shown = str(path) if resolved == Path(os.path.abspath(path)) else f"{path} (resolved: {resolved})"
    where = " or ".join(str(f) for f in folders) or "(none)"
    raise OutsideFolder(f"{shown} is outside {owner} folder {where}; {ALLOW_HINT}")
