"""The operating cost of a plan: what the firm pays over the horizon, in the names every part uses.

``cost`` = ``cost_wages`` + ``cost_training`` + ``cost_complaints``: wages of the paid time of
every planned shift (front line and complaint teams, split as ``cost_wages_front_line`` and
``cost_wages_complaint_teams``), training amortised over ``costs.training_amortization_days``
for the people the plan employs (each team's busiest day, as the simulation counts them), and
the material cost of handling the complaints the curves predict
(``complaints.cost_per_complaint`` each). ``per_day`` is ``cost`` per day of the horizon. The
value of customers lost is not a cost the firm pays and is not here.
"""

from __future__ import annotations

from simsvc.costs import headcount
from simsvc.scenario.models import Scenario
from simsvc.staffing.patterns import Pattern
from simsvc.staffing.plan import PlannedShift

__all__ = ["pattern_cost", "plan_cost"]


def pattern_cost(pattern: Pattern, wage_per_minute: float) -> float:
    """Wages of one person working ``pattern`` over the horizon (paid minutes × days worked)."""
    return pattern.paid_minutes * wage_per_minute * len(pattern.days)


def plan_cost(
    scenario: Scenario, staffed: Scenario, planned: list[PlannedShift], complaints: float
) -> dict[str, float]:
    """The plan's cost mapping (see the module docstring).

    Args:
        scenario: the input scenario (which teams are front line).
        staffed: the scenario with the plan's shifts and levels.
        planned: the plan's shifts with their wages.
        complaints: complaints the plan predicts over the horizon.
    """
    front = {t.name for t in scenario.teams}
    wages_front = sum(s.cost for s in planned if s.pattern.team in front)
    wages_desk = sum(s.cost for s in planned if s.pattern.team not in front)
    planned_teams = {s.pattern.team for s in planned}
    teams = [*staffed.teams, *(staffed.complaints.teams if staffed.quality.enabled else ())]
    amortised = scenario.horizon.days / scenario.costs.training_amortization_days
    training = amortised * sum(
        headcount(t) * staffed.training(t.training_level).training_cost_per_person
        for t in teams
        if t.name in planned_teams
    )
    handling = complaints * scenario.complaints.cost_per_complaint if scenario.quality.enabled else 0.0
    wages = wages_front + wages_desk
    total = wages + training + handling
    return {
        "cost": total,
        "cost_wages": wages,
        "cost_training": training,
        "cost_complaints": handling,
        "cost_wages_front_line": wages_front,
        "cost_wages_complaint_teams": wages_desk,
        "per_day": total / scenario.horizon.days,
    }
