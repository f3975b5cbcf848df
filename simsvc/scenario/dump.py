"""Writing a scenario back to a YAML file that ``simsvc run`` accepts, wherever it is saved.

Demand read from files is written inline (``per_hour``), or, for a trace, into a CSV beside
the YAML file, so the saved scenario does not depend on the folder it came from.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import yaml

from simsvc.scenario.models import Scenario

__all__ = ["scenario_mapping", "scenario_yaml"]


def _trace_csv(arrivals: Any) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    service = arrivals.trace_service
    writer.writerow(["day", "time"] + (["service_time"] if service is not None else []))
    for i, (day, time) in enumerate(zip(arrivals.trace_days, arrivals.trace_times, strict=True)):
        writer.writerow([day, repr(float(time))] + ([repr(float(service[i]))] if service is not None else []))
    return out.getvalue()


def scenario_mapping(scenario: Scenario, stem: str = "scenario") -> tuple[dict[str, Any], dict[str, str]]:
    """The scenario as a plain mapping, and the trace CSV files it refers to (name -> text)."""
    data = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    files: dict[str, str] = {}
    for i, cls in enumerate(scenario.customer_classes):
        arr, spec = cls.arrivals, data["customer_classes"][i]["arrivals"]
        for key in ("per_hour", "csv", "column", "trace", "trace_csv"):
            spec.pop(key, None)
        if arr.rates_per_hour is not None:
            spec["per_hour"] = list(arr.rates_per_hour)
        else:
            name = f"{stem}_{cls.name}_trace.csv"
            files[name] = _trace_csv(arr)
            spec["trace_csv"] = name
    return data, files


def scenario_yaml(scenario: Scenario, path: Path) -> list[Path]:
    """Write ``scenario`` to ``path`` (and any trace CSV beside it); return the files written."""
    data, files = scenario_mapping(scenario, path.stem)
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100, default_flow_style=None)
    path.write_text(text, encoding="utf-8")
    written = [path]
    for name, text in files.items():
        (path.parent / name).write_text(text, encoding="utf-8")
        written.append(path.parent / name)
    return written
