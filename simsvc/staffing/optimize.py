"""``simsvc.optimize``: solve the staffing MILP, simulate the plan, correct, repeat.

Each round solves the model (:mod:`simsvc.staffing.model`) on performance curves, staffs the
complaint teams for the complaints each combination of training levels predicts, and keeps
the combination of least operating cost (:mod:`simsvc.staffing.costing`). The plan is then
verified by simulation with the scenario's seed (common random numbers: every round sees the
same customers), sequentially (:func:`simsvc.staffing.verify.verify`): replications are added
while a target is inside its confidence interval somewhere. Where the simulation misses a
target with confidence, the intervals that miss it get one more person than the plan had
there (a pool of teams sharing contacts: one more on every set's floor; a missed complaint or
deferred-work target: more planned work for those teams) and the model is solved again,
until no target is missed or the iteration limit is reached. Every round is reported in :attr:`Plan.iterations`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simsvc.errors import ScenarioError
from simsvc.scenario.models import Scenario
from simsvc.staffing.backlog import DEFERRED_STEP, fluid_share
from simsvc.staffing.complaint_staffing import least_cost_per_complaint, staff_complaint_teams
from simsvc.staffing.costing import pattern_cost, plan_cost
from simsvc.staffing.curves import class_rates
from simsvc.staffing.model import ModelInput, Solution, solve_staffing
from simsvc.staffing.patterns import Pattern, clock, generate_patterns
from simsvc.staffing.plan import Iteration, PlaceCheck, Plan, PlannedShift
from simsvc.staffing.prepare import DemandCache, model_input, pool_key
from simsvc.staffing.verify import missed_groups, place_checks, target_checks, verify

__all__ = ["optimize"]

COMPLAINT_STEP = 1.25
"""Factor on the complaint teams' planned work after a missed resolution target."""


def _staffed_scenario(
    scenario: Scenario, inp: ModelInput, sol: Solution, complaint: list[tuple[Pattern, int, float]]
) -> tuple[Scenario, list[PlannedShift]]:
    days = scenario.horizon.days
    planned: list[PlannedShift] = []
    teams = []
    planned_teams = {t.name: t for t in inp.teams}  # self-service stations are not planned
    for team in scenario.teams:
        if team.name not in planned_teams:
            teams.append(team)
            continue
        level = sol.levels[team.name]
        lv = next(lv for lv in planned_teams[team.name].levels if lv.level == level)
        worked = [(p, n) for p, n in zip(planned_teams[team.name].patterns, sol.staff[team.name], strict=True) if n > 0]
        planned += [PlannedShift(p, level, n, n * pattern_cost(p, lv.wage_per_minute)) for p, n in worked]
        shifts = tuple(p.shift(n, every_day=len(p.days) == days) for p, n in worked)
        teams.append(team.model_copy(update={"shifts": shifts, "staff": None, "training_level": level}))
    complaint_teams = list(scenario.complaints.teams)
    for i, team in enumerate(complaint_teams):
        worked = [(p, n, c) for p, n, c in complaint if p.team == team.name]
        if not worked:
            continue
        planned += [PlannedShift(p, team.training_level, n, c) for p, n, c in worked]
        shifts = tuple(p.shift(n, every_day=len(p.days) == days) for p, n, _ in worked)
        complaint_teams[i] = team.model_copy(update={"shifts": shifts, "staff": None})
    complaints = scenario.complaints.model_copy(update={"teams": tuple(complaint_teams)})
    staffed = scenario.model_copy(update={"teams": tuple(teams), "complaints": complaints})
    return staffed, planned


def _predicted(scenario: Scenario, inp: ModelInput, sol: Solution) -> tuple[dict[str, float], np.ndarray]:
    """Overall predicted KPIs (weighted by station visits) and predicted complaints per day.

    The live KPIs leave deferred work out; its share within target is the fluid's.

    A journey's customer visits several stations but is judged, and complains, once: a cell's
    complaints are its visits' dissatisfied share times its customers (for classes without a
    journey, visits and customers are the same).
    """
    sl = ab = dis = 0.0
    complaints = np.zeros(inp.days)
    voice = scenario.complaints.voice_probability if scenario.quality.enabled else 0.0
    visits = np.sum([team.arrivals for team in inp.teams], axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_visit = np.where(visits > 0, _customers_per_cell(scenario) / visits, 0.0)
    live = judged = answered = work = 0.0
    for team in inp.teams:
        lv = next(lv for lv in team.levels if lv.level == sol.levels[team.name])
        if lv.work is not None:  # deferred work: the fluid's share within target (not a live KPI)
            share = fluid_share(scenario, lv.work, lv.cells.demand.on_floor(sol.on_duty[team.name]).astype(float))
            if not np.isnan(share):
                answered, work = answered + share * lv.work.work.sum(), work + lv.work.work.sum()
        for cell, p in sol.predicted[team.name].items():
            a = float(team.arrivals[cell])
            judged += a
            if lv.work is None:
                live += a
                sl += a * p.service_level
                ab += a * p.abandonment
            if scenario.quality.enabled:
                dis += a * (1.0 - p.satisfied)
                complaints[cell // inp.cells_per_day] += a * per_visit[cell] * (1.0 - p.satisfied) * voice
    out = {"service_level": sl / live, "abandonment_rate": ab / live} if live else {}
    if work > 0:
        out["deferred_within_target"] = float(answered / work)
    if scenario.quality.enabled and judged:
        out["dissatisfied_share"] = dis / judged
        out["complaints_per_day"] = float(complaints.mean())
    return out, complaints


def _customers_per_cell(scenario: Scenario) -> np.ndarray:
    """Customers arriving in each cell of the horizon (as the teams' visits are counted)."""
    return class_rates(scenario).sum(axis=1) * scenario.horizon.interval_minutes


def _raise_floors(
    scenario: Scenario, inp: ModelInput, sol: Solution, places: list[PlaceCheck], by_interval: list[PlaceCheck],
    floors: dict[str, dict[int, int]],
) -> list[str]:
    """One more person where the simulation missed a target; returns what was missed, and where.

    ``places`` are the verification's checks (per interval or per day, as the scope); in day
    scope ``by_interval`` are the per-interval checks of the same replications, which say
    which intervals to strengthen on a missed day.
    """
    h = scenario.horizon
    n = h.n_intervals
    labels = {clock(h.open_minute + j * h.interval_minutes): j for j in range(n)}
    misses: list[str] = []
    cells: set[int] = set()
    if inp.scope == "interval":
        for name, groups in missed_groups(scenario, places).items():
            misses.append(f"{name} in {', '.join(groups)}")
            cells |= {d * n + labels[g] for g in groups for d in range(h.days)}
    else:
        weak = {labels[g] for groups in missed_groups(scenario, by_interval).values() for g in groups}
        for name, days in missed_groups(scenario, places).items():
            misses.append(f"{name} on day {', '.join(days)}")
            for day in (int(d) - 1 for d in days):
                chosen = {day * n + j for j in weak}
                if not chosen:  # no single interval is to blame: strengthen the day's weakest one per team
                    for team in inp.teams:
                        preds = {c: p for c, p in sol.predicted[team.name].items() if c // n == day}
                        if preds:
                            chosen.add(min(preds, key=lambda c: preds[c].service_level))
                cells |= chosen
    pooled = {name for pool in inp.pools for name in pool.teams}
    for team in inp.teams:
        if team.name in pooled or team.levels[0].backlog:  # pools below; deferred work: its own factor
            continue
        floor = floors.setdefault(team.name, {})
        demand = team.levels[0].cells.demand  # shrinkage is the team's, whatever its level
        for cell in cells:
            if team.arrivals[cell] > 0:  # one more person on the floor (with shrinkage, maybe more rostered)
                staff = int(np.floor(sol.on_duty[team.name][cell] + 1e-9))
                floor[cell] = max(floor.get(cell, 0), demand.rostered(cell, demand.serving(cell, staff) + 1))
    for pool in inp.pools:  # every set of the pool's teams: one more on its floor than the pool had
        extra = floors.setdefault(pool_key(pool.teams), {})
        needs = pool.needs[sol.levels[pool.teams[0]]]
        members = [t for t in inp.teams if t.name in pool.teams]
        serving = sum(t.levels[0].cells.demand.on_floor(sol.on_duty[t.name]) for t in members)
        for cell in cells:
            if any(t.arrivals[cell] > 0 for t in members):
                whole = needs.required[needs.pool.whole].get(cell, 0)
                extra[cell] = max(extra.get(cell, 0) + 1, int(serving[cell]) + 1 - whole)
    return misses


def _staffing_frame(scenario: Scenario, inp: ModelInput, sol: Solution) -> pd.DataFrame:
    h = scenario.horizon
    rows = []
    for team in inp.teams:
        lv = next(lv for lv in team.levels if lv.level == sol.levels[team.name])
        for cell in range(len(team.arrivals)):
            day, j = divmod(cell, h.n_intervals)
            rows.append(
                {
                    "team": team.name,
                    "day": day + 1,
                    "interval": clock(h.open_minute + j * h.interval_minutes),
                    "demand_per_hour": float(lv.cells.demand.rate[cell]) * 60.0,
                    "staff": float(sol.on_duty[team.name][cell]),
                    "required": None if lv.work is not None else lv.cells.required.get(cell),  # deferred: n/a
                }
            )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class _Staffed:
    """A front-line solution completed: complaint teams, the staffed scenario, its cost."""

    predicted: dict[str, float]
    complaint: list[tuple[Pattern, int, float]]
    staffed: Scenario
    planned: list[PlannedShift]
    cost: dict[str, float]


def _complete(scenario: Scenario, inp: ModelInput, sol: Solution, patterns, factor: float) -> _Staffed:
    """Staff the complaint teams for the complaints ``sol`` predicts, and cost the whole plan."""
    predicted, complaints = _predicted(scenario, inp, sol)
    complaint = staff_complaint_teams(scenario, patterns, complaints, factor)
    staffed, planned = _staffed_scenario(scenario, inp, sol, complaint)
    cost = plan_cost(scenario, staffed, planned, float(complaints.sum()))
    return _Staffed(predicted, complaint, staffed, planned, cost)


def optimize(
    scenario: Scenario,
    *,
    replications: int | None = None,
    seed: int | None = None,
    iterations: int | None = None,
    simulate_plan: bool = True,
    progress: Callable[[Iteration], None] | None = None,
    workers: int | None = 1,
) -> Plan:
    """Staff per shift and team and a training level per team, at least cost, proven by simulation.

    Args:
        scenario: a scenario with an ``optimizer`` block (candidate shifts, bounds) and targets.
        replications: replications of each verification's first batch (default
            ``optimizer.replications``, then ``simulation.replications``); more are added up to
            ``optimizer.verify.max_replications`` while a target is unresolved.
        seed: seed of the verifications and of the quality sample (default ``simulation.seed``).
        iterations: most solve-and-simulate rounds (default ``optimizer.iterations``).
        simulate_plan: False to stop after the first solve (predicted KPIs only).
        progress: called with each finished round.
        workers: processes running the verifications' replications (None: all cores); the
            numbers are the same for any count.

    Returns:
        The last round's :class:`~simsvc.staffing.plan.Plan`; ``plan.status`` tells whether
        the simulation confirmed every target (``confirmed``), missed one (``missed``), could
        not decide one within ``optimizer.verify`` (``unresolved``: ``plan.unresolved`` says
        where) or was not run (``unverified``, ``plan.confirmed`` None); ``plan.warnings`` are the
        final verification's (overload, truncation).

    Raises:
        simsvc.ScenarioError: if the scenario has no ``optimizer`` block.
        simsvc.InfeasibleError: if a target cannot be met within the bounds (the message names
            the target, the intervals and the best value reachable).
        simsvc.errors.SolverError: if a solve stopped at ``optimizer.time_limit`` before it
            found any plan (nothing is known then: a larger time limit may find one).
    """
    from functools import partial

    from simsvc.run import simulate as simulate_all

    simulate = partial(simulate_all, workers=workers)

    spec = scenario.optimizer
    if spec is None:
        raise ScenarioError(scenario.name, [("optimizer", "missing: add candidate shifts to optimize (see README)")])
    seed = scenario.simulation.seed if seed is None else seed
    reps = replications or spec.replications or scenario.simulation.replications
    rounds = iterations or spec.iterations
    patterns = generate_patterns(scenario)
    cache: DemandCache = {}
    floors: dict[str, dict[int, int]] = {}
    factor = deferred = 1.0  # on the complaint teams' and the deferred teams' planned work
    history: list[Iteration] = []
    for number in range(1, rounds + 1):
        inp = model_input(scenario, patterns, floors, cache, seed, deferred)
        completed: dict[tuple[int, ...], _Staffed] = {}

        def total(candidate: Solution, inp=inp, completed=completed, factor=factor) -> float:
            key = tuple(candidate.levels.values())
            if key not in completed:
                completed[key] = _complete(scenario, inp, candidate, patterns, factor)
            return completed[key].cost["cost"]

        voice = scenario.complaints.voice_probability if scenario.quality.enabled else 0.0
        per_dissatisfied = voice * least_cost_per_complaint(scenario, patterns, factor)
        sol, info = solve_staffing(inp, spec.solver, spec.time_limit, spec.gap, total, per_dissatisfied)
        total(sol)
        done = completed[tuple(sol.levels.values())]
        summary, places, misses, n_reps, warnings = None, [], [], 0, []
        if simulate_plan:
            result, places = verify(scenario, done.staffed, seed, reps, spec.verify.precision,
                                    spec.verify.max_replications, simulate)  # fmt: skip
            summary, n_reps, warnings = result.summary(), result.replications, list(result.warnings)
            by_interval = places if spec.scope == "interval" else _interval_places(scenario, result)
            misses = _raise_floors(scenario, inp, sol, places, by_interval, floors)
        checks = target_checks(scenario, done.predicted, summary)
        if any(c.name == "complaints_within_sla" and c.missed_with_confidence for c in checks):
            misses.append("complaints_within_sla overall")
            factor *= COMPLAINT_STEP
        if any(c.name == "deferred_within_target" and c.missed_with_confidence for c in checks):
            misses.append("deferred_within_target overall")
            deferred *= DEFERRED_STEP
        unresolved = [p for p in places if p.verdict == "unresolved"]
        history.append(
            Iteration(number, done.cost["cost"], dict(sol.levels), info, checks, misses, n_reps, unresolved)
        )
        if progress is not None:
            progress(history[-1])
        if not misses:
            break
    staffing = _staffing_frame(scenario, inp, sol)
    return Plan(
        done.staffed, done.planned, dict(sol.levels), done.cost, done.predicted, summary, checks, staffing,
        history, places, warnings,
    )  # fmt: skip


def _interval_places(scenario: Scenario, result) -> list[PlaceCheck]:
    """Per-interval checks of a day-scope verification (where to add staff on a missed day)."""
    assert scenario.optimizer is not None
    interval = scenario.model_copy(update={"optimizer": scenario.optimizer.model_copy(update={"scope": "interval"})})
    return place_checks(interval, result)
