"""Data preparation for the staffing model: what each team needs in each cell, at each training level.

From the performance curves: in ``interval`` scope, the least staff meeting every target in
the cell; in ``day`` scope, a range of staff numbers with their predicted KPIs, from which
the model chooses one per cell so that each day as a whole meets the targets. Targets that no
staff number up to the bound can meet are collected as :class:`Shortfall` for the
infeasibility report.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

from simsvc.scenario.models import Scenario
from simsvc.staffing.curves import Prediction, TeamDemand

__all__ = ["CellOptions", "Shortfall", "Targets", "cell_options", "occupancy_floor"]

DAY_SCOPE_EXTRA = 2
"""Staff numbers above a cell's own requirement that day scope may still choose."""


@dataclass(frozen=True)
class Targets:
    """The targets the curves are held to."""

    service_level: float
    max_abandonment: float | None
    min_satisfied: float | None

    @staticmethod
    def of(scenario: Scenario) -> Targets:
        t = scenario.targets
        return Targets(
            t.service_level.fraction, t.max_abandonment, t.min_satisfied if scenario.quality.enabled else None
        )

    def missed(self, p: Prediction) -> list[tuple[str, float, float]]:
        """``(target name, target, predicted)`` for each target ``p`` misses."""
        out = []
        if p.service_level < self.service_level - 1e-12:
            out.append(("service_level", self.service_level, p.service_level))
        if self.max_abandonment is not None and p.abandonment > self.max_abandonment + 1e-12:
            out.append(("max_abandonment", self.max_abandonment, p.abandonment))
        if self.min_satisfied is not None and not math.isnan(p.satisfied) and p.satisfied < self.min_satisfied - 1e-12:
            out.append(("min_satisfied", self.min_satisfied, p.satisfied))
        return out


@dataclass(frozen=True)
class Shortfall:
    """A cell where a team at a level cannot meet a target with the most staff allowed."""

    team: str
    level: int
    cell: int
    target: str
    goal: float
    best: float
    staff: int


@dataclass
class CellOptions:
    """Staff numbers a team at a level may have in each cell, with their predictions."""

    demand: TeamDemand
    options: dict[int, list[Prediction]] = field(default_factory=dict)  # cell -> ascending staff
    required: dict[int, int] = field(default_factory=dict)  # cell -> least staff meeting the targets
    shortfalls: list[Shortfall] = field(default_factory=list)


def _cap(demand: TeamDemand, cell: int, max_staff: int | None) -> int:
    if max_staff is not None:
        return max_staff
    load = demand.offered_load(cell)
    return demand.rostered(cell, max(5, math.ceil(load + 12.0 * math.sqrt(load) + 10.0)))


def occupancy_floor(demand: TeamDemand, cell: int, max_occupancy: float | None) -> int:
    """Least rostered staff whose occupancy (offered load over staff on the floor) is at most the cap.

    Occupancy as pyworkforce and WFM tools define it: Erlangs offered per productive position,
    so the cap holds at the staffing chosen, not only on average.
    """
    if max_occupancy is None or demand.rate[cell] <= 0:
        return 0
    return demand.rostered(cell, math.ceil(demand.offered_load(cell) / max_occupancy - 1e-9))


def cell_options(
    demand: TeamDemand,
    targets: Targets,
    scope: str,
    min_staff: int,
    max_staff: int | None,
    floor: dict[int, int] | None = None,
    max_occupancy: float | None = None,
) -> CellOptions:
    """Staff options per cell for one team at one level.

    Args:
        demand: the team's demand at the level.
        targets: what each cell (interval scope) or day (day scope) must reach.
        scope: ``"interval"`` or ``"day"``.
        min_staff: least staff in every cell.
        max_staff: most staff in a cell (None: no bound but a generous cap).
        floor: least staff per cell set by earlier simulate-and-correct rounds.
        max_occupancy: most offered load per person on the floor, in every cell (None: no cap).

    Staff are rostered staff (shrinkage taken off by ``demand``): with an occupancy cap, the
    requirement is the least staff meeting the targets and the cap.
    """
    out = CellOptions(demand)
    floor = floor or {}
    for cell in range(len(demand.rate)):
        lowest = max(min_staff, floor.get(cell, 0), occupancy_floor(demand, cell, max_occupancy))
        if demand.rate[cell] <= 0:
            out.required[cell] = lowest
            out.options[cell] = [demand.predict(cell, lowest)]
            continue
        load = demand.offered_load(cell)
        cap = max(_cap(demand, cell, max_staff), lowest)
        top = demand.predict(cell, cap)
        missed = targets.missed(top)
        if missed:
            out.shortfalls += [
                Shortfall(demand.team, demand.level, cell, name, goal, value, cap) for name, goal, value in missed
            ]
            continue
        # Every KPI improves with staff, so the least staff meeting the targets is found by bisection.
        lo, hi, best = max(lowest, 1), cap, top
        while lo < hi:
            mid = (lo + hi) // 2
            p = demand.predict(cell, mid)
            if targets.missed(p):
                lo = mid + 1
            else:
                hi, best = mid, p
        required = lo
        if best.staff != required:
            best = demand.predict(cell, required)
        out.required[cell] = required
        if scope == "interval":
            out.options[cell] = [best]
        else:
            first = min(required, max(lowest, 1, math.floor(0.75 * load)))
            top_n = min(cap, required + DAY_SCOPE_EXTRA)
            preds = [best if m == required else demand.predict(cell, m) for m in range(first, top_n + 1)]
            out.options[cell] = preds[_diminishing_from(preds, required - first) :]
    return out


def _diminishing_from(preds: list[Prediction], limit: int) -> int:
    """First index from which one more person helps every KPI less than the one before.

    Day scope trades intervals against each other only where returns diminish (above about
    the offered load): there the model's linear increments are exact, and it never leaves an
    interval so short of staff that one more person would help more than the last one did.
    Never beyond ``limit`` (the interval's own requirement).
    """

    def gains(values: list[float]) -> list[float]:
        return [b - a for a, b in itertools.pairwise(values)]

    series = [
        gains([p.service_level for p in preds]),
        gains([-p.abandonment for p in preds]),
        gains([p.satisfied for p in preds]) if preds and not math.isnan(preds[0].satisfied) else [],
    ]
    start = 0
    for g in series:
        for i in range(1, len(g)):
            if g[i] > g[i - 1] + 1e-12:  # a later person helps more: not yet diminishing
                start = max(start, i)
    return min(start, limit)
