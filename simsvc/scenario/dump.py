"""A loaded scenario back to YAML, self-contained, so a run's folder says what was simulated.

Forecast CSVs are inlined as ``per_hour`` rates and day-0 traces as ``trace`` times, so the
written file loads again without the files it once pointed to (a ``trace_csv`` with days or
replayed service times stays a reference).
"""

from __future__ import annotations

from typing import Any

import yaml

from simsvc.scenario.models import Scenario

__all__ = ["scenario_mapping", "scenario_yaml"]


def scenario_mapping(scenario: Scenario) -> dict[str, Any]:
    """The scenario as a plain mapping in the file format (defaults included)."""
    data = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    for cls, raw in zip(scenario.customer_classes, data["customer_classes"], strict=True):
        arrivals, out = cls.arrivals, raw["arrivals"]
        if arrivals.csv is not None and arrivals.rates_per_hour is not None:
            out.pop("csv")
            out.pop("column", None)
            out["per_hour"] = list(arrivals.rates_per_hour)
        elif arrivals.trace_csv is not None and arrivals.trace_times is not None:
            if not any(arrivals.trace_days or ()) and arrivals.trace_service is None:
                out.pop("trace_csv")
                out["trace"] = list(arrivals.trace_times)
    return data


def scenario_yaml(scenario: Scenario) -> str:
    """The scenario as YAML text (keys in model order, Unicode kept)."""
    return yaml.safe_dump(scenario_mapping(scenario), sort_keys=False, allow_unicode=True)
