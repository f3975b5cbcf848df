"""Running replications of a scenario: one seed, independent streams, results kept."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from simsvc.metrics import replication_kpis
from simsvc.result import SimResult
from simsvc.scenario.models import Scenario
from simsvc.sim.capacity import overload_warning
from simsvc.sim.demand import Demand
from simsvc.sim.engine import Engine
from simsvc.sim.quality_engine import QualityEngine
from simsvc.sim.tally import Tally

__all__ = ["run_replication", "simulate"]


def run_replication(
    scenario: Scenario, seed: int, replication: int, keep_records: bool
) -> tuple[pd.DataFrame, tuple[np.ndarray, np.ndarray] | None, bool]:
    """Simulate one replication.

    Returns:
        Its KPIs (long table), its customer and complaint record rows (or None when not
        kept) and whether arrivals stopped at ``simulation.max_customers``.
    """
    tally = Tally(scenario)
    kept: list[np.ndarray] = []
    complaints: list[np.ndarray] = []

    def sink(columns: list[np.ndarray], judging: object) -> None:
        columns = tally.add(columns, judging)
        if keep_records:
            kept.append(np.column_stack(columns))

    def complaint_sink(rows: np.ndarray) -> None:
        tally.add_complaints(rows)
        if keep_records:
            complaints.append(rows)

    demand, cap = Demand(scenario, seed, replication), scenario.simulation.max_customers
    if scenario.quality.enabled:
        engine: Engine = QualityEngine(scenario, demand, sink, cap, complaint_sink=complaint_sink)
    else:
        engine = Engine(scenario, demand, sink, cap)
    engine.run()
    teams = engine.time_accounts()
    tally.finish(
        engine.max_queue, engine.max_queue_total, [t.busy_area for t in teams], [t.duty_area for t in teams], teams
    )
    kpis = replication_kpis(tally)
    kpis.insert(0, "replication", replication)
    if not keep_records:
        return kpis, None, engine.truncated
    empty = np.empty((0, 0))
    rows = (np.concatenate(kept) if kept else empty, np.concatenate(complaints) if complaints else empty)
    return kpis, rows, engine.truncated


def simulate(
    scenario: Scenario,
    replications: int | None = None,
    seed: int | None = None,
    *,
    keep_records: bool | None = None,
    progress: Callable[[int, int], None] | None = None,
    first_replication: int = 0,
) -> SimResult:
    """Simulate ``replications`` independent replications of ``scenario``.

    Replication ``r`` draws from streams keyed by ``(seed, r, class, purpose)``, so the
    same seed gives the same customers whatever the staffing (common random numbers)
    and the same numbers in any process. If interrupted (Ctrl-C), the replications
    already finished are returned, flagged ``interrupted``.

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
    """
    sim = scenario.simulation
    n = sim.replications if replications is None else int(replications)
    if n < 1:
        raise ValueError(f"replications(={n}) must be >= 1")
    if first_replication < 0:
        raise ValueError(f"first_replication(={first_replication}) must be >= 0")
    seed = sim.seed if seed is None else int(seed)
    keep = sim.keep_records if keep_records is None else keep_records
    warnings = [w for w in [overload_warning(scenario)] if w]
    kpi_tables, records, truncated, interrupted = [], [], False, False
    try:
        for i, r in enumerate(range(first_replication, first_replication + n)):
            kpis, rows, cut = run_replication(scenario, seed, r, keep)
            kpi_tables.append(kpis)
            if rows is not None:
                records.append((r, *rows))
            truncated |= cut
            if progress:
                progress(i + 1, n)
    except KeyboardInterrupt:
        if not kpi_tables:
            raise
        interrupted = True
        warnings.append(f"interrupted: {len(kpi_tables)} of {n} replications finished")
    if truncated:
        warnings.append(
            f"truncated: arrivals stopped at simulation.max_customers={sim.max_customers} "
            "in at least one replication; KPIs describe the truncated run"
        )
    return SimResult(
        scenario=scenario,
        seed=seed,
        kpis=pd.concat(kpi_tables, ignore_index=True),
        records=records if keep else None,
        warnings=warnings,
        interrupted=interrupted,
        truncated=truncated,
    )
