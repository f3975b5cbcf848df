"""The optimizer's answer: staff per shift and team, training levels, cost, predicted and simulated KPIs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from simsvc import display
from simsvc.scenario.models import Scenario
from simsvc.staffing.patterns import Pattern
from simsvc.staffing.solver import SolveInfo

__all__ = ["Iteration", "Plan", "PlannedShift", "TargetCheck"]


@dataclass(frozen=True)
class PlannedShift:
    """People working one pattern."""

    pattern: Pattern
    training_level: int
    staff: int
    cost: float  # over the horizon: wages of the paid time


@dataclass(frozen=True)
class TargetCheck:
    """One target against the prediction and the simulation of the plan."""

    name: str  # KPI name, e.g. service_level
    goal: float
    sense: str  # ">=" or "<="
    predicted: float
    mean: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None

    @property
    def met(self) -> bool | None:
        """The simulated mean meets the target (None before simulating)."""
        if self.mean is None:
            return None
        return self.mean >= self.goal - 1e-12 if self.sense == ">=" else self.mean <= self.goal + 1e-12

    @property
    def missed_with_confidence(self) -> bool:
        """The whole confidence interval lies on the wrong side of the target."""
        if self.ci_low is None or self.ci_high is None:
            return False
        return self.ci_high < self.goal if self.sense == ">=" else self.ci_low > self.goal


@dataclass(frozen=True)
class Iteration:
    """One solve-and-simulate round."""

    number: int
    cost: float
    levels: dict[str, int]
    solve: SolveInfo
    checks: list[TargetCheck]
    misses: list[str]  # what the simulation missed with confidence, and where


@dataclass(frozen=True)
class Plan:
    """Staff per shift and team, training levels, cost, and the KPIs predicted and simulated.

    ``cost`` maps ``wages``, ``training``, ``complaint_wages`` and ``total`` to money over the
    horizon (and ``per_day``); ``predicted`` maps KPI names to the performance curves'
    values; ``simulated`` is the final verification's ``summary()`` table.
    """

    scenario: Scenario  # the input scenario with the plan's staffing
    shifts: list[PlannedShift]
    levels: dict[str, int]
    cost: dict[str, float]
    predicted: dict[str, float]
    simulated: pd.DataFrame | None
    checks: list[TargetCheck]
    staffing: pd.DataFrame  # per team and cell: day, interval, demand_per_hour, staff, required
    iterations: list[Iteration] = field(default_factory=list)

    @property
    def confirmed(self) -> bool:
        """No target is missed with statistical confidence by the final simulation."""
        return bool(self.checks) and not any(c.missed_with_confidence for c in self.checks)

    def to_frame(self) -> pd.DataFrame:
        """One row per shift worked: team, shift, start, end, break, days, training_level, staff, cost."""
        rows = []
        for s in self.shifts:
            p = s.pattern
            rows.append(
                {
                    "team": p.team,
                    "shift": p.label,
                    "start": p.label[:5],
                    "end": p.label[6:11],
                    "break": "" if p.break_ is None else p.label.split("break ")[1],
                    "days": " ".join(str(d + 1) for d in p.days),
                    "training_level": s.training_level,
                    "staff": s.staff,
                    "cost": round(s.cost, 2),
                }
            )
        columns = ["team", "shift", "start", "end", "break", "days", "training_level", "staff", "cost"]
        return pd.DataFrame(rows, columns=columns)

    def to_scenario(self) -> Scenario:
        """The scenario with this plan's shifts and training levels (``simsvc run`` accepts it)."""
        return self.scenario

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape written by ``simsvc optimize`` (``optimization.json``)."""

        def ci(name: str) -> dict[str, float] | None:
            if self.simulated is None or name not in self.simulated.index:
                return None
            row = self.simulated.loc[name]
            return {k: _clean(row[k]) for k in ("mean", "ci_low", "ci_high")}

        simulated = {} if self.simulated is None else {k: ci(k) for k in self.simulated.index}
        return {
            "scenario": self.scenario.name,
            "levels": self.levels,
            "cost": {k: round(v, 2) for k, v in self.cost.items()},
            "predicted": {k: _clean(v) for k, v in self.predicted.items()},
            "simulated": simulated,
            "targets": {c.name: _check_dict(c) for c in self.checks},
            "confirmed": self.confirmed,
            "iterations": [_iteration_dict(it) for it in self.iterations],
        }

    def __repr__(self) -> str:
        return display.plan_repr(self)

    def _repr_html_(self) -> str:
        """A compact summary for Jupyter: levels, operating cost, status, shifts and targets."""
        return display.plan_html(self)


def _check_dict(c: TargetCheck) -> dict[str, Any]:
    return {
        "target": c.goal,
        "sense": c.sense,
        "predicted": _clean(c.predicted),
        "simulated_mean": _clean(c.mean),
        "simulated_ci": [_clean(c.ci_low), _clean(c.ci_high)],
        "met": c.met,
        "missed_with_confidence": c.missed_with_confidence,
    }


def _iteration_dict(it: Iteration) -> dict[str, Any]:
    return {
        "iteration": it.number,
        "cost": round(it.cost, 2),
        "levels": it.levels,
        "solver": it.solve.solver,
        "status": it.solve.status,
        "optimal": it.solve.optimal,
        "gap": it.solve.gap,
        "solve_seconds": round(it.solve.seconds, 3),
        "misses": it.misses,
        "kpis": {c.name: {"mean": _clean(c.mean), "ci_low": _clean(c.ci_low), "ci_high": _clean(c.ci_high)}
                 for c in it.checks},
    }


def _clean(x: float | None) -> float | None:
    if x is None:
        return None
    x = float(x)
    return None if x != x else x
