"""Running a sweep: tasks out to an executor, each finished task into the store at once.

Only this process writes the store (workers return KPI tables), so any executor works,
including a Dask cluster on machines that do not share the results folder, and a task file
appears only when its task is complete.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Executor, Future, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from simsvc.run import simulate
from simsvc.scenario.models import Scenario

from .executors import local_executor
from .plan import SweepPlan, Task, plan_sweep
from .spec import Experiment
from .store import Store

__all__ = ["SweepRun", "run_sweep", "run_task"]


@dataclass(frozen=True)
class SweepRun:
    """What a call of :func:`run_sweep` did."""

    out: Path
    plan: SweepPlan
    total: int
    """Tasks in the sweep."""
    ran: int
    """Tasks computed and stored by this call."""
    skipped: int
    """Tasks already in the store (resume)."""
    interrupted: bool
    seconds: float


def run_task(
    scenario: Scenario,
    seed: int,
    point: int,
    first: int,
    count: int,
    groups: tuple[str, ...],
    kpis: tuple[str, ...] | None,
) -> pd.DataFrame:
    """Simulate replications ``first .. first + count - 1`` of one design point.

    Returns:
        Long KPI table: ``point``, ``replication``, ``group``, ``key``, ``kpi``, ``value``,
        the same numbers as those replications of one ``simulate`` call with all of them.
    """
    result = simulate(scenario, replications=count, seed=seed, keep_records=False, first_replication=first)
    table = result.kpis
    keep = table["group"].isin(groups)
    if kpis is not None:
        keep &= table["kpi"].isin(kpis)
    table = table[keep].reset_index(drop=True)
    table.insert(0, "point", point)
    return table.astype({"point": "int32", "replication": "int32"})


def _run_task_parquet(*args: Any) -> bytes:
    """:func:`run_task`, its table already encoded as Parquet.

    The encoding is done in the worker, so the single process that writes the store spends
    per task only a file write (and stays off the critical path of many workers).
    """
    buffer = io.BytesIO()
    run_task(*args).to_parquet(buffer, index=False)
    return buffer.getvalue()


def _submit(executor: Executor, plan: SweepPlan, task: Task) -> Future:
    outputs = plan.experiment.outputs
    return executor.submit(
        _run_task_parquet, plan.scenarios[task.point], plan.seed, task.point, task.first, task.count,
        tuple(outputs.groups), outputs.kpis,
    )  # fmt: skip


def run_sweep(
    experiment: str | Path | Mapping[str, Any] | Experiment | SweepPlan,
    out: str | Path,
    executor: Executor | None = None,
    *,
    resume: bool = False,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SweepRun:
    """Run every task of an experiment that is not yet in the store at ``out``.

    Args:
        experiment: an experiment file, mapping, :class:`Experiment` or :func:`plan_sweep` result.
        out: the results folder (see :mod:`simsvc.experiments.store`).
        executor: any ``concurrent.futures.Executor`` (a Dask ``Client.get_executor()``, a
            thread pool, ...); default: a pool of ``workers`` local processes, shut down at the end.
        resume: finish a store that already holds some of this experiment's tasks. A store of
            a different (changed) experiment is refused, and left as it is.
        workers: processes of the default pool (default: all cores).
        progress: called with ``(finished, total)`` tasks, after each task is stored.

    Returns:
        What ran. On Ctrl-C the finished tasks are stored and ``interrupted`` is set.

    Raises:
        ExperimentError: an invalid experiment, or a store that does not fit (nothing written).
    """
    start = time.perf_counter()
    plan = experiment if isinstance(experiment, SweepPlan) else plan_sweep(experiment)
    store = Store(out)
    store.open(plan, resume)  # locked until the end: one sweep at a time writes a store
    try:
        done = store.done()
        todo = [t for t in plan.tasks if t.id not in done]
        total, finished = len(plan.tasks), len(plan.tasks) - len(todo)
        if progress:
            progress(finished, total)
        own = executor is None and bool(todo)
        pool = local_executor(workers) if own else executor
        futures: dict[Future, Task] = {}
        interrupted, ran = False, 0
        try:
            futures = {_submit(pool, plan, t): t for t in todo}  # type: ignore[arg-type]
            for future in as_completed(futures):
                store.write(futures[future], future.result())
                ran += 1
                if progress:
                    progress(finished + ran, total)
        except KeyboardInterrupt:
            interrupted = True
        finally:
            for future in futures:
                future.cancel()
            if own:
                pool.shutdown(wait=not interrupted, cancel_futures=True)  # type: ignore[union-attr]
    finally:
        store.close()
    return SweepRun(Path(out), plan, total, ran, total - len(todo), interrupted, time.perf_counter() - start)
