"""The staffing MILP in PuLP: staff per shift pattern and training level, one level per team.

Variables (per front-line team ``k``):

* ``level[k,l]`` binary: team ``k`` is trained to level ``l`` (exactly one);
* ``staff[k,s,l]`` integer: people working pattern ``s`` at level ``l`` (0 unless ``level[k,l]``);
* ``people[k,l]`` integer: the team's headcount (its busiest day), which training is paid for;
* day scope only, ``more[k,l,c,i]`` in [0, 1]: the ``i``-th person above the cell's least staff.

Constraints are named after what they mean (``cover_<team>_L<level>_c<cell>``,
``day_<target>_d<day>``, ...), so an infeasible or surprising model can be read.
Objective: wages for paid time on the horizon plus amortised training.

A team is not mixed across levels: a queue whose servers work at different speeds is no
longer the Erlang A queue the curves come from.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
import pulp

from simsvc.staffing.curves import Prediction
from simsvc.staffing.patterns import Pattern
from simsvc.staffing.requirements import CellOptions, Targets

__all__ = ["LevelInput", "ModelInput", "Solution", "TeamInput", "build_model", "extract"]


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
    """The model's decision variables, by key."""

    level: dict[tuple[int, int], pulp.LpVariable] = field(default_factory=dict)
    staff: dict[tuple[int, int, int], pulp.LpVariable] = field(default_factory=dict)
    people: dict[tuple[int, int], pulp.LpVariable] = field(default_factory=dict)
    more: dict[tuple[int, int, int, int], pulp.LpVariable] = field(default_factory=dict)


def _pattern_cost(p: Pattern, lv: LevelInput) -> float:
    return p.paid_minutes * lv.wage_per_minute * len(p.days)


def build_model(inp: ModelInput) -> tuple[pulp.LpProblem, Variables]:
    """The MILP for ``inp`` (not yet solved)."""
    prob = pulp.LpProblem("staffing", pulp.LpMinimize)
    v = Variables()
    cost_terms = []
    day_terms: dict[tuple[str, int], list] = {}
    for k, team in enumerate(inp.teams):
        for li, lv in enumerate(team.levels):
            v.level[k, li] = prob.add_variable(f"level_{k}_{lv.level}", cat="Binary")
            bounds = _pattern_bounds(team, lv, inp.max_headcount)
            for s, p in enumerate(team.patterns):
                x = prob.add_variable(f"staff_{k}_{s}_L{lv.level}", lowBound=0, upBound=bounds[s], cat="Integer")
                v.staff[k, s, li] = x
                cost_terms.append(_pattern_cost(p, lv) * x)
            if lv.training_per_person > 0:
                v.people[k, li] = prob.add_variable(f"people_{k}_L{lv.level}", lowBound=0, cat="Integer")
                cost_terms.append(lv.training_per_person * v.people[k, li])
        prob += pulp.lpSum(v.level[k, li] for li in range(len(team.levels))) == 1, f"one_level_{team.name}"
        for li, lv in enumerate(team.levels):
            tag = f"{team.name}_L{lv.level}"
            if lv.cells.shortfalls:  # some cell's targets are out of reach at this level
                prob += v.level[k, li] == 0, f"cannot_meet_{tag}"
            bounds = _pattern_bounds(team, lv, inp.max_headcount)
            for s in range(len(team.patterns)):
                prob += v.staff[k, s, li] <= bounds[s] * v.level[k, li], f"trained_{tag}_s{s}"
            _cover(prob, v, inp, k, li, tag, day_terms)
            _days(prob, v, inp, k, li, tag)
    prob += pulp.lpSum(cost_terms), "total_cost"
    for (name, day), terms in day_terms.items():
        if name == "max_abandonment":
            prob += pulp.lpSum(terms) <= 0, f"day_{name}_d{day}"
        else:
            prob += pulp.lpSum(terms) >= 0, f"day_{name}_d{day}"
    if inp.budget is not None:
        prob += pulp.lpSum(cost_terms) <= inp.budget, "budget"
    return prob, v


def _pattern_bounds(team: TeamInput, lv: LevelInput, max_headcount: int | None) -> list[int]:
    """Most people worth putting on each pattern: the largest staff option of a cell it covers.

    More would leave every cell it covers over-staffed, so a cheaper plan drops one: a valid
    bound that keeps the linear relaxation of ``staff <= bound * level`` tight.
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


def _on_duty(v: Variables, team: TeamInput, k: int, li: int, cell: int):
    rows = np.flatnonzero(team.coverage[:, cell])
    return pulp.lpSum(float(team.coverage[s, cell]) * v.staff[k, s, li] for s in rows)


def _cover(prob, v: Variables, inp: ModelInput, k: int, li: int, tag: str, day_terms) -> None:
    """Staff on duty in every cell reach the requirement (interval) or the least staff plus increments (day)."""
    team = inp.teams[k]
    lv = team.levels[li]
    for cell, options in lv.cells.options.items():
        duty = _on_duty(v, team, k, li, cell)
        if inp.max_staff is not None:
            prob += duty <= inp.max_staff, f"max_staff_{tag}_c{cell}"
        if len(options) == 1:  # always so in interval scope: the cell's requirement
            prob += duty >= options[0].staff * v.level[k, li], f"cover_{tag}_c{cell}"
            if inp.scope == "day":
                _day_terms(day_terms, inp, team, cell, options[0], v.level[k, li])
            continue
        # Day scope: staff n_0 plus increments of one person (0..1 each). Each increment adds
        # its KPI gain; gains diminish (see requirements._diminishing_from, and running minima
        # guard against rounding), so the solver takes them in order and the linear sum is exact
        # at integer staff; no binary per option is needed.
        extra = [
            prob.add_variable(f"more_{k}_L{lv.level}_c{cell}_n{o.staff}", lowBound=0, upBound=1) for o in options[1:]
        ]
        for i, d in enumerate(extra):
            v.more[k, li, cell, i] = d
            prob += d <= v.level[k, li], f"more_{tag}_c{cell}_{i}"
        prob += duty >= options[0].staff * v.level[k, li] + pulp.lpSum(extra), f"cover_{tag}_c{cell}"
        _day_terms(day_terms, inp, team, cell, options[0], v.level[k, li])
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


def _day_terms(day_terms, inp: ModelInput, team: TeamInput, cell: int, o: Prediction, var) -> None:
    """Arrival-weighted excess over each target on the cell's day, if ``var`` is chosen."""
    weight = float(team.arrivals[cell])
    if weight <= 0:
        return
    day = cell // inp.cells_per_day
    t = inp.targets
    day_terms.setdefault(("service_level", day), []).append(weight * (o.service_level - t.service_level) * var)
    if t.max_abandonment is not None:
        day_terms.setdefault(("max_abandonment", day), []).append(
            weight * (o.abandonment - t.max_abandonment) * var
        )
    if t.min_satisfied is not None:
        day_terms.setdefault(("min_satisfied", day), []).append(weight * (o.satisfied - t.min_satisfied) * var)


def _days(prob, v: Variables, inp: ModelInput, k: int, li: int, tag: str) -> None:
    """Headcount: the people trained are the busiest day's; the headcount bound."""
    team = inp.teams[k]
    for day in range(inp.days):
        working = [s for s, p in enumerate(team.patterns) if day in p.days]
        if not working:
            continue
        total = pulp.lpSum(v.staff[k, s, li] for s in working)
        if (k, li) in v.people:
            prob += v.people[k, li] >= total, f"people_{tag}_d{day}"
        if inp.max_headcount is not None:
            prob += total <= inp.max_headcount, f"max_headcount_{tag}_d{day}"


@dataclass(frozen=True)
class Solution:
    """The solved plan: a level per team, staff per pattern and the chosen prediction per cell."""

    levels: dict[str, int]
    staff: dict[str, list[int]]  # team -> staff per pattern (the team's chosen level)
    predicted: dict[str, dict[int, Prediction]]  # team -> cell -> prediction at the staff on duty
    on_duty: dict[str, np.ndarray]  # team -> staff on duty per cell


def extract(inp: ModelInput, v: Variables) -> Solution:
    """Read the solution out of the solved variables."""
    levels, staff, predicted, on_duty = {}, {}, {}, {}
    for k, team in enumerate(inp.teams):
        li = max(range(len(team.levels)), key=lambda i: v.level[k, i].value() or 0.0)
        lv = team.levels[li]
        x = [round(v.staff[k, s, li].value() or 0.0) for s in range(len(team.patterns))]
        duty = np.asarray(x, dtype=float) @ team.coverage if team.patterns else np.zeros(team.coverage.shape[1])
        levels[team.name], staff[team.name], on_duty[team.name] = lv.level, x, duty
        predicted[team.name] = {
            cell: lv.cells.demand.predict(cell, int(np.floor(duty[cell] + 1e-9))) for cell in lv.cells.options
        }
    return Solution(levels, staff, predicted, on_duty)
