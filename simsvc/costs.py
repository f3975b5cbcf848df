"""What an operation costs the firm, and, apart from it, the value of the customers it loses.

The **operating cost** (KPI ``cost``) is what the firm pays: wages (``cost_wages``),
training (``cost_training``) and the material cost of handling complaints
(``cost_complaints``). Wages are paid for on-duty time (scheduled shifts, plus time spent
finishing customers after a shift or after closing), of the front line and of the
complaint teams. Training is a one-off cost per person and level spread over
``costs.training_amortization_days``; a team's people are the staff of its busiest day's
shifts (or its largest per-interval staff).

The **value of customers lost** (KPI ``lost_customer_value``: ``costs.lost_customer_value``
× customers who will not come back) is optional and is not money the firm pays, so it is
never added into the operating cost; ``cost_and_lost_value`` is the sum of the two, under
that name only. The KPIs themselves are assembled in :mod:`simsvc.metrics`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simsvc.scenario.base import Staffed
from simsvc.scenario.models import Scenario

__all__ = ["CostTerms", "cost_terms", "headcount"]


def headcount(team: Staffed) -> int:
    """People needed to staff a team: its busiest day's shifts (shifts may work on some days only)."""
    if team.shifts is not None:
        days = {d for s in team.shifts for d in (s.days or ())} or {0}
        return max(sum(s.staff for s in team.shifts if s.works_on(d)) for d in days)
    assert team.staff is not None
    return max(team.staff)


@dataclass(frozen=True)
class CostTerms:
    """Money per replication, split by where it can be attributed (operating cost terms, then lost value)."""

    wages: np.ndarray  # (days,): front-line paid time
    wages_by_interval: np.ndarray  # (days, intervals): front-line on-duty time within intervals
    back_office_wages: np.ndarray  # (days,): complaint teams' paid time
    training_per_day: float
    complaint_handling: np.ndarray  # (days, intervals, classes)
    lost_customer_value: np.ndarray  # (days, intervals, classes): not paid, not part of the operating cost


def _wage_bill(rates: list[float], minutes: np.ndarray) -> np.ndarray:
    """Sum over teams of wage per minute × server-minutes (first axis: teams)."""
    return np.tensordot(np.asarray(rates), minutes, axes=1) if rates else np.zeros(minutes.shape[1:])


def cost_terms(
    scenario: Scenario,
    on_duty: np.ndarray,
    paid: np.ndarray,
    back_office_paid: np.ndarray,
    complaints: np.ndarray | None,
    lost: np.ndarray | None,
) -> CostTerms:
    """Cost terms from server-minutes (on duty per interval, paid per day) and counts.

    Args:
        scenario: the scenario (wages, training costs, complaint and lost-customer values).
        on_duty: front-line on-duty server-minutes, ``(teams, days, intervals)``.
        paid: front-line paid server-minutes, ``(teams, days)``.
        back_office_paid: complaint teams' paid server-minutes, ``(complaint teams, days)``.
        complaints: complaints per ``(days, intervals, classes)`` (None: no quality model).
        lost: customers lost per ``(days, intervals, classes)``.
    """
    wage = [scenario.training(t.training_level).wage_per_hour / 60.0 for t in scenario.teams]
    # Complaint teams exist only in the quality model.
    complaint_teams = scenario.complaints.teams if scenario.quality.enabled else ()
    back = [scenario.training(t.training_level).wage_per_hour / 60.0 for t in complaint_teams]
    teams = [*scenario.teams, *complaint_teams]
    training = sum(headcount(t) * scenario.training(t.training_level).training_cost_per_person for t in teams)
    zeros = np.zeros((*on_duty.shape[1:], len(scenario.customer_classes)))
    return CostTerms(
        wages=_wage_bill(wage, paid),
        wages_by_interval=_wage_bill(wage, on_duty),
        back_office_wages=_wage_bill(back, back_office_paid) if back else np.zeros(paid.shape[1]),
        training_per_day=training / scenario.costs.training_amortization_days,
        complaint_handling=zeros if complaints is None else complaints * scenario.complaints.cost_per_complaint,
        lost_customer_value=zeros if lost is None else lost * scenario.costs.lost_customer_value,
    )
