"""The optimizer's answer: staff per shift and team, training levels, cost, predicted and simulated KPIs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from simsvc import display
from simsvc.jsonsafe import json_number as _clean
from simsvc.scenario.models import Scenario
from simsvc.staffing.patterns import Pattern
from simsvc.staffing.solver import SolveInfo
from simsvc.targets import Verdict, judge

__all__ = ["Iteration", "PlaceCheck", "Plan", "PlannedShift", "TargetCheck"]


@dataclass(frozen=True)
class PlannedShift:
    """People working one pattern."""

    pattern: Pattern
    training_level: int
    staff: int
    cost: float  # over the horizon: wages of the paid time


@dataclass(frozen=True)
class PlaceCheck:
    """One target in one place (``overall``, an interval ``"17:30"`` or a day ``"day 2"``) by simulation."""

    name: str  # KPI name, e.g. abandonment_rate
    where: str
    goal: float
    sense: str  # ">=" or "<="
    mean: float
    ci_low: float
    ci_high: float
    replications: int

    @property
    def verdict(self) -> Verdict | None:
        """The verdict: met, missed or unresolved (None: nothing to judge here, e.g. no customers)."""
        return judge(self.goal, self.sense, self.ci_low, self.ci_high)

    @property
    def half_width(self) -> float:
        """Half the confidence interval's width."""
        return (self.ci_high - self.ci_low) / 2.0


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
        return self.verdict == "missed"

    @property
    def verdict(self) -> Verdict | None:
        """The verdict by the simulation's CI: met, missed or unresolved (None before simulating)."""
        return judge(self.goal, self.sense, self.ci_low, self.ci_high)


@dataclass(frozen=True)
class Iteration:
    """One solve-and-simulate round."""

    number: int
    cost: float  # operating cost of the round's plan (Plan.cost["cost"])
    levels: dict[str, int]
    solve: SolveInfo
    checks: list[TargetCheck]
    misses: list[str]  # what the simulation missed with confidence, and where
    replications: int = 0  # simulated in the round's verification (0: not simulated)
    unresolved: list[PlaceCheck] = field(default_factory=list)


@dataclass(frozen=True)
class Plan:
    """Staff per shift and team, training levels, cost, and the KPIs predicted and simulated.

    ``cost`` maps money over the horizon: ``cost`` (the operating cost: ``cost_wages`` +
    ``cost_training`` + ``cost_complaints``), ``cost_wages`` (split into
    ``cost_wages_front_line`` and ``cost_wages_complaint_teams``), ``cost_training``,
    ``cost_complaints`` (predicted complaints × ``complaints.cost_per_complaint``) and
    ``per_day`` (the operating cost per day). ``predicted`` maps KPI names to the performance
    curves' values; ``simulated`` is the final verification's ``summary()`` table;
    ``places`` every target in every place the final verification judged (overall, and per
    interval or day), whose unresolved ones are :attr:`unresolved`; ``warnings`` what that
    simulation warned of.
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
    places: list[PlaceCheck] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    """The final verification's warnings (``SimResult.warnings`` in English: overload, truncation, ...)."""

    @property
    def status(self) -> Literal["confirmed", "missed", "unresolved", "unverified"]:
        """What the final verification says of the plan.

        ``unverified`` (not simulated), ``missed`` (some target missed with confidence somewhere),
        ``unresolved`` (none missed, some target still inside its CI) or ``confirmed`` (all met).
        """
        if self.simulated is None:
            return "unverified"
        verdicts = {p.verdict for p in self.places} | {c.verdict for c in self.checks}
        if "missed" in verdicts:
            return "missed"
        return "unresolved" if "unresolved" in verdicts else "confirmed"

    @property
    def confirmed(self) -> bool | None:
        """Whether the simulation confirmed every target.

        True: simulated and every target met; False: simulated, some target missed or
        unresolved; None: not simulated (unverified).
        """
        status = self.status
        return None if status == "unverified" else status == "confirmed"

    @property
    def unresolved(self) -> list[PlaceCheck]:
        """Targets the final verification could not decide: the target inside the CI."""
        return [p for p in self.places if p.verdict == "unresolved"]

    @property
    def missed(self) -> list[PlaceCheck]:
        """Targets the final verification missed with confidence, and where."""
        return [p for p in self.places if p.verdict == "missed"]

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
            "status": self.status,
            "replications": None if self.simulated is None else _replications(self),
            "unresolved": [_place_dict(p) for p in self.unresolved],
            "missed": [_place_dict(p) for p in self.missed],
            "iterations": [_iteration_dict(it) for it in self.iterations],
        }

    def __repr__(self) -> str:
        return display.plan_repr(self)

    def _repr_html_(self) -> str:
        """A compact summary for Jupyter: levels, operating cost, status, shifts and targets."""
        return display.plan_html(self)


def _replications(plan: Plan) -> int | None:
    return plan.iterations[-1].replications if plan.iterations else None


def _place_dict(p: PlaceCheck) -> dict[str, Any]:
    return {
        "target": p.name, "where": p.where, "goal": p.goal, "sense": p.sense, "mean": _clean(p.mean),
        "ci": [_clean(p.ci_low), _clean(p.ci_high)], "replications": p.replications,
    }  # fmt: skip


def _check_dict(c: TargetCheck) -> dict[str, Any]:
    return {
        "target": c.goal,
        "sense": c.sense,
        "predicted": _clean(c.predicted),
        "simulated_mean": _clean(c.mean),
        "simulated_ci": [_clean(c.ci_low), _clean(c.ci_high)],
        "met": c.met,
        "verdict": c.verdict,
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
        "replications": it.replications,
        "unresolved": [_place_dict(p) for p in it.unresolved],
        "kpis": {
            c.name: {"mean": _clean(c.mean), "ci_low": _clean(c.ci_low), "ci_high": _clean(c.ci_high)}
            for c in it.checks
        },
    }
