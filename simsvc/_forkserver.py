"""Imported first by the forkserver of simsvc's worker pools (see :mod:`simsvc.workers`); nowhere else.

The server starts with SIGINT blocked (:func:`simsvc.workers._start_forkserver`); here it
ignores Ctrl-C for good and unblocks it, so the workers it forks are born ignoring it (the
main process alone decides what a Ctrl-C does).

A worker forked just as the run ends (Ctrl-C: the pool is shut down without waiting) may
find its pool's semaphores already removed by the main process; unpickling its queues then
raises ``FileNotFoundError`` in ``SemLock`` and the forkserver child printed the traceback.
Such a worker has no pool left to serve: it ends without a word. Every other error is
printed as before.
"""

from __future__ import annotations

import multiprocessing.synchronize
import signal
import sys
from pathlib import Path
from types import TracebackType

_SYNCHRONIZE = Path(multiprocessing.synchronize.__file__).resolve()
_print = sys.excepthook


def _pool_gone(kind: type[BaseException], tb: TracebackType | None) -> bool:
    """Whether the error is a semaphore of a pool that no longer exists (raised in ``SemLock.__setstate__``)."""
    if not issubclass(kind, FileNotFoundError) or tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    code = tb.tb_frame.f_code
    return code.co_name == "__setstate__" and Path(code.co_filename).resolve() == _SYNCHRONIZE


def _excepthook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
    if not _pool_gone(kind, tb):
        _print(kind, value, tb)


signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
sys.excepthook = _excepthook
