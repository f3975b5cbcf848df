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
meet them too); so :func:`solve_staffing` solves one small model per team and level instead
of one large model with a binary per level, whose weak relaxation HiGHS could not close in
minutes on a week. The levels are then chosen on the whole plan's operating cost, complaint
desk included: the desk's work comes from the complaints the front line's level predicts
(its dissatisfied customers), a non-linear function of the staffing that a MILP would need
per level anyway, so each combination of solved levels is costed exactly (few: levels per
team to the power of teams, most pruned by bounds). A budget is then a check on the
cheapest plan. A team is not mixed across levels: servers at different speeds are not the
Erlang A queue the curves describe.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pulp

from simsvc.errors import InfeasibleError
from simsvc.staffing.costing import pattern_cost
from simsvc.staffing.curves import Prediction
from simsvc.staffing.patterns import Pattern
from simsvc.staffing.requirements import CellOptions, Targets
from simsvc.staffing.solver import STOPPED, SolveInfo, SolverName, solve

if TYPE_CHECKING:
    from simsvc.staffing.backlog import BacklogRow, Buckets
    from simsvc.staffing.pooling import PoolNeeds

__all__ = ["LevelInput", "ModelInput", "PoolInput", "Solution", "TeamInput", "build_model", "solve_staffing"]


@dataclass(frozen=True)
class LevelInput:
    """A team at one training level: its staff options per cell and its costs."""

    level: int
    cells: CellOptions
    wage_per_minute: float
    training_per_person: float  # amortised over the horizon
    fewest_dissatisfied: float = 0.0  # expected dissatisfied customers with unbounded staff (a lower bound)
    backlog: tuple[BacklogRow, ...] = ()  # a deferred team's fluid constraints (simsvc.staffing.backlog)
    work: Buckets | None = None  # a deferred team's work by arrival time (its fluid prediction)


@dataclass(frozen=True)
class TeamInput:
    """A front-line team to staff: its candidate patterns and levels."""

    name: str
    patterns: list[Pattern]
    coverage: np.ndarray  # (patterns, cells)
    levels: list[LevelInput]
    arrivals: np.ndarray  # expected arrivals per cell (for day-scope weighting)


@dataclass(frozen=True)
class PoolInput:
    """Teams that share contacts (:mod:`simsvc.staffing.pooling`): one level for all, the pool's KPIs."""

    teams: tuple[str, ...]
    needs: dict[int, PoolNeeds]  # per level


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
    pools: tuple[PoolInput, ...] = ()

    def same_level(self, levels: dict[str, int]) -> bool:
        """Whether every pool's teams have one level in ``levels``."""
        return all(len({levels[n] for n in p.teams}) == 1 for p in self.pools)


@dataclass
class Variables:
    """One model's decision variables."""

    staff: list[pulp.LpVariable] = field(default_factory=list)
    people: pulp.LpVariable | None = None
    more: dict[tuple[int, int], pulp.LpVariable] = field(default_factory=dict)


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
        costs.append(pattern_cost(p, lv.wage_per_minute) * x)
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
    for row in lv.backlog:  # deferred work: enough to do a window's work in its best cell
        best = float(row.weight.max()) if len(row.weight) else 0.0
        if best > 0:
            largest[row.cells] = np.maximum(largest[row.cells], np.ceil(row.work / best))
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
    for row in team.levels[li].backlog:  # deferred work: each window's work done by its deadline
        prob += (
            pulp.lpSum(float(w) * _on_duty(v, team, int(c)) for c, w in zip(row.cells, row.weight, strict=True))
            >= row.work,
            f"backlog_{tag}_c{row.first}_to_c{row.last}",
        )


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


@dataclass(frozen=True)
class _Solved:
    """One team at one level, solved: its front-line cost, lower bound and staffing."""

    level: int
    objective: float
    bound: float
    info: SolveInfo
    staff: list[int]
    on_duty: np.ndarray
    predicted: dict[int, Prediction]


def _solve_level(
    inp: ModelInput, k: int, li: int, prob: pulp.LpProblem, v: Variables, solver, time_limit, gap, cutoff=None
):
    team, lv = inp.teams[k], inp.teams[k].levels[li]
    info = solve(prob, solver, time_limit, gap, cutoff=cutoff)
    x = [round(var.value() or 0.0) for var in v.staff]
    duty = np.asarray(x, dtype=float) @ team.coverage if team.patterns else np.zeros(team.coverage.shape[1])
    predicted = {cell: lv.cells.demand.predict(cell, int(np.floor(duty[cell] + 1e-9))) for cell in lv.cells.options}
    bound = info.bound if info.bound is not None else info.objective
    return _Solved(lv.level, info.objective, bound, info, x, duty, predicted)


def _solution(inp: ModelInput, combo: tuple[_Solved, ...]) -> Solution:
    names = [t.name for t in inp.teams]
    predicted = {n: c.predicted for n, c in zip(names, combo, strict=True)}
    on_duty = {n: c.on_duty for n, c in zip(names, combo, strict=True)}
    levels = {n: c.level for n, c in zip(names, combo, strict=True)}
    for pool in inp.pools:  # a pool's teams share its KPIs, at all its staff on the floor
        needs = pool.needs[levels[pool.teams[0]]]
        serving = sum(inp.teams[names.index(n)].levels[0].cells.demand.on_floor(on_duty[n]) for n in pool.teams)
        shared = {cell: needs.whole.predict(cell, int(serving[cell])) for cell in predicted[pool.teams[0]]}
        for n in pool.teams:
            predicted[n] = {c: dataclasses.replace(p, staff=int(np.floor(on_duty[n][c] + 1e-9)))
                            for c, p in shared.items()}  # fmt: skip
    return Solution(levels, {n: c.staff for n, c in zip(names, combo, strict=True)}, predicted, on_duty)


def solve_staffing(
    inp: ModelInput,
    solver: SolverName,
    time_limit: float,
    gap: float,
    total_cost: Callable[[Solution], float] | None = None,
    per_dissatisfied: float = 0.0,
) -> tuple[Solution, SolveInfo]:
    """The allowed level per team, and its staff, of least total cost; one :class:`SolveInfo` for all the solves.

    Each team's staffing at each level is its own MILP (front-line wages and training). The
    levels are then chosen on ``total_cost`` of the whole plan (``None``: the sum of the
    front-line costs): every combination of the teams' solved levels is costed, so a level
    whose front line costs more but whose customers complain less can win once the complaint
    desk is counted. A level is solved as a MILP only if it can still win: its linear
    relaxation plus the other teams' lowest bounds is a lower bound on any plan with it (the
    total includes the front-line cost), plus ``per_dissatisfied`` (the least the plan pays
    beyond the front line per dissatisfied customer: complaint desk and handling) times the
    fewest customers the level can leave dissatisfied; a level whose bound reaches the best
    total found is pruned. Each team's level of cheapest relaxation gives the first plan; the
    other levels are tried in the order of their bounds.

    The reported gap is the chosen levels' MILPs' (their front-line cost against their bounds):
    the level choice itself is exact to the same relative ``gap`` (a level is pruned when its
    bound is within ``gap`` of the best total: no MILP solved to that gap could prove it cheaper).

    Raises:
        simsvc.InfeasibleError: when the cheapest plan exceeds the budget, or no level of a team
            has a solution.
    """
    n_teams = len(inp.teams)
    relaxed: list[dict[int, tuple[float, pulp.LpProblem, Variables]]] = []
    seconds = 0.0
    for k in range(n_teams):
        options = {}
        for li, lv in enumerate(inp.teams[k].levels):
            if lv.cells.shortfalls:  # some cell's targets are out of reach at this level
                continue
            prob, v = build_model(inp, k, li)
            try:
                lp = solve(prob, solver, time_limit, gap, relax=True)
            except InfeasibleError:
                continue  # e.g. max_headcount too low at this level
            seconds += lp.seconds
            options[li] = (lp.objective, prob, v)
        relaxed.append(options)
    beyond = [[per_dissatisfied * lv.fewest_dissatisfied for lv in team.levels] for team in inp.teams]
    lower = [{li: o[0] + beyond[k][li] for li, o in options.items()} for k, options in enumerate(relaxed)]
    solved: list[dict[int, _Solved]] = [{} for _ in range(n_teams)]

    def attempt(k: int, li: int, cutoff: float | None = None) -> bool:
        nonlocal seconds
        _, prob, v = relaxed[k][li]
        try:
            done = _solve_level(inp, k, li, prob, v, solver, time_limit, gap, cutoff)
        except InfeasibleError:
            del lower[k][li]
            return False
        seconds += done.info.seconds
        solved[k][li], lower[k][li] = done, done.bound + beyond[k][li]
        return True

    def total(combo: tuple[_Solved, ...]) -> float:
        front = sum(c.objective for c in combo)
        return front if total_cost is None else total_cost(_solution(inp, combo))

    names = [t.name for t in inp.teams]
    for pool in inp.pools:  # a first plan: a pool's teams at the level of their cheapest relaxations together
        members = [names.index(n) for n in pool.teams]
        common = set.intersection(*(set(relaxed[k]) for k in members))
        for li in sorted(common, key=lambda li: sum(relaxed[k][li][0] for k in members)):
            if all([attempt(k, li) for k in members]):  # a list, not a generator: every member is solved
                break
    for k in range(n_teams):  # a team alone: its level of cheapest relaxation
        for li in sorted(relaxed[k], key=lambda li: relaxed[k][li][0]):
            if solved[k] or attempt(k, li):
                break
        if not solved[k]:
            raise InfeasibleError(
                f"team {inp.teams[k].name!r}: no allowed training level has a plan within the bounds "
                "(max_staff, max_headcount)",
                target="bounds",
            )
    firsts = [solved[k].values() for k in range(n_teams)]
    best = next(
        (c for c in itertools.product(*firsts) if inp.same_level({n: x.level for n, x in zip(names, c, strict=True)})),
        None,
    )
    if best is None:
        raise InfeasibleError(
            "teams sharing contacts have no common training level with a plan within the bounds "
            "(max_staff, max_headcount)",
            target="bounds",
        )
    best_total = total(best)
    queue = sorted((lower[k][li], k, li) for k in range(n_teams) for li in relaxed[k] if li not in solved[k])
    for bound, k, li in queue:
        others = sum(min(lower[j].values()) for j in range(n_teams) if j != k)
        tolerance = 1e-9 * max(1.0, abs(best_total))
        if bound + others >= best_total * (1.0 - gap) - tolerance:
            # No plan with this level can cost less than the best found by more than the
            # relative gap every MILP is solved to: the level choice is exact to that gap.
            continue
        # Only a front line cheaper than this can make a plan with this level win: the MILP
        # prunes the rest (and is infeasible, so skipped, when nothing cheaper exists).
        if not attempt(k, li, cutoff=best_total - others - beyond[k][li] + tolerance):
            continue
        for pool in inp.pools:  # the teams sharing contacts with k need this level too
            if names[k] in pool.teams:
                for j in (names.index(n) for n in pool.teams):
                    if li in relaxed[j] and li in lower[j] and li not in solved[j]:
                        attempt(j, li)
        pools = [[solved[k][li]] if j == k else list(solved[j].values()) for j in range(n_teams)]
        for combo in itertools.product(*pools):
            if not inp.same_level({n: x.level for n, x in zip(names, combo, strict=True)}):
                continue
            value = total(combo)
            if value < best_total - 1e-9 * max(1.0, abs(best_total)):
                best, best_total = combo, value
    if inp.budget is not None and best_total > inp.budget + 1e-6:
        raise InfeasibleError(
            f"the cheapest plan meeting the targets costs {best_total:,.2f} over the horizon, more than the budget "
            f"({inp.budget:,.2f}: budget_per_day × days)",
            target="budget",
            best=best_total,
        )
    objective = sum(c.objective for c in best)
    bound_sum = sum(c.bound for c in best)
    bounds_known = all(c.info.bound is not None for c in best)
    all_optimal = all(c.info.optimal for c in best)
    plan_gap = max(0.0, (objective - bound_sum) / objective) if bounds_known and objective > 0 else None
    status = "Optimal" if all_optimal else STOPPED
    info = SolveInfo(solver, status, objective, plan_gap, seconds, all_optimal, bound_sum if bounds_known else None)
    return _solution(inp, best), info
