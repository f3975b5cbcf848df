"""Staffing teams that share contacts: pooled Erlang requirements on every set of teams (Hall's condition).

Teams *share* a contact type when it may go to any of them: a class served by several teams
(``serves`` lists, skill mappings), a journey step with a pool of stations. Such teams form a
**pool** (a connected group). Splitting the shared work evenly and staffing each team alone
(what the curves do for a lone team) ignores the pooling gain and who may help whom; instead,
for every set ``T`` of a pool's teams, the contacts that only ``T`` may serve (streams whose
teams all lie in ``T``) need, on the floor of ``T`` together, at least the staff that one
team serving them all would need to meet the targets (the same Erlang A curves,
:func:`~simsvc.staffing.curves.demand_of`). These are Hall's conditions for the flow of work
to the teams, each with a pooled requirement: an optimistic approximation in the spirit of
Wallace and Whitt (2005), who found that with a little cross-training a multi-skill centre
performs almost as one pool. Routing priorities and the extra delay of a contact waiting for
the one team that holds its skill are what it leaves out; the optimizer's simulate-and-correct
rounds add staff where the simulation of the real routing falls short.

Each interval's least-cost staff per team meeting every set's requirement is then one small
integer programme (:func:`allocate`); those become the teams' requirements for the shift
model. A pool's teams take one training level (the requirement of mixed speeds is not one
Erlang curve), and its predicted KPIs are the whole pool's at its staff on the floor.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pulp

from simsvc.errors import InfeasibleError
from simsvc.scenario.journeys import is_self_service
from simsvc.scenario.models import Scenario
from simsvc.staffing.curves import TeamDemand, class_rates, demand_of
from simsvc.staffing.perception import wait_judgements
from simsvc.staffing.requirements import Shortfall, Targets, cell_options
from simsvc.staffing.solver import SolverName, solve

__all__ = ["ALL_SETS_UP_TO", "Pool", "PoolNeeds", "Stream", "allocate", "pool_needs", "pools", "streams"]

ALL_SETS_UP_TO = 10
"""Pools of up to this many teams get a requirement on every set of teams; larger ones on each
team's own closure and the whole pool only (2^n sets would be too many)."""
TIE_BREAK = 1e-3
"""Cost, per person a team is off its share of the pool's first-choice work, relative to a person's."""
ORDER = 1e-6
"""Cost per person and place in the file, relative to a person's: ties go to the earlier team, always."""


@dataclass(frozen=True)
class Stream:
    """Work of one class at one step: the teams that may serve it, its visits per arrival, means."""

    klass: int
    teams: frozenset[int]  # indices in scenario.teams
    visits: float
    need: float  # mean service time at speed 1 (minutes)
    theta: float  # 1 / mean patience (0: waits)


def streams(scenario: Scenario) -> list[Stream]:
    """Every class's staffed live work: a pool step is one stream for all its stations, a chosen station each its own.

    Self-service stations have no staff, and deferred work is planned by its backlog: neither is a stream.
    """
    out = []
    for journey in scenario.journeys:
        visits = journey.visits()
        for s, step in enumerate(journey.steps):
            if all(is_self_service(scenario.teams[t]) for t in step.stations) or visits[s] <= 0:
                continue
            if any(scenario.teams[t].deferred is not None for t in step.stations):
                continue  # deferred work is planned by its backlog (simsvc.staffing.backlog), not by Erlang
            need = step.service_time.mean
            theta = 0.0 if step.patience is None else 1.0 / step.patience.mean
            if step.weights is None:
                out.append(Stream(journey.klass, frozenset(step.stations), float(visits[s]), need, theta))
            else:
                out += [Stream(journey.klass, frozenset([t]), float(visits[s] * w), need, theta)
                        for t, w in zip(step.stations, step.weights, strict=True) if w > 0]  # fmt: skip
    return out


@dataclass(frozen=True)
class Pool:
    """Teams joined by shared contacts, and the sets of them that carry a requirement."""

    teams: tuple[int, ...]  # indices in scenario.teams, in scenario order
    sets: tuple[tuple[tuple[int, ...], tuple[Stream, ...]], ...]  # (team set, the streams only it may serve)

    @property
    def whole(self) -> int:
        """The index in :attr:`sets` of the whole pool (never dominated: leaving a team out leaves out its streams)."""
        return [teams for teams, _ in self.sets].index(self.teams)


def pools(scenario: Scenario) -> list[Pool]:
    """The pools of teams that share a contact type (teams alone are not pools), in scenario order."""
    work = streams(scenario)
    group = list(range(len(scenario.teams)))

    def root(t: int) -> int:
        while group[t] != t:
            group[t] = group[group[t]]
            t = group[t]
        return t

    for st in work:
        first, *rest = sorted(st.teams)
        for t in rest:
            group[root(t)] = root(first)
    members: dict[int, list[int]] = {}
    for t in range(len(scenario.teams)):
        members.setdefault(root(t), []).append(t)
    out = []
    for teams in members.values():
        if len(teams) > 1:
            mine = [st for st in work if st.teams <= set(teams)]
            out.append(Pool(tuple(teams), _hall_sets(tuple(teams), mine)))
    return sorted(out, key=lambda p: p.teams)


def _hall_sets(teams: tuple[int, ...], work: list[Stream]) -> tuple:
    """The team sets whose confined work is not already confined to a smaller set (those bind harder)."""
    if len(teams) <= ALL_SETS_UP_TO:
        candidates = [c for r in range(1, len(teams) + 1) for c in itertools.combinations(teams, r)]
    else:  # each team's own closure (the teams of the streams it alone could start from) and the whole pool
        candidates = [tuple(sorted(set().union(*(st.teams for st in work if t in st.teams)))) for t in teams]
        candidates.append(teams)
    # The whole pool is never dominated: leaving out any team leaves out the streams it serves.
    confined = {c: tuple(st for st in work if st.teams <= set(c)) for c in candidates}
    out = []
    for c in dict.fromkeys(candidates):
        mine = confined[c]
        if not mine:
            continue
        # Dominated: a set one team smaller confines the same work (it needs as much with fewer teams).
        if any(confined.get(tuple(x for x in c if x != t)) == mine for t in c if len(c) > 1):
            continue
        out.append((c, mine))
    return tuple(out)


def _set_demand(scenario: Scenario, teams: tuple[int, ...], work: tuple[Stream, ...], level: int, seed: int):
    """One team's worth of demand for the streams ``work``, served by the agents of ``teams`` at ``level``."""
    k = len(scenario.customer_classes)
    visits, need, theta = np.zeros(k), np.zeros(k), np.zeros(k)
    for st in work:
        visits[st.klass] += st.visits
        need[st.klass] += st.visits * st.need
        theta[st.klass] += st.visits * st.theta
    with np.errstate(invalid="ignore", divide="ignore"):
        need, theta = np.where(visits > 0, need / visits, 0.0), np.where(visits > 0, theta / visits, 0.0)
    judgements = None
    if scenario.quality.enabled:  # each class judged as at the first team of the set that serves it
        judgements = [None] * k
        for t in teams:
            for j, x in enumerate(wait_judgements(scenario, scenario.teams[t], level, seed)):
                if judgements[j] is None and visits[j] > 0:
                    judgements[j] = x
    lead = scenario.teams[teams[0]]  # its level's speed and its concurrency; shrinkage is per team (allocate)
    return demand_of(scenario, lead, level, visits, need, theta, judgements, shrinkage=False)


@dataclass(frozen=True)
class PoolNeeds:
    """A pool at one level: each set's least staff on the floor per cell, and the whole pool's demand."""

    pool: Pool
    level: int
    required: tuple[dict[int, int], ...]  # per set of pool.sets: cell -> agents on the floor
    whole: TeamDemand  # every stream of the pool, as one team (its predicted KPIs)
    shortfalls: tuple[Shortfall, ...]
    shares: dict[int, float]  # per team: its share of the work it is a first choice for (best skill priority)


def pool_needs(
    scenario: Scenario, pool: Pool, level: int, seed: int, targets: Targets, max_occupancy: float | None
) -> PoolNeeds:
    """Each of ``pool``'s sets' requirement at ``level``: the least staff meeting the targets as one team."""
    required, shortfalls = [], []
    for teams, work in pool.sets:
        demand = _set_demand(scenario, teams, work, level, seed)
        cells = cell_options(demand, targets, "interval", 0, None, None, max_occupancy)
        required.append(cells.required)
        names = "+".join(scenario.teams[t].name for t in teams)
        shortfalls += [Shortfall(names, s.level, s.cell, s.target, s.goal, s.best, s.staff) for s in cells.shortfalls]
    every = tuple(dict.fromkeys(st for _, work in pool.sets for st in work))
    whole = _set_demand(scenario, pool.teams, every, level, seed)
    return PoolNeeds(pool, level, tuple(required), whole, tuple(shortfalls), _first_choice(scenario, pool, every))


def _first_choice(scenario: Scenario, pool: Pool, work: tuple[Stream, ...]) -> dict[int, float]:
    """Each team's share of the pool's work (arrivals x visits x service) among the teams at its best skill priority.

    A class without a journey ranks its teams by their skill priorities (``serves`` mappings); a
    journey's pool step by none (all first).
    """
    arrivals = class_rates(scenario).sum(axis=0)
    load = dict.fromkeys(pool.teams, 0.0)
    for st in work:
        cls = scenario.customer_classes[st.klass]
        rank = {t: scenario.teams[t].skills.get(cls.name, 0) if cls.journey is None else 0 for t in st.teams}
        best = [t for t in st.teams if rank[t] == min(rank.values())]
        for t in best:
            load[t] += arrivals[st.klass] * st.visits * st.need / len(best)
    total = sum(load.values())
    return {t: (v / total if total > 0 else 1.0 / len(load)) for t, v in load.items()}


def allocate(
    needs: PoolNeeds,
    team_demand: dict[int, TeamDemand],
    lowest: dict[int, dict[int, int]],
    extra: dict[int, int],
    max_staff: int | None,
    solver: SolverName,
    time_limit: float,
    label: Callable[[int], str] = str,
) -> dict[int, dict[int, int]]:
    """The least staff per team and cell (rostered) meeting every set's requirement on the floor.

    ``team_demand`` gives each team's shrinkage (on the floor of ``n`` rostered: its
    :meth:`~simsvc.staffing.curves.TeamDemand.serving`, modelled exactly with an integer
    ``floor`` variable); ``lowest`` each team's least staff per cell (``min_staff``); ``extra``
    the staff that earlier correction rounds added on every set's floor, per cell. People cost
    alike (a pool has one level); among plans of least staff, each team's is nearest its share of
    the work for which it is a first choice (:attr:`PoolNeeds.shares`): the sales desk gets the
    sales calls' staff, not whoever comes first in the file.
    """
    pool = needs.pool
    cells = sorted(needs.required[0]) if needs.required else []
    out: dict[int, dict[int, int]] = {t: {} for t in pool.teams}
    for c in cells:  # intervals are independent: one small model each (HiGHS proves each at once)
        prob = pulp.LpProblem(f"pool_{'_'.join(map(str, pool.teams))}_c{c}", pulp.LpMinimize)
        rostered: dict[int, pulp.LpVariable] = {}
        serving = {}
        cost = []
        for rank, t in enumerate(pool.teams):
            n = prob.add_variable(f"n_t{t}", lowBound=lowest.get(t, {}).get(c, 0), upBound=max_staff, cat="Integer")
            rostered[t] = n
            cost.append((1.0 + ORDER * rank) * n)  # an odd person goes to the same team in every interval
            d = team_demand[t]
            if d.shrinkage is None:
                serving[t] = n
            else:  # on the floor: the largest whole number at most n (1 - shrinkage)
                f = prob.add_variable(f"floor_t{t}", lowBound=0, cat="Integer")
                prob += f <= (1.0 - float(d.shrinkage[c])) * n + 1e-9, f"floor_t{t}"
                serving[t] = f
        for i, (teams, _) in enumerate(pool.sets):
            need = needs.required[i].get(c, 0) + extra.get(c, 0)
            prob += pulp.lpSum(serving[t] for t in teams) >= need, f"set{i}"
        # Among plans of equal cost: each team near its share of the pool's first-choice work.
        total = pulp.lpSum(rostered.values())
        for t, share in needs.shares.items():
            off = prob.add_variable(f"off_t{t}", lowBound=0)
            prob += off >= rostered[t] - share * total, f"over_t{t}"
            prob += off >= share * total - rostered[t], f"under_t{t}"
            cost.append(TIE_BREAK * off)
        prob += pulp.lpSum(cost), "staff"
        try:
            solve(prob, solver, time_limit, 0.0)
        except InfeasibleError:
            raise _beyond_bounds(needs, team_demand, extra, max_staff, label) from None
        for t in pool.teams:
            out[t][c] = round(rostered[t].value() or 0.0)
    return out


def _beyond_bounds(needs: PoolNeeds, team_demand, extra, max_staff: int | None, label) -> InfeasibleError:
    """Why a pool's allocation has no solution: a set needing more on its floor than ``max_staff`` each allows."""
    for i, (teams, _) in enumerate(needs.pool.sets):
        for c, need in sorted(needs.required[i].items()):
            need += extra.get(c, 0)
            most = sum(team_demand[t].serving(c, max_staff) for t in teams) if max_staff is not None else None
            if most is not None and need > most:
                who = ", ".join(repr(team_demand[t].team) for t in teams)
                added = f", {extra[c]} of them added by correction rounds after the simulation" if extra.get(c) else ""
                return InfeasibleError(
                    f"teams {who} need {need} on the floor together at {label(c)} to meet the targets on the "
                    f"contacts only they may serve{added}, more than max_staff ({max_staff} each) allows ({most})",
                    target="bounds",
                    periods=[label(c)],
                    best=float(most),
                )
    who = ", ".join(repr(d.team) for d in team_demand.values())
    return InfeasibleError(f"teams sharing contacts ({who}) have no staffing within the bounds", target="bounds")
