"""Checking a plan by simulation, and where to correct it.

A target counts as missed only when the simulation says so with statistical confidence:
the whole confidence interval over replications lies on the wrong side of it. Interval
scope checks each interval of the day (all days pooled); day scope checks each day.
"""

from __future__ import annotations

import math

import pandas as pd

from simsvc.scenario.models import Scenario
from simsvc.staffing.plan import TargetCheck
from simsvc.staffing.requirements import Targets

__all__ = ["target_checks", "missed_groups"]


def _goals(scenario: Scenario) -> list[tuple[str, float, str]]:
    """``(KPI name, goal, sense)`` for every target the scenario sets."""
    t = Targets.of(scenario)
    goals = [("service_level", t.service_level, ">=")]
    if t.max_abandonment is not None:
        goals.append(("abandonment_rate", t.max_abandonment, "<="))
    if t.min_satisfied is not None:
        goals.append(("dissatisfied_share", 1.0 - t.min_satisfied, "<="))
    sla = scenario.targets.complaints_within_sla
    if sla is not None and scenario.quality.enabled and scenario.complaints.teams:
        goals.append(("complaints_within_sla", sla, ">="))
    return goals


def target_checks(scenario: Scenario, predicted: dict[str, float], summary: pd.DataFrame | None) -> list[TargetCheck]:
    """Every target against the prediction and (if simulated) the overall ``summary()``."""
    out = []
    for name, goal, sense in _goals(scenario):
        pred = predicted.get(name, math.nan)
        if summary is None or name not in summary.index:
            out.append(TargetCheck(name, goal, sense, pred))
            continue
        row = summary.loc[name]
        mean, low, high = (float(row[k]) for k in ("mean", "ci_low", "ci_high"))
        out.append(TargetCheck(name, goal, sense, pred, mean, low, high))
    return out


def missed_groups(scenario: Scenario, table: pd.DataFrame) -> dict[str, list[str]]:
    """Groups (interval labels or days) of a ``by_interval()``/``by_day()`` table per missed target."""
    out: dict[str, list[str]] = {}
    groups = table.index.get_level_values(0).unique()
    for name, goal, sense in _goals(scenario):
        if name == "complaints_within_sla":
            continue  # complaints are filed and resolved across intervals: judged overall
        for group in groups:
            key = (group, name)
            if key not in table.index:
                continue
            row = table.loc[key]
            low, high = float(row["ci_low"]), float(row["ci_high"])
            if math.isnan(low) or math.isnan(high):
                continue
            if (sense == ">=" and high < goal) or (sense == "<=" and low > goal):
                out.setdefault(name, []).append(str(group))
    return out
