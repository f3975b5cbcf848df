"""Replications and :func:`simulate`: the engine runs each, the metrics reduce it, a SimResult holds them.

Above :mod:`simsvc.sim` and :mod:`simsvc.metrics` (it builds the :class:`~simsvc.result.SimResult`),
so the engine never imports what reads its records.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, as_completed

import numpy as np
import pandas as pd

from simsvc.i18n import tr
from simsvc.metrics import replication_kpis
from simsvc.result import SimResult
from simsvc.scenario.models import Scenario
from simsvc.sim.capacity import capacity_warnings
from simsvc.sim.demand import Demand
from simsvc.sim.engine import Engine
from simsvc.sim.kernel import ENGINES, run_engine
from simsvc.sim.quality_engine import QualityEngine
from simsvc.sim.tally import Tally
from simsvc.workers import process_pool, resolve_workers

__all__ = ["run_replication", "simulate"]


def run_replication(
    scenario: Scenario,
    seed: int,
    replication: int,
    keep_records: bool,
    routing: dict | None = None,
    engine_choice: str = "auto",
) -> _Outcome:
    """Simulate one replication (``routing``: rule objects by team name, see :mod:`simsvc.sim.routing`).

    Returns:
        Its KPIs (long table), its customer, complaint and journey-step record rows (or None
        when not kept), whether arrivals stopped at ``simulation.max_customers``, and the
        engine that ran it with the reason for falling back to SimPy (see
        :func:`simsvc.sim.kernel.run_engine`).
    """
    tally = Tally(scenario)
    kept: list[np.ndarray] = []
    complaints: list[np.ndarray] = []
    steps: list[np.ndarray] = []

    def sink(columns: list[np.ndarray], judging: object) -> None:
        columns = tally.add(columns, judging)
        if keep_records:
            kept.append(np.column_stack(columns))

    def complaint_sink(rows: np.ndarray) -> None:
        tally.add_complaints(rows)
        if keep_records:
            complaints.append(rows)

    def step_sink(rows: np.ndarray) -> None:
        tally.add_steps(rows)
        if keep_records:
            steps.append(rows)

    demand, cap = Demand(scenario, seed, replication), scenario.simulation.max_customers
    if scenario.quality.enabled:
        engine: Engine = QualityEngine(
            scenario, demand, sink, cap, complaint_sink=complaint_sink, step_sink=step_sink, routing=routing
        )
    else:
        engine = Engine(scenario, demand, sink, cap, step_sink=step_sink, routing=routing)
    ran = run_engine(engine, engine_choice)
    teams = engine.time_accounts()
    busy, duty = [t.busy_area for t in teams], [t.duty_area for t in teams]
    tally.finish(engine.class_max_queue(), engine.max_queue_total, busy, duty, teams)
    kpis = replication_kpis(tally)
    kpis.insert(0, "replication", replication)
    if not keep_records:
        return kpis, None, engine.truncated, ran
    empty = np.empty((0, 0))
    rows = (
        np.concatenate(kept) if kept else empty,
        np.concatenate(complaints) if complaints else empty,
        np.concatenate(steps) if steps else empty,
    )
    return kpis, rows, engine.truncated, ran


POOL_WORTH_SECONDS = 1.0
"""Worker processes start only when the replications left would take longer than this here.

Starting a pool costs about a second (each worker process imports NumPy, pandas and SimPy), so a
short run is faster in this process; which process runs a replication never changes its numbers.
"""


def _run_replications(
    scenario: Scenario,
    seed: int,
    numbers: range,
    keep_records: bool,
    workers: int,
    done: Callable[[int, _Outcome], None],
    routing: dict | None = None,
    engine: str = "auto",
) -> None:
    """Run replications ``numbers``, calling ``done(r, outcome)`` as each finishes (in any order).

    The first runs in this process and is timed; if the others would take longer than
    :data:`POOL_WORTH_SECONDS` and ``workers`` allows, they run in a pool of local processes.
    Each replication is the same call, with the same streams, wherever it runs, so its numbers
    are the same. On Ctrl-C the queued replications are cancelled and the pool shut down
    without waiting (its workers ignore Ctrl-C and end with their current replication).
    """
    start = time.perf_counter()
    done(numbers[0], run_replication(scenario, seed, numbers[0], keep_records, routing, engine))
    rest = numbers[1:]
    if workers == 1 or len(rest) < 2 or (time.perf_counter() - start) * len(rest) < POOL_WORTH_SECONDS:
        for r in rest:
            done(r, run_replication(scenario, seed, r, keep_records, routing, engine))
        return
    pool = process_pool(min(workers, len(rest)), preload=["simsvc.run"])
    futures: dict[Future, int] = {}
    interrupted = False
    try:
        futures = {pool.submit(run_replication, scenario, seed, r, keep_records, routing, engine): r for r in rest}
        for future in as_completed(futures):
            done(futures[future], future.result())
    except KeyboardInterrupt:
        interrupted = True
        raise
    finally:
        for future in futures:
            future.cancel()
        pool.shutdown(wait=not interrupted, cancel_futures=True)


def simulate(
    scenario: Scenario,
    replications: int | None = None,
    seed: int | None = None,
    *,
    keep_records: bool | None = None,
    progress: Callable[[int, int], None] | None = None,
    first_replication: int = 0,
    workers: int | None = 1,
    routing: dict | None = None,
    engine: str = "auto",
) -> SimResult:
    """Simulate ``replications`` independent replications of ``scenario``.

    Replication ``r`` draws from streams keyed by ``(seed, r, class, purpose)``, so the
    same seed gives the same customers whatever the staffing (common random numbers)
    and the same numbers in any process, with any number of workers. If interrupted
    (Ctrl-C), the replications already finished are returned, flagged ``interrupted``.

    Args:
        scenario: a validated scenario (see :func:`simsvc.load_scenario`).
        replications: default ``scenario.simulation.replications``.
        seed: default ``scenario.simulation.seed``.
        keep_records: keep the per-customer table (default from the scenario); off,
            memory stays bounded however many customers are simulated.
        progress: called with ``(finished, total)`` after each replication.
        first_replication: number of the first replication run: replications
            ``first_replication, ..., first_replication + replications - 1`` are simulated, so
            a long run split into blocks (as experiment sweeps do) gives exactly the numbers
            of one run.
        workers: the most local processes that run replications side by side; None for all
            cores. A pool starts only when the replications after the first would take longer
            than :data:`POOL_WORTH_SECONDS` in this process. Default 1 (this process):
            ``simulate`` is also called inside sweep workers and by the optimizer, where a pool
            per call would oversubscribe the cores. The numbers are bit-identical for any
            count. In a script, call it under ``if __name__ == "__main__":`` (as any
            ``multiprocessing`` code), since workers import the main module.
        routing: routing rule objects by team name, replacing those teams' ``routing`` field
            (see :mod:`simsvc.sim.routing`); picklable, so that workers can run them.
        engine: ``auto`` (default) runs each replication on the compiled kernel
            (:mod:`simsvc.sim.kernel`, the extra ``simsvc[fast]``) where it supports the
            scenario and on the SimPy model otherwise; ``simpy`` always on SimPy; ``kernel``
            on the kernel or a ``ValueError`` naming what it does not support. Both give the
            same records to the last bit; ``SimResult.engine`` says which ran, and
            ``SimResult.engine_note`` why ``auto`` fell back.
    """
    sim = scenario.simulation
    n = sim.replications if replications is None else int(replications)
    if n < 1:
        raise ValueError(f"replications(={n}) must be >= 1")
    if first_replication < 0:
        raise ValueError(f"first_replication(={first_replication}) must be >= 0")
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    pool_size = resolve_workers(workers)
    seed = sim.seed if seed is None else int(seed)
    keep = sim.keep_records if keep_records is None else keep_records
    warnings = capacity_warnings(scenario)
    finished: dict[int, _Outcome] = {}

    def done(r: int, outcome: _Outcome) -> None:
        finished[r] = outcome
        if progress:
            progress(len(finished), n)

    interrupted = False
    try:
        numbers = range(first_replication, first_replication + n)
        _run_replications(scenario, seed, numbers, keep, pool_size, done, routing, engine)
    except KeyboardInterrupt:
        if not finished:
            raise
        interrupted = True
        warnings.append(tr("warn.interrupted", finished=len(finished), total=n))
    ordered = [(r, *finished[r]) for r in sorted(finished)]
    truncated = any(cut for _, _, _, cut, _ in ordered)
    ran, why = ordered[0][4]
    if truncated:
        warnings.append(tr("warn.truncated", limit=sim.max_customers))
    return SimResult(
        scenario=scenario,
        seed=seed,
        kpis=pd.concat([kpis for _, kpis, _, _, _ in ordered], ignore_index=True),
        _records=[(r, *rows[:2]) for r, _, rows, _, _ in ordered if rows is not None] if keep else None,
        _step_records=[(r, rows[2]) for r, _, rows, _, _ in ordered if rows is not None] if keep else None,
        warnings=warnings,
        interrupted=interrupted,
        truncated=truncated,
        engine=ran,
        engine_note=why,
    )


_Outcome = tuple[pd.DataFrame, tuple[np.ndarray, np.ndarray, np.ndarray] | None, bool, tuple[str, str | None]]
"""What :func:`run_replication` returns: KPIs, record rows (or None), truncated, engine and why."""
