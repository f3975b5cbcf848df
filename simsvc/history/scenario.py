"""The scenario of a forecast: ``simsvc forecast --fit fit.yaml --out DIR`` writes ``DIR/scenario.yaml``.

It joins what the log gave (the forecast's ``horizon`` and ``arrivals``, the fitted
``service_time`` and ``patience``) with a starting point for what a log cannot give: one team
of agents, a wage, the targets and the candidate shifts ``simsvc optimize`` chooses from,
written out in the file, commented, for the planner to edit. The targets are the classic 80 %
answered within 20 seconds with at most 5 % hanging up (the shipped log's planner worked to
the same); shifts are 8 hours with a 30-minute unpaid break or 4 hours, starting on the
interval, staffed day by day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from simsvc.errors import ScenarioError
from simsvc.scenario.base import minutes_to_clock
from simsvc.scenario.load import read_yaml

__all__ = ["FIT_BLOCKS", "WAGE_PER_HOUR", "FitFileError", "forecast_scenario", "read_fit", "scenario_text"]

FIT_BLOCKS = ("service_time", "patience")
"""The blocks of ``fit.yaml`` (``simsvc fit --out``) a customer class takes."""
WAGE_PER_HOUR = 24.0
"""The agents' wage per paid hour written into the scenario (a starting point to edit)."""
TARGETS: dict[str, Any] = {"service_level": {"within": 0.333, "fraction": 0.8}, "max_abandonment": 0.05}
"""The targets written into the scenario: 80 % answered within 20 s, at most 5 % abandoning."""
LONG, SHORT, BREAK = 480, 240, 30
"""Candidate shift lengths and the long shift's unpaid break (minutes)."""


class FitFileError(ScenarioError):
    """A ``fit.yaml`` given to ``simsvc forecast --fit`` is invalid (a :class:`ScenarioError`: exit 2)."""

    kind = "fit file"


def read_fit(path: Path) -> dict[str, Any]:
    """The ``service_time`` (and ``patience``) blocks of a ``fit.yaml``, checked as a customer class's.

    Raises:
        FitFileError: naming ``path`` and the field that is missing or wrong.
    """
    from pydantic import TypeAdapter, ValidationError

    from simsvc.distributions import DistributionSpec
    from simsvc.scenario.problems import format_loc, pydantic_problems

    try:
        data = read_yaml(path)
    except ScenarioError as exc:  # not found, not YAML: the same message, naming a fit file
        raise FitFileError(exc.source, exc.problems) from None
    if not isinstance(data, Mapping):
        raise FitFileError(str(path), [("", "must hold the service_time and patience blocks of `simsvc fit --out`")])
    problems = [
        (str(k), f"unknown block (a fit.yaml has {', '.join(FIT_BLOCKS)})") for k in data if k not in FIT_BLOCKS
    ]
    if "service_time" not in data:
        problems.append(("service_time", "missing (the handling-time block `simsvc fit --out` writes)"))
    spec = TypeAdapter(DistributionSpec)
    for key in FIT_BLOCKS:
        if key in data:
            try:
                spec.validate_python(data[key])
            except ValidationError as exc:
                problems += [(format_loc((key,)) + ("." + p if p else ""), w) for p, w in pydantic_problems(exc)]
    if problems:
        raise FitFileError(str(path), problems)
    return {k: data[k] for k in FIT_BLOCKS if k in data}


def _families(open_minute: float, close_minute: float, step: int) -> list[dict[str, Any]]:
    """Long shifts with a break and short ones, starting every ``step`` minutes while they end by closing."""

    def window(length: int) -> dict[str, str]:
        latest = minutes_to_clock(close_minute - length)
        return {"earliest": minutes_to_clock(open_minute), "latest": latest, "every": step}

    families = []
    if close_minute - open_minute >= LONG:
        brk = {"minutes": BREAK, "earliest_after": 180, "latest_after": 270, "every": 30}
        families.append({"start": window(LONG), "lengths": [LONG], "break": brk, "days": "each"})
    if close_minute - open_minute >= SHORT:
        families.append({"start": window(SHORT), "lengths": [SHORT], "days": "each"})
    else:
        length = int(close_minute - open_minute)
        families.append({"start": window(length), "lengths": [length], "days": "each"})
    return families


def forecast_scenario(
    horizon: Mapping[str, Any], arrivals: Mapping[str, Any], fit: Mapping[str, Any], first: dt.date, seed: int = 2026
) -> dict[str, Any]:
    """The scenario (file format) of the forecast days, with the fitted blocks and the editable starting point.

    Args:
        horizon: the forecast's ``horizon`` block (days, open, close, interval_minutes).
        arrivals: the forecast's ``arrivals`` block (``{csv: forecast.csv, column: per_hour}``).
        fit: the ``service_time`` and ``patience`` blocks (:func:`read_fit`).
        first: the date of day 0.
        seed: the scenario's simulation seed.
    """
    from simsvc.scenario.base import clock_to_minutes

    open_m, close_m = clock_to_minutes(horizon["open"]), clock_to_minutes(horizon["close"])
    days = int(horizon["days"])
    return {
        "name": f"Contact centre — {days} days from {first:%a %Y-%m-%d}",
        "horizon": dict(horizon),
        "customer_classes": [{"name": "caller", "arrivals": dict(arrivals), **fit}],
        "teams": [{"name": "agents", "serves": ["caller"], "staff": [0]}],
        "training_levels": [{"level": 0, "wage_per_hour": WAGE_PER_HOUR}],
        "targets": TARGETS,
        "optimizer": {"shifts": _families(open_m, close_m, int(horizon["interval_minutes"]))},
        "simulation": {"replications": 20, "seed": seed},
    }


_COMMENTS = {
    "horizon": "the forecast's days and opening hours (forecast.yaml)",
    "customer_classes": "demand from forecast.csv; service_time and patience from fit.yaml",
    "teams": "no one yet: `simsvc optimize` plans the agents' shifts",
    "training_levels": "the agents' wage per paid hour: put yours",
    "targets": "80 % answered within 20 s, at most 5 % hang up: put yours",
    "optimizer": "candidate shifts: 8 h with a 30-min unpaid break, or 4 h, staffed day by day",
    "simulation": "replications of `simsvc run` and of each check of the plan",
}


def scenario_text(scenario: Mapping[str, Any], header: str) -> str:
    """The scenario as YAML, each block under a comment saying where it comes from or what to edit."""

    def dump(key: str) -> str:
        leaf = not isinstance(scenario[key], (Mapping, list))  # {name: ...} alone in flow style is no document
        flow = False if leaf else None
        return yaml.safe_dump({key: scenario[key]}, sort_keys=False, default_flow_style=flow, allow_unicode=True)

    parts = [f"# {line}\n" for line in header.splitlines()]
    for key in scenario:
        if key in _COMMENTS:
            parts.append(f"# {_COMMENTS[key]}\n")
        parts.append(dump(key))
    return "".join(parts)
