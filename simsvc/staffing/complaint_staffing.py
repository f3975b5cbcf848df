"""Staffing the complaint teams: enough handling capacity each day for the complaints the plan predicts.

Complaints come from the customers the front-line plan leaves dissatisfied (predicted by the
performance curves) times the voice probability. A complaint team works any hours and its
resolution target is usually a day or more, so what matters is the day's capacity: paid
hours at a planned utilisation at least the day's handling work. That is a covering problem
with days as periods, solved by :func:`~simsvc.staffing.covering.cover_shifts`. The
simulate-and-correct loop raises ``factor`` when the simulated share resolved within the SLA
falls short.
"""

from __future__ import annotations

import numpy as np

from simsvc.bounds import MAX_STAFF
from simsvc.errors import InfeasibleError
from simsvc.scenario.models import Scenario
from simsvc.staffing.covering import cover_shifts
from simsvc.staffing.patterns import Pattern

__all__ = ["least_cost_per_complaint", "staff_complaint_teams"]


def _candidates(scenario: Scenario, patterns: dict[str, list[Pattern]]):
    """Every candidate pattern of a complaint team with its team's speed and wage per hour."""
    candidates: list[Pattern] = []
    speed: list[float] = []
    wage: list[float] = []
    for team in scenario.complaints.teams:
        if team.name not in patterns:
            continue
        level = scenario.training(team.training_level)
        for p in patterns[team.name]:
            candidates.append(p)
            speed.append(level.speed)
            wage.append(level.wage_per_hour)
    return candidates, speed, wage


def _hours(scenario: Scenario, complaints, speed: list[float], factor: float):
    """Paid hours the complaint teams need for ``complaints`` (at the planned utilisation)."""
    spec = scenario.optimizer
    assert spec is not None
    work = complaints * scenario.complaints.handling_time.mean / float(np.mean(speed)) / 60.0
    return factor * work / spec.complaint_utilization


def least_cost_per_complaint(scenario: Scenario, patterns: dict[str, list[Pattern]], factor: float) -> float:
    """A lower bound on what one more complaint costs: its paid hours at the lowest wage, plus handling.

    Every candidate shift pays its wage for each hour it covers, so covering ``h`` hours costs
    at least ``h`` times the lowest wage (the covering problem's bound without integrality).
    """
    if not scenario.quality.enabled:
        return 0.0
    candidates, speed, wage = _candidates(scenario, patterns)
    desk = _hours(scenario, 1.0, speed, factor) * min(wage) if candidates else 0.0
    return desk + scenario.complaints.cost_per_complaint


def staff_complaint_teams(
    scenario: Scenario,
    patterns: dict[str, list[Pattern]],
    complaints_per_day: np.ndarray,
    factor: float,
) -> list[tuple[Pattern, int, float]]:
    """``(pattern, staff, cost over the horizon)`` for the complaint teams that have candidate shifts.

    Args:
        scenario: the scenario (complaint teams, handling time, wages).
        patterns: candidate patterns per team.
        complaints_per_day: predicted complaints filed on each day of the horizon.
        factor: multiplier of the predicted work (1 at first; raised by corrections).
    """
    spec = scenario.optimizer
    assert spec is not None
    candidates, speed, wage = _candidates(scenario, patterns)
    if not candidates or not scenario.quality.enabled:
        return []
    need = _hours(scenario, complaints_per_day, speed, factor)
    days = len(complaints_per_day)
    coverage = [[p.paid_minutes / 60.0 if d in p.days else 0.0 for d in range(days)] for p in candidates]
    costs = [w * p.paid_minutes / 60.0 * len(p.days) for w, p in zip(wage, candidates, strict=True)]
    staff = cover_shifts(need.tolist(), coverage, costs, solver=spec.solver, time_limit=spec.time_limit)
    for p, n in zip(candidates, staff, strict=True):
        if n > MAX_STAFF:
            busiest = int(np.argmax(complaints_per_day))
            raise InfeasibleError(
                f"the complaint teams would need {n:,} staff on {p.team}'s {p.label} shift, more than the "
                f"{MAX_STAFF:,} a shift may have ({complaints_per_day[busiest]:,.0f} complaints predicted on day "
                f"{busiest + 1}); lower the complaints the plan predicts or allow longer complaint shifts",
                target="complaints_within_sla",
                periods=[d for d in range(days) if need[d] > 0],
            )
    return [(p, n, n * c) for p, n, c in zip(candidates, staff, costs, strict=True) if n > 0]
