"""The scenario's targets as KPI goals, and a verdict on each from a confidence interval.

A target is judged by where the whole confidence interval over replications lies: on the
right side of the goal (``met``), on the wrong side (``missed``), or across it
(``unresolved``: more replications could decide it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from simsvc.scenario.models import Scenario

__all__ = ["Goal", "Verdict", "goals", "judge", "verdict"]

Verdict = Literal["met", "missed", "unresolved"]
Sense = Literal[">=", "<="]


@dataclass(frozen=True)
class Goal:
    """One target as a bound on a KPI: ``kpi sense value`` (``service_level >= 0.8``)."""

    target: str
    """The field of ``targets`` that sets it (``service_level``, ``max_abandonment``, ...)."""
    kpi: str
    sense: Sense
    value: float


def goals(scenario: Scenario) -> list[Goal]:
    """Every target the scenario sets, as a bound on the overall KPI that measures it.

    ``min_satisfied`` bounds ``dissatisfied_share`` from above (``1 - min_satisfied``), and
    applies, like ``complaints_within_sla`` (which also needs a complaint team), only with the
    quality model on; ``deferred_within_target`` only with a deferred team.
    """
    t = scenario.targets
    out = [Goal("service_level", "service_level", ">=", t.service_level.fraction)]
    if t.max_abandonment is not None:
        out.append(Goal("max_abandonment", "abandonment_rate", "<=", t.max_abandonment))
    if t.min_satisfied is not None and scenario.quality.enabled:
        out.append(Goal("min_satisfied", "dissatisfied_share", "<=", 1.0 - t.min_satisfied))
    if t.complaints_within_sla is not None and scenario.quality.enabled and scenario.complaints.teams:
        out.append(Goal("complaints_within_sla", "complaints_within_sla", ">=", t.complaints_within_sla))
    if t.deferred_within_target is not None and any(team.deferred is not None for team in scenario.teams):
        out.append(Goal("deferred_within_target", "deferred_within_target", ">=", t.deferred_within_target))
    return out


def judge(value: float, sense: str, ci_low: float | None, ci_high: float | None) -> Verdict | None:
    """Where the confidence interval ``[ci_low, ci_high]`` lies against the bound ``sense value``.

    The one rule for every verdict (the run table, the report, the optimizer's verification).

    Returns:
        ``met`` when all of it satisfies the bound, ``missed`` when none of it does,
        ``unresolved`` when the bound lies inside it; None when there is no interval (NaN: one
        replication, or nothing to count).
    """
    if ci_low is None or ci_high is None or math.isnan(ci_low) or math.isnan(ci_high):
        return None
    if sense == ">=":
        good, bad = ci_low >= value, ci_high < value
    else:
        good, bad = ci_high <= value, ci_low > value
    return "met" if good else "missed" if bad else "unresolved"


def verdict(goal: Goal, ci_low: float | None, ci_high: float | None) -> Verdict | None:
    """:func:`judge` of one of the scenario's :func:`goals`."""
    return judge(goal.value, goal.sense, ci_low, ci_high)
