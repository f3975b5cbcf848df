"""The staffing MILP in PuLP: staff per shift pattern for one team at one training level.

Variables:

* ``staff[s]`` integer: people working pattern ``s``;
* ``people`` integer: the team's headcount (its busiest day), which training is paid for;
* day scope only, ``more[c,i]`` in [0, 1]: the ``i``-th person above cell ``c``'s least staff.

Constraints are named after what they mean (``cover_<team>_L<level>_c<cell>``,
``day_<target>_d<day>``, ``max_headcount_<team>_L<level>_d<day>``, ...), so an infeasible
or surprising model can be read. Objective: wages for paid time on the horizon plus
amortised training.

Teams are independent once each team's customers must meet the targets (per interval, or
per day for the team's own customers: then the day's overall KPIs, their weighted average,
meet them too), and the cost is a sum over teams; so :func:`solve_staffing` solves one small
model per team and level and keeps each team's cheapest level, instead of one large model
with a binary per level, whose weak relaxation HiGHS could not close in minutes on a week.
A budget is then a check: the cheapest plan is the sum of the teams' cheapest. A team is
not mixed across levels: servers at different speeds are not the Erlang A queue the curves
describe.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np
import pulp

from simsvc.errors import InfeasibleError
from simsvc.staffing.curves import Prediction
from simsvc.staffing.patterns import Pattern
from simsvc.staffing.requirements import CellOptions, Targets
from simsvc.staffing.solver import SolveInfo, SolverName, solve

__all__ = ["LevelInput", "ModelInput", "Solution", "TeamInput", "build_model", "solve_staffing"]


@dataclass(frozen=True)
class LevelInput:
    """A team at one training level: its staff options per cell and its costs."""

    level: int
    cells: CellOptions
    wage_per_minute: float
    training_per_person: float  # amortised over the horizon


@dataclass(frozen=True)
class TeamInput:
    """A front-line team to staff: its candidate patterns and levels."""

    name: str
    patterns: list[Pattern]
    coverage: np.ndarray  # (patterns, cells)
    levels: list[LevelInput]
    arrivals: np.ndarray  # expected arrivals per cell (for day-scope weighting)


@dataclass(frozen=True)
class ModelInput:
    """Everything the model needs, prepared from the scenario."""

    teams: list[TeamInput]
    targets: Targets
    scope: str
    days: int
    cells_per_day: int
    max_staff: int | None = None
    max_headcount: int | None = None
    budget: float | None = None  # whole horizon


@dataclass
class Variables:
    """One model's decision variables."""

    staff: list[pulp.LpVariable] = field(default_factory=list)
    people: pulp.LpVariable | None = None
    more: dict[tuple[int, int], pulp.LpVariable] = field(default_factory=dict)


def _pattern_cost(p: Pattern, lv: LevelInput) -> float:
    return p.paid_minutes * lv.wage_per_minute * len(p.days)


def build_model(inp: ModelInput, k: int, li: int) -> tuple[pulp.LpProblem, Variables]:
    """The MILP of team ``k`` at its ``li``-th allowed level (not yet solved)."""
    team, lv = inp.teams[k], inp.teams[k].levels[li]
    tag = f"{team.name}_L{lv.level}"
    prob = pulp.LpProblem(f"staffing_{tag}", pulp.LpMinimize)
    v = Variables()
    bounds = _pattern_bounds(team, lv, inp.max_headcount)
    costs = []
    for s, p in enumerate(team.patterns):
        x = prob.add_variable(f"staff_{tag}_s{s}", lowBound=0, upBound=bounds[s], cat="Integer")
        v.staff.append(x)
        costs.append(_pattern_cost(p, lv) * x)
    if lv.training_per_person > 0:
        v.people = prob.add_variable(f"people_{tag}", lowBound=0, cat="Integer")
        costs.append(lv.training_per_person * v.people)
    prob += pulp.lpSum(costs), "total_cost"
    day_terms: dict[tuple[str, int], list] = {}
    _cover(prob, v, inp, k, li, tag, day_terms)
    _days(prob, v, inp, k, tag)
    for (name, day), terms in day_terms.items():
        if name == "max_abandonment":
            prob += pulp.lpSum(terms) <= 0, f"day_{name}_d{day}"
        else:
            prob += pulp.lpSum(terms) >= 0, f"day_{name}_d{day}"
    return prob, v


def _pattern_bounds(team: TeamInput, lv: LevelInput, max_headcount: int | None) -> list[int]:
    """Most people worth putting on each pattern: the largest staff option of a cell it covers.

    More would leave every cell it covers over-staffed, so a cheaper plan drops one: a valid
    bound that tightens the linear relaxation.
    """
    largest = np.zeros(team.coverage.shape[1])
    for cell, options in lv.cells.options.items():
        largest[cell] = options[-1].staff
    bounds = []
    for row in team.coverage:
        covered = row > 0
        need = float(np.max(largest[covered] / row[covered])) if covered.any() else 0.0
        bound = int(np.ceil(need - 1e-9))
        bounds.append(bound if max_headcount is None else min(bound, max_headcount))
    return bounds


def _on_duty(v: Variables, team: TeamInput, cell: int):
    rows = np.flatnonzero(team.coverage[:, cell])
    return pulp.lpSum(float(team.coverage[s, cell]) * v.staff[s] for s in rows)


def _cover(prob, v: Variables, inp: ModelInput, k: int, li: int, tag: str, day_terms) -> None:
    """Staff on duty in every cell reach the requirement (interval) or the least staff plus increments (day)."""
    team = inp.teams[k]
    for cell, options in team.levels[li].cells.options.items():
        duty = _on_duty(v, team, cell)
        if inp.max_staff is not None:
            prob += duty <= inp.max_staff, f"max_staff_{tag}_c{cell}"
        if len(options) == 1:  # always so in interval scope: the cell's requirement
            prob += duty >= options[0].staff, f"cover_{tag}_c{cell}"
            if inp.scope == "day":
                _day_terms(day_terms, inp, team, cell, options[0])
            continue
        # Day scope: staff n_0 plus increments of one person (0..1 each). Each increment adds
        # its KPI gain; gains diminish (see requirements._diminishing_from, and running minima
        # guard against rounding), so the solver takes them in order and the linear sum is exact
        # at integer staff; no binary per option is needed.
        extra = [prob.add_variable(f"more_{tag}_c{cell}_n{o.staff}", lowBound=0, upBound=1) for o in options[1:]]
        for i, d in enumerate(extra):
            v.more[cell, i] = d
        prob += duty >= options[0].staff + pulp.lpSum(extra), f"cover_{tag}_c{cell}"
        _day_terms(day_terms, inp, team, cell, options[0])
        _day_gains(day_terms, inp, team, cell, options, extra)


def _diminishing(values: list[float]) -> list[float]:
    """Gains between consecutive values, each at most the one before (a conservative running minimum)."""
    out: list[float] = []
    for a, b in itertools.pairwise(values):
        out.append(min(b - a, out[-1]) if out else b - a)
    return out


def _day_gains(day_terms, inp: ModelInput, team: TeamInput, cell: int, options: list[Prediction], extra) -> None:
    """What each extra person adds to the day's arrival-weighted KPIs (for abandonment: removes)."""
    weight = float(team.arrivals[cell])
    if weight <= 0 or not extra:
        return
    day = cell // inp.cells_per_day
    t = inp.targets
    series = [("service_level", _diminishing([o.service_level for o in options]))]
    if t.max_abandonment is not None:  # "<=" rows: add the (negative) change of abandonment
        series.append(("max_abandonment", [-g for g in _diminishing([-o.abandonment for o in options])]))
    if t.min_satisfied is not None:
        series.append(("min_satisfied", _diminishing([o.satisfied for o in options])))
    for name, gains in series:
        day_terms.setdefault((name, day), []).extend(weight * g * d for g, d in zip(gains, extra, strict=True))


def _day_terms(day_terms, inp: ModelInput, team: TeamInput, cell: int, o: Prediction) -> None:
    """Arrival-weighted excess over each target on the cell's day, at the cell's least staff."""
    weight = float(team.arrivals[cell])
    if weight <= 0:
        return
    day = cell // inp.cells_per_day
    t = inp.targets
    day_terms.setdefault(("service_level", day), []).append(weight * (o.service_level - t.service_level))
    if t.max_abandonment is not None:
        day_terms.setdefault(("max_abandonment", day), []).append(weight * (o.abandonment - t.max_abandonment))
    if t.min_satisfied is not None:
        day_terms.setdefault(("min_satisfied", day), []).append(weight * (o.satisfied - t.min_satisfied))


def _days(prob, v: Variables, inp: ModelInput, k: int, tag: str) -> None:
    """Headcount: the people trained are the busiest day's; the headcount bound."""
    team = inp.teams[k]
    for day in range(inp.days):
        working = [s for s, p in enumerate(team.patterns) if day in p.days]
        if not working:
            continue
        total = pulp.lpSum(v.staff[s] for s in working)
        if v.people is not None:
            prob += v.people >= total, f"people_{tag}_d{day}"
        if inp.max_headcount is not None:
            prob += total <= inp.max_headcount, f"max_headcount_{tag}_d{day}"


@dataclass(frozen=True)
class Solution:
    """The solved plan: a level per team, staff per pattern and the chosen prediction per cell."""

    levels: dict[str, int]
    staff: dict[str, list[int]]  # team -> staff per pattern (the team's chosen level)
    predicted: dict[str, dict[int, Prediction]]  # team -> cell -> prediction at the staff on duty
    on_duty: dict[str, np.ndarray]  # team -> staff on duty per cell


def solve_staffing(inp: ModelInput, solver: SolverName, time_limit: float, gap: float) -> tuple[Solution, SolveInfo]:
    """Each team's cheapest allowed level and its staff; one :class:`SolveInfo` for all the solves.

    Levels are tried in the order of their linear relaxation's cost, and a level whose
    relaxation costs more than a plan already found is pruned. The reported gap is the whole
    plan's: its cost against the sum over teams of the lowest bound of any level (MILP bound,
    or the relaxation of a pruned level), when the solver reports bounds.

    Raises:
        simsvc.InfeasibleError: when the cheapest plan exceeds the budget, or no level of a team
            has a solution.
    """
    levels, staff, predicted, on_duty = {}, {}, {}, {}
    seconds, objective, bound_sum, all_optimal, bounds_known = 0.0, 0.0, 0.0, True, True
    for k, team in enumerate(inp.teams):
        best: tuple[float, int, Variables, SolveInfo] | None = None
        team_bound = math.inf
        # Linear relaxations first: a level whose relaxation costs more than a plan already
        # found cannot be cheaper, and is not solved as a MILP.
        relaxed = []
        for li, lv in enumerate(team.levels):
            if lv.cells.shortfalls:  # some cell's targets are out of reach at this level
                continue
            prob, v = build_model(inp, k, li)
            try:
                lp = solve(prob, solver, time_limit, gap, relax=True)
            except InfeasibleError:
                continue  # e.g. max_headcount too low at this level
            seconds += lp.seconds
            relaxed.append((lp.objective, li, prob, v))
        for lp_bound, li, prob, v in sorted(relaxed, key=lambda r: r[0]):
            if best is not None and lp_bound >= best[0] - 1e-9:
                team_bound = min(team_bound, lp_bound)
                continue
            try:
                info = solve(prob, solver, time_limit, gap)
            except InfeasibleError:
                continue
            seconds += info.seconds
            all_optimal = all_optimal and info.optimal
            if info.bound is None:
                bounds_known = False
            team_bound = min(team_bound, info.bound if info.bound is not None else info.objective)
            if best is None or info.objective < best[0]:
                best = (info.objective, li, v, info)
        if best is None:
            raise InfeasibleError(
                f"team {team.name!r}: no allowed training level has a plan within the bounds "
                "(max_staff, max_headcount)",
                target="bounds",
            )
        cost, li, v, _ = best
        lv = team.levels[li]
        x = [round(var.value() or 0.0) for var in v.staff]
        duty = np.asarray(x, dtype=float) @ team.coverage if team.patterns else np.zeros(team.coverage.shape[1])
        levels[team.name], staff[team.name], on_duty[team.name] = lv.level, x, duty
        predicted[team.name] = {
            cell: lv.cells.demand.predict(cell, int(np.floor(duty[cell] + 1e-9))) for cell in lv.cells.options
        }
        objective += cost
        bound_sum += team_bound
    if inp.budget is not None and objective > inp.budget + 1e-6:
        raise InfeasibleError(
            f"the cheapest plan meeting the targets costs {objective:,.2f} over the horizon, more than the budget "
            f"({inp.budget:,.2f}: budget_per_day × days)",
            target="budget",
            best=objective,
        )
    plan_gap = max(0.0, (objective - bound_sum) / objective) if bounds_known and objective > 0 else None
    status = "Optimal" if all_optimal else "Stopped at the time limit"
    info = SolveInfo(solver, status, objective, plan_gap, seconds, all_optimal, bound_sum if bounds_known else None)
    return Solution(levels, staff, predicted, on_duty), info
