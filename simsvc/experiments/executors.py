"""Where tasks run: local worker processes, or a Dask cluster through its ``concurrent.futures`` face.

Any :class:`concurrent.futures.Executor` will do for :func:`~simsvc.experiments.run_sweep`;
these are the two the command line offers.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager

from simsvc.workers import default_workers, process_pool

__all__ = ["dask_executor", "default_workers", "local_executor"]


def local_executor(workers: int | None = None) -> ProcessPoolExecutor:
    """A pool of ``workers`` local processes (default: all cores) for sweep tasks.

    See :func:`simsvc.workers.process_pool`: forkserver start with simsvc preloaded, and
    workers that leave Ctrl-C to the main process.
    """
    return process_pool(workers, preload=["simsvc.experiments.runner"])


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
