"""The rostering MILP (PuLP, solved by HiGHS through :func:`simsvc.staffing.solver.solve`).

Variables: ``x[p,t,s]`` binary, person ``p`` works shift ``s`` on day ``t`` (only where
:func:`~simsvc.roster.rules.allowed`); ``z`` (consecutive days off) and ``y`` (start band)
binaries per person and week. The rules of :mod:`simsvc.roster.rules` are constraints; four
of them are elastic, with a slack variable priced at :data:`PENALTY` per unit, so that a
roster whose rules cannot all hold still solves and the non-zero slacks say which rule
gives, on which day or week, by how much: cover (people short on a shift), days off, and
the weekly hours above the maximum or below the minimum. Objective: wages of the shifts
worked, plus each unmet preference's weight, plus the slacks' penalties, plus a small
fixed tie-break (:data:`TIE_BREAK`). Rosters of several weeks are solved week by week
(:func:`solve_roster`).
"""

from __future__ import annotations

import itertools
import time
import zlib
from dataclasses import dataclass, field

import pulp

from simsvc.errors import InfeasibleError
from simsvc.roster.people import RosterSpec
from simsvc.roster.plan_shifts import RosterDemand
from simsvc.roster.rules import allowed, band_starts, in_band, rest_conflicts, weekday, weeks, wish_cost
from simsvc.staffing.solver import STOPPED, SolveInfo, SolverName, solve

__all__ = ["PENALTY", "Roster", "RuleBreach", "build_roster_model", "solve_roster"]

PENALTY = 10_000.0
"""Cost of one unit of a rule's slack (a person short, a day off missing, 1/8 of it per hour)."""
HOUR_PENALTY = PENALTY / 8.0
TIE_BREAK = 0.1
"""Most cost added to one shift worked, different for each person, day and shift (:func:`_tie`)."""


def _tie(person: str, day: int, label: str) -> float:
    """A fixed pseudo-random share in [0, 1) for a person, day and shift.

    Without it people on one contract are interchangeable, the LP optimum is a fractional
    average over them, and HiGHS's heuristics take far longer to find integer rosters
    (``benchmarks/roster.py``, one week of 80 people: 23,000 LP iterations instead of
    51,000). It changes the optimum's cost by at most ``TIE_BREAK`` a shift; it is not part
    of :attr:`Roster.cost`.
    """
    return (zlib.crc32(f"{person}\x00{day}\x00{label}".encode()) % 10_000) / 10_000


@dataclass(frozen=True)
class RuleBreach:
    """A rule that could not hold: which, for whom, on which day (or week), by how much."""

    rule: str  # "cover", "days_off", "max_hours", "min_hours"
    where: str  # "day 3 (Wed) 09:00-17:00 team agents" or "P001 week 2 (days 8-14)"
    amount: float
    unit: str

    def sentence(self) -> str:
        """``"cover: day 3 (Wed) shift 09:00-17:00 of team agents: 2 people short"``."""
        return f"{self.rule}: {self.where}: {self.amount:g} {self.unit}"


@dataclass
class Roster:
    """Who works which shift on which day, with its cost and any rule that gave."""

    demand: RosterDemand
    spec: RosterSpec
    assign: dict[tuple[int, int], int]  # (person, day) -> shift index
    wages: float
    wishes: float  # cost of unmet preferences
    breaches: list[RuleBreach] = field(default_factory=list)
    solve: SolveInfo | None = None

    @property
    def cost(self) -> float:
        """Wages plus unmet preferences (the objective without penalties)."""
        return self.wages + self.wishes


@dataclass
class _Vars:
    x: dict[tuple[int, int, int], pulp.LpVariable] = field(default_factory=dict)
    short: dict[tuple[int, int], pulp.LpVariable] = field(default_factory=dict)
    off: dict[tuple[int, int], pulp.LpVariable] = field(default_factory=dict)
    over: dict[tuple[int, int], pulp.LpVariable] = field(default_factory=dict)
    under: dict[tuple[int, int], pulp.LpVariable] = field(default_factory=dict)


def _week_label(person: str, w: int, days: range) -> str:
    return f"{person} week {w + 1} (days {days[0] + 1}-{days[-1] + 1})"


def build_roster_model(
    demand: RosterDemand,
    spec: RosterSpec,
    days: range | None = None,
    before: dict[int, int] | None = None,
    cyclic: bool = False,
    tie_break: float = TIE_BREAK,
) -> tuple[pulp.LpProblem, _Vars]:
    """The MILP (not yet solved) and its variables, over whole weeks ``days`` (default: the whole roster).

    ``before``: person -> the shift they work the day before ``days`` starts (its rest rule holds).
    ``cyclic``: the rest rule also holds from the last day to the first, so the days may repeat.
    ``tie_break``: see :data:`TIE_BREAK` (0: the objective is exactly cost and penalties).
    """
    days = range(demand.days) if days is None else days
    before = before or {}
    prob = pulp.LpProblem("roster", pulp.LpMinimize)
    v = _Vars()
    shifts = demand.shifts
    cost = []
    for p, person in enumerate(spec.people):
        c = spec.contract(person.contract)
        too_soon = set(rest_conflicts(shifts, c)[before[p]]) if p in before else set()
        for t in days:
            for s, sh in enumerate(shifts):
                if t == days[0] and s in too_soon:
                    continue
                if demand.required(t, s) > 0 and allowed(person, t, sh):  # only the day's shifts of the plan
                    x = v.x[p, t, s] = prob.add_variable(f"x_p{p}_d{t}_s{s}", cat="Binary")
                    price = c.wage_per_hour * sh.paid_hours + wish_cost(person, t, sh)
                    cost.append((price + tie_break * _tie(person.name, t, sh.label)) * x)
    for t in days:
        for s in range(len(shifts)):
            need = demand.required(t, s)
            if need > 0:
                short = v.short[t, s] = prob.add_variable(f"short_d{t}_s{s}", lowBound=0, upBound=need)
                worked = [v.x[p, t, s] for p in range(len(spec.people)) if (p, t, s) in v.x]
                prob += pulp.lpSum(worked) + short >= need, f"cover_d{t}_s{s}"
                cost.append(PENALTY * short)
    for p in range(len(spec.people)):
        _person_rules(prob, v, demand, spec, p, days, cyclic, cost)
    prob += pulp.lpSum(cost), "cost"
    return prob, v


def _person_rules(
    prob: pulp.LpProblem,
    v: _Vars,
    demand: RosterDemand,
    spec: RosterSpec,
    p: int,
    days: range,
    cyclic: bool,
    cost: list,
) -> None:
    person = spec.people[p]
    c = spec.contract(person.contract)
    shifts, n = demand.shifts, len(demand.shifts)

    def on(t: int) -> list[pulp.LpVariable]:
        return [v.x[p, t, s] for s in range(n) if (p, t, s) in v.x]

    for t in days:
        if len(on(t)) > 1:
            prob += pulp.lpSum(on(t)) <= 1, f"one_shift_p{p}_d{t}"
    conflicts = rest_conflicts(shifts, c)
    follows = list(itertools.pairwise(days)) + ([(days[-1], days[0])] if cyclic and len(days) > 1 else [])
    for t, u in follows:
        for s, later in conflicts.items():
            nxt = [v.x[p, u, s2] for s2 in later if (p, u, s2) in v.x]
            if (p, t, s) in v.x and nxt:
                prob += v.x[p, t, s] + pulp.lpSum(nxt) <= 1, f"rest_p{p}_d{t}_s{s}"
    bands = [] if c.start_band_minutes is None else band_starts(shifts, c.start_band_minutes)
    for w, week in enumerate(weeks(demand.days)):
        if week[0] not in days:
            continue
        worked = [x for t in week for x in on(t)]
        if not worked:
            continue
        most_days = max(0, len(week) - c.min_days_off_per_week)
        if most_days < len(week):
            off = v.off[p, w] = prob.add_variable(f"off_short_p{p}_w{w}", lowBound=0)
            prob += pulp.lpSum(worked) <= most_days + off, f"days_off_p{p}_w{w}"
            cost.append(PENALTY * off)
        hours = pulp.lpSum(shifts[s].paid_hours * v.x[p, t, s] for t in week for s in range(n) if (p, t, s) in v.x)
        over = v.over[p, w] = prob.add_variable(f"over_hours_p{p}_w{w}", lowBound=0)
        prob += hours <= c.max_hours_per_week + over, f"max_hours_p{p}_w{w}"
        cost.append(HOUR_PENALTY * over)
        if c.min_hours_per_week > 0:
            under = v.under[p, w] = prob.add_variable(f"under_hours_p{p}_w{w}", lowBound=0)
            prob += hours + under >= c.min_hours_per_week, f"min_hours_p{p}_w{w}"
            cost.append(HOUR_PENALTY * under)
        if c.consecutive_days_off and len(week) >= 2:
            pairs = []
            for k in range(len(week) - 1):
                z = prob.add_variable(f"pair_off_p{p}_w{w}_k{k}", cat="Binary")
                prob += z + pulp.lpSum(on(week[k])) <= 1, f"pair_a_p{p}_w{w}_k{k}"
                prob += z + pulp.lpSum(on(week[k + 1])) <= 1, f"pair_b_p{p}_w{w}_k{k}"
                pairs.append(z)
            prob += pulp.lpSum(pairs) >= 1, f"consecutive_off_p{p}_w{w}"
        if c.start_band_minutes is not None:
            width = c.start_band_minutes
            y = [prob.add_variable(f"band_p{p}_w{w}_b{b}", cat="Binary") for b in range(len(bands))]
            prob += pulp.lpSum(y) <= 1, f"one_band_p{p}_w{w}"
            for t in week:
                for start in sorted({sh.start for sh in shifts}):  # every start, in a band or not
                    here = [v.x[p, t, s] for s in range(n) if (p, t, s) in v.x and shifts[s].start == start]
                    if here:
                        fits = [y[b] for b, band in enumerate(bands) if in_band(start, band, width)]
                        prob += pulp.lpSum(here) <= pulp.lpSum(fits), f"band_p{p}_d{t}_{int(start)}"


def solve_roster(
    demand: RosterDemand,
    spec: RosterSpec,
    solver: SolverName = "highs",
    time_limit: float = 60.0,
    gap: float = 0.01,
    by_week: bool = True,
    tie_break: float = TIE_BREAK,
) -> Roster:
    """The least-cost roster of ``spec``'s people for ``demand``; rules that gave are in ``breaches``.

    A roster of more than a week is solved week by week (``by_week``): the first week as a
    cycle (its rest rule also from its last day to its first), the later ones as that week
    repeated and re-solved around the days where it breaks (:func:`_repeat_week`); the whole
    roster's linear relaxation bounds the cost from below, so the gap reported is the whole
    roster's. One model of all weeks has the same optimum but takes HiGHS about four times
    as long (``benchmarks/roster.py``: 90 s against 22 s). ``time_limit`` is for the whole solve.
    """
    if not by_week or demand.days <= 7:
        prob, v = build_roster_model(demand, spec, tie_break=tie_break)
        return _extract(demand, spec, [v], solve(prob, solver=solver, time_limit=time_limit, gap=gap))
    begin = time.perf_counter()

    def left(share: float = 1.0) -> float:
        return max(1.0, share * (time_limit - (time.perf_counter() - begin)))

    all_weeks = weeks(demand.days)
    prob, v = build_roster_model(demand, spec, all_weeks[0], cyclic=True, tie_break=tie_break)
    info = solve(prob, solver=solver, time_limit=left(0.6), gap=gap / 2)
    pattern = {(p, t, s) for (p, t, s), x in v.x.items() if (x.value() or 0.0) > 0.5}  # days 0-6
    parts, objective, statuses = [v], info.objective, {info.status}
    for week in all_weeks[1:]:
        before = {p: s for (p, t, s), x in parts[-1].x.items() if t == week[0] - 1 and (x.value() or 0.0) > 0.5}
        v, info = _repeat_week(demand, spec, pattern, week, before, solver, left(0.3), gap, tie_break)
        parts.append(v)
        objective += info.objective
        statuses.add(info.status)
    whole, _ = build_roster_model(demand, spec, tie_break=tie_break)
    bound = solve(whole, solver=solver, time_limit=left(), relax=True)
    found = (objective - bound.objective) / max(abs(objective), 1e-9)
    status = STOPPED if STOPPED in statuses else f"Solved week by week ({len(all_weeks)} weeks)"
    info = SolveInfo(solver, status, objective, max(0.0, found), time.perf_counter() - begin, found <= gap + 1e-9,
                     bound.objective)  # fmt: skip
    return _extract(demand, spec, parts, info)


def _repeat_week(
    demand: RosterDemand,
    spec: RosterSpec,
    pattern: set[tuple[int, int, int]],
    week: range,
    before: dict[int, int],
    solver: SolverName,
    time_limit: float,
    gap: float,
    tie_break: float,
) -> tuple[_Vars, SolveInfo]:
    """Week ``week`` as the first week's ``pattern``, re-solved around the days where it no longer holds.

    The pattern fails on a day where someone is unavailable or would not rest after the week
    before; everyone's shifts on those days and the days next to them are chosen again, the
    rest of the week kept. When that leaves a rule giving, three days either side, then the
    whole week; the cheapest solution found is kept.
    """
    prob, v = build_roster_model(demand, spec, week, before, tie_break=tie_break)
    first = week[0]
    broken = set()
    for p, t, s in pattern:
        day = first + t
        if day not in week:
            continue
        if (p, day, s) not in v.x:
            broken.add(day)
        elif day == first and p in before and s in rest_conflicts(demand.shifts, spec.contract(
                spec.people[p].contract))[before[p]]:  # fmt: skip
            broken.add(day)
    best: tuple[_Vars, SolveInfo] | None = None
    begin = time.perf_counter()
    for radius in (1, 3, None):  # the days next to a broken one; then the whole week
        if radius is not None and not broken and best is not None:
            break
        if radius is not None:
            free = {d for b in broken for d in range(b - radius, b + radius + 1)}
            for (p, t, s), x in v.x.items():
                if t not in free:
                    x.lowBound = x.upBound = 1 if (p, t - first, s) in pattern else 0
        try:
            left = max(1.0, time_limit - (time.perf_counter() - begin))
            info = solve(prob, solver=solver, time_limit=left if radius is None else left / 3, gap=gap / 2)
        except InfeasibleError:  # the pattern's fixed shifts leave no way (a start band, a rest)
            info = None
        if info is not None and (best is None or info.objective < best[1].objective):
            best = (v, info)
        if info is not None and not _gave(v):
            break
        prob, v = build_roster_model(demand, spec, week, before, tie_break=tie_break)
    assert best is not None
    return best


def _gave(v: _Vars) -> bool:
    """Whether a solved model's rules gave (a slack is not zero)."""
    return any((x.value() or 0.0) > 1e-6 for table in (v.short, v.off, v.over, v.under) for x in table.values())


def _extract(demand: RosterDemand, spec: RosterSpec, parts: list[_Vars], info: SolveInfo) -> Roster:
    """The roster of a solved model (or of the solved models of its weeks)."""
    assign: dict[tuple[int, int], int] = {}
    wages = wishes = 0.0
    for v in parts:
        for (p, t, s), x in v.x.items():
            if (x.value() or 0.0) > 0.5:
                assign[p, t] = s
                person, sh = spec.people[p], demand.shifts[s]
                wages += spec.contract(person.contract).wage_per_hour * sh.paid_hours
                wishes += wish_cost(person, t, sh)
    breaches = [b for v in parts for b in _breaches(demand, spec, v)]
    return Roster(demand, spec, assign, wages, wishes, breaches, info)


def _breaches(demand: RosterDemand, spec: RosterSpec, v: _Vars) -> list[RuleBreach]:
    out = []
    for (t, s), var in v.short.items():
        if (var.value() or 0.0) > 1e-6:
            sh = demand.shifts[s]
            where = f"day {t + 1} ({weekday(t)}) shift {sh.label} of team {sh.team}"
            out.append(RuleBreach("cover", where, round(var.value(), 3), "people short"))
    all_weeks = weeks(demand.days)
    for rule, table, unit in (("days_off", v.off, "day(s) off missing"), ("max_hours", v.over, "hours over"),
                              ("min_hours", v.under, "hours short")):  # fmt: skip
        for (p, w), var in table.items():
            if (var.value() or 0.0) > 1e-6:
                where = _week_label(spec.people[p].name, w, all_weeks[w])
                out.append(RuleBreach(rule, where, round(var.value(), 3), unit))
    return out
