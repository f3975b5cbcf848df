"""Local worker processes: how many cores there are, and a process pool that behaves under Ctrl-C.

One implementation for every pool simsvc starts (the replications of ``simsvc run``, the
tasks of a sweep), so they share the start method and the protections.
"""

from __future__ import annotations

import multiprocessing
import os
import select
import signal
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

__all__ = ["default_workers", "process_pool", "resolve_workers"]


def default_workers() -> int:
    """All the cores this process may use (its CPU affinity, not the machine's core count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def resolve_workers(workers: int | None) -> int:
    """``workers`` checked, or all cores when None.

    Raises:
        ValueError: ``workers`` is below 1.
    """
    if workers is None:
        return default_workers()
    if int(workers) != workers or workers < 1:
        raise ValueError(f"workers(={workers}) must be a whole number >= 1 (or None for all cores)")
    return int(workers)


def _exit_when_gone(parent: int) -> None:
    """Block until process ``parent`` has ended, then end this process at once."""
    try:
        handle = os.pidfd_open(parent)
    except ProcessLookupError:
        os._exit(1)
    except (AttributeError, OSError):  # pragma: no cover - no pidfd (not Linux >= 5.3): poll
        while True:
            time.sleep(1.0)
            try:
                os.kill(parent, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:
                pass
    select.select([handle], [], [])
    os._exit(1)


def _worker_init(parent: int) -> None:
    # Ctrl-C reaches the whole process group; the main process alone decides what to do
    # (keep finished work, stop), so a worker must not die mid-task with a traceback.
    # (A forkserver's worker is born ignoring it, see _start_forkserver; "spawn" needs this.)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A worker waits on its queue forever if the main process is killed (SIGKILL, a crash),
    # and with "forkserver" it is not even the main process's child; this watch ends it.
    threading.Thread(target=_exit_when_gone, args=(parent,), daemon=True, name="simsvc-parent-watch").start()


def _start_forkserver() -> None:
    """Start the forkserver (if it is not running) with Ctrl-C held off from its first instruction.

    The server used to ignore SIGINT only once it had imported its preload modules, and the
    workers it forks take back the handler it started with: a Ctrl-C in between (the pool
    starting) made the server or a new worker print a ``KeyboardInterrupt`` traceback. A
    blocked signal stays blocked through ``fork`` and ``exec``, so SIGINT is blocked in this
    thread while the server is started (only this thread: a Ctrl-C now still reaches this
    process); the server's first preload, :mod:`simsvc._forkserver`, ignores it and unblocks it.
    """
    from multiprocessing import forkserver, resource_tracker

    # The server starts the resource tracker first, which unblocks SIGINT when it is started.
    resource_tracker.ensure_running()
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        forkserver.ensure_running()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def process_pool(workers: int | None, preload: Sequence[str]) -> ProcessPoolExecutor:
    """A pool of ``workers`` processes (default: all cores) that ignore Ctrl-C and end with this process.

    On POSIX the workers fork from a clean server process that has already imported the
    ``preload`` modules ("forkserver" with preloading): starting a worker costs milliseconds,
    and no thread of the caller (a progress bar, a Dask client) is forked along.

    Args:
        workers: processes; None for all cores.
        preload: modules the server imports once (those the tasks run).
    """
    n = resolve_workers(workers)
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["simsvc._forkserver", *preload])
        _start_forkserver()
    else:  # pragma: no cover - Windows
        context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(max_workers=n, mp_context=context, initializer=_worker_init, initargs=(os.getpid(),))
