"""From a scenario to the model's input: demand per team and level, requirements, patterns, costs.

Also where a target that no allowed staffing can reach is diagnosed: when every allowed
training level of a team falls short in some intervals, :class:`~simsvc.InfeasibleError`
names the target, the intervals and the best value reachable there.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from simsvc.errors import InfeasibleError, ScenarioError
from simsvc.scenario.journeys import is_self_service, station_visits
from simsvc.scenario.models import Scenario, Team
from simsvc.staffing.backlog import Buckets, backlog_rows, buckets, reachable_share
from simsvc.staffing.curves import TeamDemand, team_demand
from simsvc.staffing.model import LevelInput, ModelInput, PoolInput, TeamInput
from simsvc.staffing.patterns import Pattern, clock
from simsvc.staffing.pooling import PoolNeeds, allocate, pool_needs, pools
from simsvc.staffing.requirements import CellOptions, Shortfall, Targets, cell_options

__all__ = ["DemandCache", "cell_label", "model_input", "pool_key"]

DemandCache = dict[tuple[str, int], "TeamDemand | PoolNeeds"]
"""Team demand per ``(team, level)``, and a pool's needs per ``("pool:<teams>", level)``: the costly
part, the same in every correction round."""

_TARGET_WORDS = {
    "service_level": "service level",
    "max_abandonment": "abandonment",
    "min_satisfied": "satisfied share",
}


def cell_label(scenario: Scenario, cell: int) -> str:
    """``"day 2 10:30"`` (or just ``"10:30"`` for a one-day horizon)."""
    h = scenario.horizon
    day, j = divmod(cell, h.n_intervals)
    time = clock(h.open_minute + j * h.interval_minutes)
    return time if h.days == 1 else f"day {day + 1} {time}"


def _levels(scenario: Scenario) -> list[int]:
    spec = scenario.optimizer
    assert spec is not None
    return list(spec.training_levels or [t.level for t in scenario.training_levels])


def _infeasible(scenario: Scenario, team: str, shortfalls: list[Shortfall]) -> InfeasibleError:
    """The report for a team whose every level falls short: the level that comes closest."""
    by_level: dict[int, list[Shortfall]] = {}
    for s in shortfalls:
        by_level.setdefault(s.level, []).append(s)
    level, worst = min(by_level.items(), key=lambda item: len({s.cell for s in item[1]}))
    target = worst[0].target
    cells = sorted({s.cell for s in worst if s.target == target})
    labels = [cell_label(scenario, c) for c in cells]
    worst_gap = max((s for s in worst if s.target == target), key=lambda s: abs(s.goal - s.best))
    shown = ", ".join(labels[:6]) + (f" and {len(labels) - 6} more" if len(labels) > 6 else "")
    return InfeasibleError(
        f"team {team!r} cannot meet the {_TARGET_WORDS[target]} target {worst_gap.goal:g} in {len(cells)} "
        f"interval(s) ({shown}) with at most {worst_gap.staff} staff at any allowed training level; the best "
        f"reachable there is {worst_gap.best:.6g} (training level {level}, {worst_gap.staff} staff, interval "
        f"{cell_label(scenario, worst_gap.cell)})",
        target=target,
        periods=labels,
        best=worst_gap.best,
    )


def _certain_service(scenario: Scenario, max_staff: int | None) -> InfeasibleError:
    """A service level of 1 is out of reach: with random arrivals some customer can always wait."""
    within = scenario.targets.service_level.within
    best, where = 1.0, None
    for team in planned_teams(scenario):
        demand = team_demand(scenario, team, _levels(scenario)[-1], scenario.simulation.seed)
        busiest = int(np.argmax(demand.rate))
        staff = max_staff or max(1, int(np.ceil(2 * demand.offered_load(busiest))))
        value = demand.predict(busiest, staff).service_level
        if value < best:
            best, where = value, (team.name, busiest, staff)
    busy = [cell_label(scenario, c) for c in range(scenario.horizon.days * scenario.horizon.n_intervals)]
    detail = "" if where is None else (
        f"; the best reachable in the busiest interval ({cell_label(scenario, where[1])}, team {where[0]!r}) "
        f"with {where[2]} staff is {best:.6g}"
    )
    return InfeasibleError(
        f"the service level target 1 (every customer served within {within:g} min) cannot be met with finite "
        f"staff: random arrivals can always bunch, so in every interval some customer may wait longer{detail}",
        target="service_level",
        periods=busy,
        best=best,
    )


def planned_teams(scenario: Scenario) -> list[Team]:
    """The front-line teams the optimizer staffs: all but self-service stations (they have no staff)."""
    return [t for t in scenario.teams if not is_self_service(t)]


UNBOUNDED_STAFF = 10
"""Staff, as a multiple of a cell's generous cap, at which nobody waits: the fewest dissatisfied."""


def _fewest_dissatisfied(scenario: Scenario, demand: TeamDemand) -> float:
    """Expected dissatisfied customers over the horizon with (practically) unbounded staff.

    Dissatisfaction falls with staff, so this bounds every plan's from below (for the
    complaint desk's cost in :func:`~simsvc.staffing.model.solve_staffing`'s pruning).
    """
    if not scenario.quality.enabled:
        return 0.0
    h = scenario.horizon
    total = 0.0
    for cell in np.flatnonzero(demand.rate > 0):
        staff = UNBOUNDED_STAFF * max(10, int(np.ceil(demand.offered_load(cell) * 2 + 10)))
        satisfied = demand.predict(int(cell), staff).satisfied
        if not np.isnan(satisfied):
            total += float(demand.rate[cell]) * h.interval_minutes * (1.0 - satisfied)
    return total


def _demand(cache: DemandCache, scenario: Scenario, team: Team, level: int, seed: int) -> TeamDemand:
    demand = cache.get((team.name, level))
    if demand is None:
        demand = cache[team.name, level] = team_demand(scenario, team, level, seed)
    assert isinstance(demand, TeamDemand)
    return demand


def pool_key(teams: tuple[str, ...]) -> str:
    """The key of a pool's staff added by correction rounds in ``floors`` (per cell, on every set's floor)."""
    return "pool:" + "+".join(teams)


def _unlimited_concurrency(scenario: Scenario) -> None:
    for i, team in enumerate(scenario.teams):
        if team.concurrent and team.slots == float("inf"):
            raise ScenarioError(scenario.name, [(
                f"teams[{i}].concurrency",
                "the optimizer plans agents holding a whole number of contacts ('unlimited' has no Erlang curve): "
                "give a number to optimize",
            )])  # fmt: skip


def _pooled_cells(
    scenario: Scenario, cache: DemandCache, floors: dict[str, dict[int, int]], seed: int
) -> tuple[dict[tuple[str, int], CellOptions], list[PoolInput]]:
    """The requirements of teams sharing contacts, per ``(team, level)``, and their pools (:mod:`.pooling`)."""
    spec = scenario.optimizer
    assert spec is not None
    targets = Targets.of(scenario)
    out: dict[tuple[str, int], CellOptions] = {}
    inputs = []
    for pool in pools(scenario):
        names = tuple(scenario.teams[t].name for t in pool.teams)
        by_level = {}
        for level in _levels(scenario):
            key = (pool_key(names), level)
            needs = cache.get(key)
            if needs is None:
                needs = cache[key] = pool_needs(scenario, pool, level, seed, targets, spec.max_occupancy)
            assert isinstance(needs, PoolNeeds)
            by_level[level] = needs
            demand = {t: _demand(cache, scenario, scenario.teams[t], level, seed) for t in pool.teams}
            lowest = {t: {c: max(spec.min_staff, f) for c, f in floors.get(scenario.teams[t].name, {}).items()}
                      for t in pool.teams}  # fmt: skip
            for t in pool.teams:
                for c in range(len(demand[t].rate)):
                    lowest[t].setdefault(c, spec.min_staff)
            if needs.shortfalls:
                staff = {t: {c: 0 for c in lowest[t]} for t in pool.teams}
            else:
                extra = floors.get(pool_key(names), {})
                staff = allocate(needs, demand, lowest, extra, spec.max_staff, spec.solver, spec.time_limit,
                                 lambda c: cell_label(scenario, c))  # fmt: skip
            for t in pool.teams:
                cells = CellOptions(demand[t], shortfalls=list(needs.shortfalls))
                for c, n in staff[t].items():
                    on_floor = sum(demand[u].serving(c, staff[u][c]) for u in pool.teams)
                    cells.required[c] = n
                    cells.options[c] = [dataclasses.replace(needs.whole.predict(c, on_floor), staff=n)]
                out[scenario.teams[t].name, level] = cells
        inputs.append(PoolInput(names, by_level))
    return out, inputs


def _deferred_cells(
    scenario: Scenario, team: Team, demand: TeamDemand, min_staff: int, factor: float
) -> tuple[CellOptions, tuple, Buckets]:
    """A deferred team's least staff per cell (``min_staff``), its backlog constraints and work (:mod:`.backlog`).

    Its work: the expected contacts (by day and by night) times the mean handling time at the
    level, times ``factor`` (raised by correction rounds). Its predicted KPIs per cell are those
    of prompt answers; its share within target is the fluid's (:func:`~.backlog.fluid_share`).
    """
    h = scenario.horizon
    t = [x.name for x in scenario.teams].index(team.name)
    per_minute = demand.mean_service * factor
    overnight = np.array([c.arrivals.overnight_per_minute for c in scenario.customer_classes])
    night = float(overnight @ station_visits(scenario)[:, t]) * per_minute
    assert team.deferred is not None
    work = buckets(scenario, demand.rate * h.interval_minutes * per_minute, night, team.deferred.target_hours * 60.0)
    goal = scenario.targets.deferred_within_target
    reach = reachable_share(scenario, work)
    if goal is not None and reach < goal - 1e-9:
        raise InfeasibleError(
            f"team {team.name!r} cannot answer {goal:g} of its deferred work within {team.deferred.target_hours:g} h "
            f"(targets.deferred_within_target): work arriving at night with no opening hours before its deadline is "
            f"late whatever the staffing, so at most {reach:.4g} can be (open earlier or later, or lengthen the "
            "target)",
            target="deferred_within_target",
            best=reach,
        )
    rows = backlog_rows(scenario, work, demand.shrinkage)
    cells = CellOptions(demand)
    for c in range(len(demand.rate)):
        prompt = demand.predict(c, demand.rostered(c, int(np.ceil(2.0 * demand.offered_load(c))) + 1))
        cells.required[c] = min_staff
        cells.options[c] = [dataclasses.replace(prompt, staff=min_staff)]
    return cells, tuple(rows), work


def model_input(
    scenario: Scenario,
    patterns: dict[str, list[Pattern]],
    floors: dict[str, dict[int, int]],
    cache: DemandCache,
    seed: int,
    deferred_factor: float = 1.0,
) -> ModelInput:
    """The model's input for the front-line teams, with least staff per cell from earlier rounds.

    A team alone gets its own curves' requirements (:func:`~simsvc.staffing.requirements.cell_options`);
    teams sharing contacts get their pool's (:mod:`~simsvc.staffing.pooling`; interval by interval
    in either scope); a deferred team its backlog's (:mod:`~simsvc.staffing.backlog`, its work
    times ``deferred_factor``).
    """
    spec = scenario.optimizer
    assert spec is not None
    h = scenario.horizon
    targets = Targets.of(scenario)
    amortised = h.days / scenario.costs.training_amortization_days
    _unlimited_concurrency(scenario)
    if targets.service_level >= 1.0:
        raise _certain_service(scenario, spec.max_staff)
    pooled, pool_inputs = _pooled_cells(scenario, cache, floors, seed)
    teams = []
    for team in planned_teams(scenario):
        if team.name not in patterns:
            raise InfeasibleError(
                f"no candidate shift in optimizer.shifts is for team {team.name!r}", target="shifts", periods=[]
            )
        levels, shortfalls = [], []
        for level in _levels(scenario):
            demand = _demand(cache, scenario, team, level, seed)
            backlog: tuple = ()
            work = None
            if team.deferred is not None:
                cells, backlog, work = _deferred_cells(scenario, team, demand, spec.min_staff, deferred_factor)
            else:
                cells = pooled.get((team.name, level)) or cell_options(
                    demand, targets, spec.scope, spec.min_staff, spec.max_staff, floors.get(team.name),
                    spec.max_occupancy,
                )  # fmt: skip
            shortfalls += cells.shortfalls
            lv = scenario.training(level)
            levels.append(LevelInput(level, cells, lv.wage_per_hour / 60.0, lv.training_cost_per_person * amortised,
                                     _fewest_dissatisfied(scenario, demand), backlog, work))  # fmt: skip
        if all(lv.cells.shortfalls for lv in levels):
            raise _infeasible(scenario, team.name, shortfalls)
        team_patterns = patterns[team.name]
        coverage = np.array([p.coverage(h) for p in team_patterns])
        arrivals = levels[0].cells.demand.rate * h.interval_minutes
        teams.append(TeamInput(team.name, team_patterns, coverage, levels, arrivals))
    budget = None if spec.budget_per_day is None else spec.budget_per_day * h.days
    return ModelInput(
        teams, targets, spec.scope, h.days, h.n_intervals, spec.max_staff, spec.max_headcount, budget,
        tuple(pool_inputs),
    )  # fmt: skip
