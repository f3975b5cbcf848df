"""One writer per results store: an OS file lock on ``DIR/.lock``, held for a sweep's life.

Two sweeps into one folder would compute the same tasks twice (and the second would be
refused with a message about resuming). ``flock`` locks belong to an open file: the
kernel releases them when the process ends, however it ends (``kill -9`` too), so a lock
is never stale, and the file holding the last holder's pid can stay in the folder.
"""

from __future__ import annotations

import os
from pathlib import Path

from simsvc.errors import ExperimentError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no flock, no lock
    fcntl = None  # type: ignore[assignment]

__all__ = ["LOCK", "StoreBusyError", "StoreLock"]

LOCK = ".lock"


class StoreBusyError(ExperimentError):
    """Another sweep holds the store's lock: nothing is wrong with the experiment, it is just not this one's turn."""

    def __init__(self, folder: Path, holder: str) -> None:
        message = f"another sweep is writing to {folder} (pid {holder}); wait for it to end, or choose another --out"
        super().__init__(str(folder), [("", message)])
        self.args = (message,)  # the sentence alone: "invalid experiment" would mislead


class StoreLock:
    """The lock of the store at ``folder`` (not taken until :meth:`acquire`)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / LOCK
        self._fd: int | None = None

    def check(self) -> None:
        """Refuse if another process holds the lock; write nothing (a missing lock file is nobody's).

        Raises:
            StoreBusyError: another sweep is writing to the folder.
        """
        if fcntl is None or self._fd is not None or not self.path.is_file():
            return
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except OSError:
            return
        try:
            self._try_lock(fd)
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def acquire(self) -> None:
        """Take the lock (creating the folder and its lock file) and write this process's pid into it.

        Raises:
            StoreBusyError: another sweep is writing to the folder.
            ExperimentError: the lock file cannot be created or opened.
        """
        if fcntl is None or self._fd is not None:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as exc:
            raise ExperimentError(str(self.path), [("", f"cannot open the lock file: {exc.strerror}")]) from None
        try:
            self._try_lock(fd)
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd

    def release(self) -> None:
        """Let the lock go (the process's end does it too)."""
        if self._fd is not None:
            os.close(self._fd)  # closing the last descriptor of the file releases its flock
            self._fd = None

    def _try_lock(self, fd: int) -> None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            raise StoreBusyError(self.folder, holder) from None
