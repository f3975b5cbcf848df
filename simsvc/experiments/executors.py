"""Where tasks run: local worker processes, or a Dask cluster through its ``concurrent.futures`` face.

Any :class:`concurrent.futures.Executor` will do for :func:`~simsvc.experiments.run_sweep`;
these are the two the command line offers.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager

from simsvc.errors import ExperimentError
from simsvc.workers import default_workers, process_pool

__all__ = ["SchedulerUnreachableError", "dask_executor", "default_workers", "local_executor"]

CONNECT_TIMEOUT = 5.0
"""Seconds to wait for a Dask scheduler to answer (Dask's own default, 30 s, looks like a hang)."""


class SchedulerUnreachableError(ExperimentError):
    """No Dask scheduler answered at the address given (nothing was run)."""

    def __init__(self, address: str, timeout: float, cause: BaseException) -> None:
        detail = f"{type(cause).__name__}: {cause}" if str(cause) else type(cause).__name__
        if isinstance(cause, ValueError):
            message = f"{address} is not a Dask scheduler address ({cause}); give one such as tcp://host:8786"
        else:
            message = (
                f"no Dask scheduler answered at {address} within {timeout:g} s ({detail}); "
                "check the address (tcp://host:8786) and that the scheduler runs, or allow longer with "
                "--connect-timeout"
            )
        super().__init__(address, [("", message)])
        self.args = (message,)


def local_executor(workers: int | None = None) -> ProcessPoolExecutor:
    """A pool of ``workers`` local processes (default: all cores) for sweep tasks.

    See :func:`simsvc.workers.process_pool`: forkserver start with simsvc preloaded, and
    workers that leave Ctrl-C to the main process.
    """
    return process_pool(workers, preload=["simsvc.experiments.runner"])


def _probe(address: str, timeout: float) -> None:
    """Connect to ``address`` and exchange Dask's handshake, all within ``timeout`` seconds.

    ``Client(address, timeout=...)`` bounds the connection but not the handshake after it, so
    a server that accepts and stays silent (not a Dask scheduler) would hold it for minutes.
    The probe runs its own event loop in a thread of its own, so it works under a running
    loop (a notebook) too.
    """
    import asyncio

    from distributed.comm import connect

    async def handshake() -> None:
        comm = await asyncio.wait_for(connect(address, timeout=timeout), timeout)
        await comm.close()

    with ThreadPoolExecutor(1, thread_name_prefix="simsvc-dask-probe") as thread:
        thread.submit(asyncio.run, handshake()).result()


@contextmanager
def dask_executor(
    scheduler: str | None = None, workers: int | None = None, timeout: float = CONNECT_TIMEOUT
) -> Iterator[Executor]:
    """A ``concurrent.futures`` executor on a Dask cluster.

    Args:
        scheduler: address of a running scheduler (``tcp://host:8786``); None starts a
            ``distributed.LocalCluster`` of ``workers`` processes (one thread each: the
            simulation holds the GIL) on this machine for the duration.
        workers: processes of the local cluster (default: all cores).
        timeout: seconds to wait for ``scheduler`` to answer.

    Raises:
        SchedulerUnreachableError: nothing at ``scheduler`` answered as a Dask scheduler in time.
    """
    from distributed import Client, LocalCluster  # lazily: Dask is heavy and optional at run time

    cluster = None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=workers or default_workers(), threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
    else:
        try:
            _probe(scheduler, timeout)
            client = Client(scheduler, timeout=timeout)
        except Exception as exc:  # OSError (timeout, refused), ValueError (address), garbage from a non-Dask server
            raise SchedulerUnreachableError(scheduler, timeout, exc) from None
    try:
        yield client.get_executor()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
