"""The operating cost of a plan: what the firm pays over the horizon, in the names every part uses.

``cost`` = ``cost_wages`` + ``cost_training`` + ``cost_complaints``: wages of the paid time of
every planned shift (front line and complaint teams, split as ``cost_wages_front_line`` and
``cost_wages_complaint_teams``; a complaint team the optimizer does not staff works its declared
rota, whose rostered time is paid too), training amortised over ``costs.training_amortization_days``
for the people the plan employs (each team's busiest day, as the simulation counts them), and
the material cost of handling the complaints the curves predict
(``complaints.cost_per_complaint`` each). ``per_day`` is ``cost`` per day of the horizon. The
value of customers lost is not a cost the firm pays and is not here.
"""

from __future__ import annotations

from simsvc.costs import headcount
from simsvc.scenario.base import Staffed
from simsvc.scenario.models import Scenario
from simsvc.sim.rota import day_spans
from simsvc.staffing.patterns import Pattern
from simsvc.staffing.plan import PlannedShift

__all__ = ["pattern_cost", "plan_cost", "rostered_wages"]


def pattern_cost(pattern: Pattern, wage_per_minute: float) -> float:
    """Wages of one person working ``pattern`` over the horizon (paid minutes × days worked)."""
    return pattern.paid_minutes * wage_per_minute * len(pattern.days)


def rostered_wages(scenario: Scenario, team: Staffed) -> float:
    """Wages of ``team``'s declared rota over the horizon: its rostered server-minutes at its level's wage."""
    h = scenario.horizon
    minutes = sum(n * (end - t) for day in range(h.days) for t, end, n in day_spans(team, h, day))
    return minutes * scenario.training(team.training_level).wage_per_hour / 60.0


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
    # Complaint teams the optimizer has no shifts for work their declared rota: paid and trained too.
    kept = [t for t in staffed.complaints.teams if t.name not in planned_teams] if staffed.quality.enabled else []
    wages_desk += sum(rostered_wages(staffed, t) for t in kept)
    teams = [*staffed.teams, *(staffed.complaints.teams if staffed.quality.enabled else ())]
    employed = planned_teams | {t.name for t in kept}
    amortised = scenario.horizon.days / scenario.costs.training_amortization_days
    training = amortised * sum(
        headcount(t) * staffed.training(t.training_level).training_cost_per_person
        for t in teams
        if t.name in employed
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
