"""Where tasks run: local worker processes, or a Dask cluster through its ``concurrent.futures`` face.

Any :class:`concurrent.futures.Executor` will do for :func:`~simsvc.experiments.run_sweep`;
these are the two the command line offers.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager

__all__ = ["dask_executor", "default_workers", "local_executor"]


def default_workers() -> int:
    """All the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _worker_init() -> None:
    # Ctrl-C reaches the whole process group; the main process alone decides what to do
    # (keep finished tasks, stop), so a worker must not die mid-task with a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def local_executor(workers: int | None = None) -> ProcessPoolExecutor:
    """A pool of ``workers`` processes (default: all cores).

    On POSIX the workers fork from a clean server process that has already imported
    simsvc ("forkserver" with preloading): starting a worker costs milliseconds, and no
    thread of the caller (a progress bar, a Dask client) is forked along.
    """
    n = workers or default_workers()
    if n < 1:
        raise ValueError(f"workers(={n}) must be >= 1")
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["simsvc.experiments.runner"])
    else:  # pragma: no cover - Windows
        context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(max_workers=n, mp_context=context, initializer=_worker_init)


@contextmanager
def dask_executor(scheduler: str | None = None, workers: int | None = None) -> Iterator[Executor]:
    """A ``concurrent.futures`` executor on a Dask cluster.

    Args:
        scheduler: address of a running scheduler (``tcp://host:8786``); None starts a
            ``distributed.LocalCluster`` of ``workers`` processes (one thread each: the
            simulation holds the GIL) on this machine for the duration.
        workers: processes of the local cluster (default: all cores).
    """
    from distributed import Client, LocalCluster  # lazily: Dask is heavy and optional at run time

    cluster = None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=workers or default_workers(), threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        yield client.get_executor()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
