"""Reading what ``simsvc run --out`` and ``simsvc optimize --out`` wrote, for the report.

The kind of a folder is told by its files: a run has ``summary.csv`` and ``by_interval.csv``;
an optimization has ``plan.csv`` and ``optimization.json``. Anything else is a
:class:`ReportError` that names the folder and the files it lacks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from simsvc.errors import ScenarioError
from simsvc.scenario.models import Scenario

__all__ = ["RUN_FILES", "OPTIMIZATION_FILES", "OptimizationFolder", "ReportError", "RunFolder", "read_folder"]

RUN_FILES = ("summary.csv", "by_interval.csv")
OPTIMIZATION_FILES = ("plan.csv", "optimization.json")
_CUSTOMER_COLUMNS = ["wait", "outcome", "warmup"]


class ReportError(ValueError):
    """A folder the report cannot be made from; the message names the folder and what is wrong."""


@dataclass
class ScenarioInfo:
    """The scenario of a folder: validated if it loads, else its raw mapping (or nothing)."""

    mapping: dict[str, Any] = field(default_factory=dict)
    scenario: Scenario | None = None
    problem: str | None = None


@dataclass
class RunFolder:
    """A simulation run's tables."""

    path: Path
    summary: pd.DataFrame
    by_interval: pd.DataFrame
    result: dict[str, Any]
    customers: pd.DataFrame | None
    info: ScenarioInfo
    kind: Literal["run"] = "run"


@dataclass
class OptimizationFolder:
    """An optimization's plan, costs, KPIs and targets."""

    path: Path
    plan: pd.DataFrame
    optimization: dict[str, Any]
    staffing_png: bytes | None
    info: ScenarioInfo
    kind: Literal["optimization"] = "optimization"


def _scenario(folder: Path) -> ScenarioInfo:
    from simsvc.scenario import load_scenario
    from simsvc.scenario.dump import scenario_mapping
    from simsvc.scenario.load import read_yaml

    path = folder / "scenario.yaml"
    if not path.is_file():
        return ScenarioInfo(problem=f"{path.name} not found")
    try:
        scenario = load_scenario(path)
    except ScenarioError as exc:
        try:
            raw = read_yaml(path)
        except ScenarioError:
            raw = None
        return ScenarioInfo(mapping=raw if isinstance(raw, dict) else {}, problem=str(exc))
    return ScenarioInfo(mapping=scenario_mapping(scenario)[0], scenario=scenario)


def _csv(path: Path, **kwargs: Any) -> pd.DataFrame:
    try:
        return pd.read_csv(path, **kwargs)
    except (ValueError, OSError) as exc:
        raise ReportError(f"{path}: cannot read the table: {exc}") from None


def _json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, OSError) as exc:
        raise ReportError(f"{path}: not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ReportError(f"{path}: expected a JSON object")
    return data


def _read_run(folder: Path) -> RunFolder:
    summary = _csv(folder / "summary.csv", index_col="kpi")
    by_interval = _csv(folder / "by_interval.csv", index_col=[0, 1], dtype={"interval": str})
    for name, frame, columns in (("summary.csv", summary, ["mean", "ci_low", "ci_high"]),
                                 ("by_interval.csv", by_interval, ["mean"])):  # fmt: skip
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise ReportError(f"{folder / name}: missing column(s) {', '.join(missing)}")
    result = _json(folder / "result.json") if (folder / "result.json").is_file() else {}
    customers = None
    if (folder / "customers.parquet").is_file():
        customers = pd.read_parquet(folder / "customers.parquet", columns=_CUSTOMER_COLUMNS)
    return RunFolder(folder, summary, by_interval, result, customers, _scenario(folder))


def _read_optimization(folder: Path) -> OptimizationFolder:
    plan = _csv(folder / "plan.csv")
    optimization = _json(folder / "optimization.json")
    png = folder / "staffing.png"
    return OptimizationFolder(
        folder, plan, optimization, png.read_bytes() if png.is_file() else None, _scenario(folder)
    )


def read_folder(folder: Path) -> RunFolder | OptimizationFolder:
    """Read a run's or an optimization's output folder, telling which by its files.

    Raises:
        ReportError: the folder does not exist, or holds neither kind's files.
    """
    if not folder.is_dir():
        raise ReportError(f"{folder}: no such folder")
    if all((folder / f).is_file() for f in OPTIMIZATION_FILES):
        return _read_optimization(folder)
    if all((folder / f).is_file() for f in RUN_FILES):
        return _read_run(folder)
    raise ReportError(
        f"{folder}: not a simsvc output folder: a run's (simsvc run --out) has {' and '.join(RUN_FILES)}, "
        f"an optimization's (simsvc optimize --out) has {' and '.join(OPTIMIZATION_FILES)}"
    )
