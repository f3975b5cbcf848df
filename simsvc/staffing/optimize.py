"""``simsvc.optimize``: solve the staffing MILP, simulate the plan, correct, repeat.

Each round solves the model (:mod:`simsvc.staffing.model`) on performance curves, staffs the
complaint teams, and simulates the plan with the scenario's seed (common random numbers:
every round sees the same customers). Where the simulation misses a target with
statistical confidence, the intervals that miss it get one more person than the plan had
there and the model is solved again, until the simulation confirms the plan or the
iteration limit is reached. Every round is reported in :attr:`Plan.iterations`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from simsvc.errors import ScenarioError
from simsvc.scenario.models import Scenario
from simsvc.staffing.complaint_staffing import staff_complaint_teams
from simsvc.staffing.model import ModelInput, Solution, solve_staffing
from simsvc.staffing.patterns import Pattern, clock, generate_patterns
from simsvc.staffing.plan import Iteration, Plan, PlannedShift
from simsvc.staffing.prepare import DemandCache, model_input
from simsvc.staffing.verify import missed_groups, target_checks

__all__ = ["optimize"]

COMPLAINT_STEP = 1.25
"""Factor on the complaint teams' planned work after a missed resolution target."""


def _staffed_scenario(
    scenario: Scenario, inp: ModelInput, sol: Solution, complaint: list[tuple[Pattern, int, float]]
) -> tuple[Scenario, list[PlannedShift]]:
    days = scenario.horizon.days
    planned: list[PlannedShift] = []
    teams = []
    for k, team in enumerate(scenario.teams):
        level = sol.levels[team.name]
        lv = next(lv for lv in inp.teams[k].levels if lv.level == level)
        worked = [(p, n) for p, n in zip(inp.teams[k].patterns, sol.staff[team.name], strict=True) if n > 0]
        planned += [PlannedShift(p, level, n, n * p.paid_minutes * lv.wage_per_minute * len(p.days)) for p, n in worked]
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
    """Overall predicted KPIs (arrival-weighted) and predicted complaints per day."""
    weight = sl = ab = dis = 0.0
    complaints = np.zeros(inp.days)
    voice = scenario.complaints.voice_probability if scenario.quality.enabled else 0.0
    for team in inp.teams:
        for cell, p in sol.predicted[team.name].items():
            a = float(team.arrivals[cell])
            weight += a
            sl += a * p.service_level
            ab += a * p.abandonment
            if scenario.quality.enabled:
                dis += a * (1.0 - p.satisfied)
                complaints[cell // inp.cells_per_day] += a * (1.0 - p.satisfied) * voice
    out = {"service_level": sl / weight, "abandonment_rate": ab / weight} if weight else {}
    if scenario.quality.enabled and weight:
        out["dissatisfied_share"] = dis / weight
        out["complaints_per_day"] = float(complaints.mean())
    return out, complaints


def _raise_floors(
    scenario: Scenario, inp: ModelInput, sol: Solution, by_interval, by_day, floors: dict[str, dict[int, int]]
) -> list[str]:
    """One more person where the simulation missed a target; returns what was missed, and where."""
    h = scenario.horizon
    n = h.n_intervals
    labels = {clock(h.open_minute + j * h.interval_minutes): j for j in range(n)}
    misses: list[str] = []
    cells: set[int] = set()
    interval_missed = missed_groups(scenario, by_interval)
    if inp.scope == "interval":
        for name, groups in interval_missed.items():
            misses.append(f"{name} in {', '.join(groups)}")
            cells |= {d * n + labels[g] for g in groups for d in range(h.days)}
    else:
        weak = {labels[g] for groups in interval_missed.values() for g in groups}
        for name, days in missed_groups(scenario, by_day).items():
            misses.append(f"{name} on day {', '.join(days)}")
            for day in (int(d) - 1 for d in days):
                chosen = {day * n + j for j in weak}
                if not chosen:  # no single interval is to blame: strengthen the day's weakest one per team
                    for team in inp.teams:
                        preds = {c: p for c, p in sol.predicted[team.name].items() if c // n == day}
                        if preds:
                            chosen.add(min(preds, key=lambda c: preds[c].service_level))
                cells |= chosen
    for team in inp.teams:
        floor = floors.setdefault(team.name, {})
        for cell in cells:
            if team.arrivals[cell] > 0:
                floor[cell] = max(floor.get(cell, 0), int(np.floor(sol.on_duty[team.name][cell] + 1e-9)) + 1)
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
                    "required": lv.cells.required.get(cell),
                }
            )
    return pd.DataFrame(rows)


def _costs(scenario: Scenario, inp: ModelInput, sol: Solution, planned: list[PlannedShift]) -> dict[str, float]:
    front = {t.name for t in scenario.teams}
    wages = sum(s.cost for s in planned if s.pattern.team in front)
    back = sum(s.cost for s in planned if s.pattern.team not in front)
    training = 0.0
    for team in inp.teams:
        lv = next(lv for lv in team.levels if lv.level == sol.levels[team.name])
        people = max(
            (sum(n for p, n in zip(team.patterns, sol.staff[team.name], strict=True) if d in p.days)
             for d in range(inp.days)),
            default=0,
        )  # fmt: skip
        training += people * lv.training_per_person
    total = wages + back + training
    return {
        "wages": wages, "complaint_wages": back, "training": training, "total": total,
        "per_day": total / scenario.horizon.days,
    }  # fmt: skip


def optimize(
    scenario: Scenario,
    *,
    replications: int | None = None,
    seed: int | None = None,
    iterations: int | None = None,
    simulate_plan: bool = True,
    progress: Callable[[Iteration], None] | None = None,
) -> Plan:
    """Staff per shift and team and a training level per team, at least cost, proven by simulation.

    Args:
        scenario: a scenario with an ``optimizer`` block (candidate shifts, bounds) and targets.
        replications: replications per verification (default ``optimizer.replications``, then
            ``simulation.replications``).
        seed: seed of the verifications and of the quality sample (default ``simulation.seed``).
        iterations: most solve-and-simulate rounds (default ``optimizer.iterations``).
        simulate_plan: False to stop after the first solve (predicted KPIs only).
        progress: called with each finished round.

    Returns:
        The last round's :class:`~simsvc.staffing.plan.Plan`; ``plan.confirmed`` tells whether
        the simulation confirmed every target.

    Raises:
        simsvc.ScenarioError: if the scenario has no ``optimizer`` block.
        simsvc.InfeasibleError: if a target cannot be met within the bounds (the message names
            the target, the intervals and the best value reachable).
    """
    from simsvc.sim.replicate import simulate

    spec = scenario.optimizer
    if spec is None:
        raise ScenarioError(scenario.name, [("optimizer", "missing: add candidate shifts to optimize (see README)")])
    seed = scenario.simulation.seed if seed is None else seed
    reps = replications or spec.replications or scenario.simulation.replications
    rounds = iterations or spec.iterations
    patterns = generate_patterns(scenario)
    cache: DemandCache = {}
    floors: dict[str, dict[int, int]] = {}
    factor = 1.0
    history: list[Iteration] = []
    for number in range(1, rounds + 1):
        inp = model_input(scenario, patterns, floors, cache, seed)
        sol, info = solve_staffing(inp, spec.solver, spec.time_limit, spec.gap)
        predicted, complaints = _predicted(scenario, inp, sol)
        complaint = staff_complaint_teams(scenario, patterns, complaints, factor)
        staffed, planned = _staffed_scenario(scenario, inp, sol, complaint)
        cost = _costs(scenario, inp, sol, planned)
        summary = by_interval = by_day = None
        if simulate_plan:
            result = simulate(staffed, replications=reps, seed=seed, keep_records=False)
            summary, by_interval, by_day = result.summary(), result.by_interval(), result.by_day()
        checks = target_checks(scenario, predicted, summary)
        misses: list[str] = []
        if simulate_plan:
            misses = _raise_floors(scenario, inp, sol, by_interval, by_day, floors)
            if any(c.name == "complaints_within_sla" and c.missed_with_confidence for c in checks):
                misses.append("complaints_within_sla overall")
                factor *= COMPLAINT_STEP
        history.append(Iteration(number, cost["total"], dict(sol.levels), info, checks, misses))
        if progress is not None:
            progress(history[-1])
        if not misses:
            break
    staffing = _staffing_frame(scenario, inp, sol)
    return Plan(staffed, planned, dict(sol.levels), cost, predicted, summary, checks, staffing, history)
