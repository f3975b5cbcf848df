"""Where a command will write, checked before it computes anything.

A simulation of minutes should not end in a traceback because ``--out`` names an existing
file or a folder nobody may write to: each destination option is checked first, and every
problem is named with its option. Missing folders are fine (the commands create them) as
long as the nearest existing ancestor is a folder this process may write into.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path

from simsvc.errors import ScenarioError

__all__ = ["DestinationError", "check_destinations"]


class DestinationError(ScenarioError):
    """A destination option names a place the command cannot write; ``problems`` pairs option and what is wrong."""

    kind = "destination"

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("command line", problems)
        self.args = ("\n".join(f"{option} {what}" for option, what in problems),)


def _mode(path: Path) -> int | None:
    """The file type and mode bits of ``path`` (following links), or None if nothing is there."""
    try:
        return os.stat(path).st_mode
    except FileNotFoundError:
        return None
    except NotADirectoryError:  # a file where a folder of the path should be: the ancestor check names it
        return None


def _creatable(path: Path) -> str | None:
    """Why ``path`` (which does not exist) cannot be created, or None if it can."""
    ancestor = path.absolute().parent
    try:
        while (mode := _mode(ancestor)) is None and ancestor != ancestor.parent:
            ancestor = ancestor.parent
    except OSError as exc:
        return f"cannot be created: {ancestor}: {exc.strerror}"
    if mode is None or not stat.S_ISDIR(mode):
        return f"cannot be created: {ancestor} is a file, not a folder"
    if not os.access(ancestor, os.W_OK | os.X_OK):
        return f"cannot be created: {ancestor} is not writable"
    return None


def _problem(path: Path, folder: bool) -> str | None:
    """What stops this process writing the folder (``folder``) or the file at ``path``, or None."""
    try:
        mode = _mode(path)
    except OSError as exc:
        return f"cannot be read: {exc.strerror}"
    if mode is None:
        return _creatable(path)
    if folder != stat.S_ISDIR(mode):
        return "exists and is a file, not a folder" if folder else "is a folder; give a file name"
    # A folder's files are created in it; a file is replaced by a rename, in its folder.
    where = path if folder else path.absolute().parent
    if not os.access(where, os.W_OK | os.X_OK):
        return "is a folder that is not writable" if folder else f"cannot be replaced: {where} is not writable"
    return None


def check_destinations(
    folders: Mapping[str, Path | None] | None = None, files: Mapping[str, Path | None] | None = None
) -> None:
    """Refuse destinations that cannot be written, before any work.

    Args:
        folders: option name (``"--out"``) → the folder it names (None: not given).
        files: option name → the file it names.

    Raises:
        DestinationError: every destination that is a file where a folder is needed (or the
            reverse), not writable, or under a file.
    """
    problems = []
    for kinds, folder in ((folders or {}, True), (files or {}, False)):
        for option, path in kinds.items():
            if path is not None and (what := _problem(Path(path), folder)) is not None:
                problems.append((option, f"{path}: {what}"))
    if problems:
        raise DestinationError(problems)
