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

from simsvc.scenario.models import Scenario
from simsvc.staffing.covering import cover_shifts
from simsvc.staffing.patterns import Pattern

__all__ = ["staff_complaint_teams"]


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
    teams = [t for t in scenario.complaints.teams if t.name in patterns]
    if not teams or not scenario.quality.enabled:
        return []
    candidates: list[Pattern] = []
    speed: list[float] = []
    wage: list[float] = []
    for team in teams:
        level = scenario.training(team.training_level)
        for p in patterns[team.name]:
            candidates.append(p)
            speed.append(level.speed)
            wage.append(level.wage_per_hour)
    mean_speed = float(np.mean(speed))
    hours = complaints_per_day * scenario.complaints.handling_time.mean / mean_speed / 60.0
    need = factor * hours / spec.complaint_utilization
    days = len(complaints_per_day)
    coverage = [[p.paid_minutes / 60.0 if d in p.days else 0.0 for d in range(days)] for p in candidates]
    costs = [w * p.paid_minutes / 60.0 * len(p.days) for w, p in zip(wage, candidates, strict=True)]
    staff = cover_shifts(need.tolist(), coverage, costs, solver=spec.solver, time_limit=spec.time_limit)
    return [(p, n, n * c) for p, n, c in zip(candidates, staff, costs, strict=True) if n > 0]
