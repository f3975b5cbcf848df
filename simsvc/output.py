"""Presenting a :class:`~simsvc.result.SimResult`: terminal tables, JSON, CSV and files.

Files are written atomically (to a temporary name, then renamed), so an interrupted
write never leaves a half-written table behind.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.table import Table
from rich.text import Text

from simsvc.i18n import Lang, kpi_label, tr
from simsvc.jsonsafe import dumps
from simsvc.kpi_format import KPI_SECTIONS, NOT_APPLICABLE, format_kpi
from simsvc.result import SimResult
from simsvc.scenario.dump import scenario_yaml
from simsvc.scenario.models import Scenario
from simsvc.scenario.quality_models import DIMENSIONS
from simsvc.targets import Goal, Verdict, goals, verdict
from simsvc.terminal import plain, plain_row

__all__ = [
    "CSV_TABLES", "KPI_SECTIONS", "NOT_APPLICABLE", "TargetRow", "atomic_write", "csv_table", "format_estimate",
    "format_interval", "format_kpi", "print_result", "shows_lost_value", "target_rows", "write_result",
]  # fmt: skip

_CLASS_KPIS = ["arrivals", "mean_wait", "p95_wait", "service_level", "abandonment_rate"]
_CLASS_QUALITY_KPIS = ["satisfaction", "dissatisfied_share", "complaint_rate"]


def format_interval(kpi: str, low: float | None, high: float | None, lang: str = "en") -> str:
    """A confidence interval as people read it, ``low – high``; "n/a" when it does not exist (NaN or None)."""
    if low is None or high is None or math.isnan(float(low)) or math.isnan(float(high)):
        return NOT_APPLICABLE
    return f"{format_kpi(kpi, float(low), lang)} – {format_kpi(kpi, float(high), lang)}"


def shows_lost_value(summary: pd.DataFrame) -> bool:
    """Whether displays show the value-of-customers-lost block: only when that value is not 0.

    It is 0 when the scenario declares no ``costs.lost_customer_value`` (or runs without the
    quality model, where nobody is lost); then ``cost_and_lost_value`` would only repeat ``cost``.
    """
    if "lost_customer_value" not in summary.index:
        return False
    value = summary.loc["lost_customer_value", "mean"]
    return not pd.isna(value) and float(value) != 0.0


def format_estimate(kpi: str, mean: float, low: float | None, high: float | None, lang: str = "en") -> str:
    """A mean with its confidence interval, the unit written once: ``94.9 % [93.1, 96.7]``, ``2.27 min [0.23, 4.30]``.

    Without an interval (NaN: one replication) only the mean is shown.
    """
    text = format_kpi(kpi, mean, lang)
    if low is None or high is None or math.isnan(low) or math.isnan(high):
        return text
    unit = text[text.index(" ") :] if " " in text else ""  # " %", " min"; none for counts and money
    bounds = (format_kpi(kpi, b, lang).removesuffix(unit) if unit else format_kpi(kpi, b, lang) for b in (low, high))
    return f"{text} [{', '.join(bounds)}]"


@dataclass(frozen=True)
class TargetRow:
    """One target as people read it: what it asks, the KPI's mean with its CI, and the CI's verdict."""

    goal: Goal
    name: str
    """``service level: 80% within 5 min``, ``abandonment at most 5%``, ``dissatisfied share ≤ 20.0 %``."""
    value: str
    """``94.6 % (93.1 % – 96.7 %)``: the mean and its confidence interval."""
    verdict: Verdict | None
    """Met, missed or unresolved by the CI (:func:`simsvc.targets.verdict`); None without an interval."""


def target_rows(scenario: Scenario, summary: pd.DataFrame, lang: Lang = "en") -> list[TargetRow]:
    """Each target the scenario sets whose KPI the summary has, in ``lang`` (the report's and the app's rows)."""
    rows = []
    for goal in goals(scenario):
        if goal.kpi not in summary.index:
            continue
        mean, low, high = (float(summary.loc[goal.kpi, c]) for c in ("mean", "ci_low", "ci_high"))
        if goal.target == "service_level":
            name = tr("ui.sl_target", lang, within=scenario.targets.service_level.within, fraction=goal.value)
        elif goal.target == "max_abandonment":
            name = tr("ui.abandon_target", lang, value=goal.value)
        else:
            sense = "≥" if goal.sense == ">=" else "≤"
            name = f"{kpi_label(goal.kpi, lang)} {sense} {format_kpi(goal.kpi, goal.value, lang)}"
        value = f"{format_kpi(goal.kpi, mean, lang)} ({format_interval(goal.kpi, low, high, lang)})"
        rows.append(TargetRow(goal, name, value, verdict(goal, low, high)))
    return rows


def _targets_table(result: SimResult, summary: pd.DataFrame, level: int) -> Table | None:
    """Each target the scenario sets, its KPI's mean and CI, and whether the CI says met, missed or unresolved."""
    rows = goals(result.scenario)
    if not rows:
        return None
    table = Table(title=f"targets (overall; verdict by the {level} % CI)", title_justify="left")
    for col in ("KPI", "target", f"value [{level} % CI]", "verdict", "set by"):
        table.add_column(col, justify="right" if col in ("target", f"value [{level} % CI]") else "left")
    styles = {"met": "green", "missed": "bold red", "unresolved": "yellow"}
    for goal in rows:
        if goal.kpi in summary.index:
            mean, low, high = (float(summary.loc[goal.kpi, c]) for c in ("mean", "ci_low", "ci_high"))
        else:
            mean = low = high = math.nan
        judged = verdict(goal, low, high)
        shown = Text(NOT_APPLICABLE) if judged is None else Text(judged, style=styles[judged])
        field = f"targets.{goal.target}"
        if goal.target == "service_level":
            field += f" (within {result.scenario.targets.service_level.within:g} min)"
        elif goal.target == "min_satisfied":
            field += f" = {format_kpi('dissatisfied_share', 1 - goal.value)}"
        sense = "≥" if goal.sense == ">=" else "≤"
        table.add_row(*plain_row(
            goal.kpi, f"{sense} {format_kpi(goal.kpi, goal.value)}", format_estimate(goal.kpi, mean, low, high),
            shown, field,
        ))  # fmt: skip
    return table


def _ci_table(title: str, rows: pd.DataFrame, names: list[str], level: int, label: str = "KPI") -> Table:
    table = Table(title=plain(title), title_justify="left")
    table.add_column(label)
    table.add_column("mean", justify="right")
    table.add_column(f"{level} % CI", justify="right")
    for kpi in names:
        if kpi not in rows.index:
            continue
        table.add_row(*plain_row(kpi.removeprefix("gap_"), *_mean_ci(kpi, rows.loc[kpi])))
    return table


def _mean_ci(kpi: str, row: pd.Series) -> tuple[str, str]:
    low, high = row["ci_low"], row["ci_high"]
    return format_kpi(kpi, row["mean"]), format_interval(kpi, low, high)


def _cost_table(summary: pd.DataFrame, level: int) -> Table:
    """Operating cost and its parts; then, in a block of its own, the value of customers lost and the sum."""
    caption = "operating cost (what the firm pays) = wages + training + complaint handling"
    table = Table(title="cost (per replication)", title_justify="left", caption=caption, caption_justify="left")
    for column, justify in (("", "left"), ("KPI", "left"), ("mean", "right"), (f"{level} % CI", "right")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    operating = [k for k in KPI_SECTIONS["cost"] if k in summary.index]
    for i, kpi in enumerate(operating):
        label = kpi_label(kpi) if kpi == "cost" else f"  {kpi_label(kpi)}"
        table.add_row(label, kpi, *_mean_ci(kpi, summary.loc[kpi]), end_section=i == len(operating) - 1)
    if shows_lost_value(summary):
        lost = summary.loc["lost_customer_value"]
        table.add_row(f"{kpi_label('lost_customer_value')} (not paid)", "lost_customer_value",
                      *_mean_ci("lost_customer_value", lost), end_section=True)  # fmt: skip
        if "cost_and_lost_value" in summary.index:
            table.add_row(kpi_label("cost_and_lost_value"), "cost_and_lost_value",
                          *_mean_ci("cost_and_lost_value", summary.loc["cost_and_lost_value"]))  # fmt: skip
    return table


def _tables(result: SimResult) -> list[Table]:
    s = result.scenario
    level = round(100 * s.simulation.confidence)
    summary = result.summary()
    head = f"{s.name} — {result.replications} replications, seed {result.seed}"
    tables = [_ci_table(head, summary, KPI_SECTIONS["service"], level)]
    if s.quality.enabled:
        tables.append(_ci_table("service quality", summary, KPI_SECTIONS["quality"], level))
        gaps = [f"gap_{d}" for d in DIMENSIONS]
        title = "SERVQUAL gap per dimension (perceived − expected, 1-7 scale; served customers)"
        tables.append(_ci_table(title, summary, gaps, level, label="dimension"))
    if "deferred_within_target" in summary.index:
        title = "deferred work (answered = reply sent at the end of handling; backlog over openings after a night)"
        tables.append(_ci_table(title, summary, KPI_SECTIONS["deferred"], level))
    tables.append(_cost_table(summary, level))
    if len(s.customer_classes) > 1:
        tables.append(_class_table(result))
    return tables


def _class_table(result: SimResult) -> Table:
    means = result.by_class()["mean"].unstack("kpi")
    kpis = _CLASS_KPIS + (_CLASS_QUALITY_KPIS if result.scenario.quality.enabled else [])
    table = Table(title="by class (means)", title_justify="left")
    table.add_column("class")
    for kpi in kpis:
        table.add_column(kpi, justify="right")
    for name in [c.name for c in result.scenario.customer_classes]:
        table.add_row(*plain_row(name, *(format_kpi(k, means.loc[name, k]) for k in kpis)))
    return table


def print_result(result: SimResult, fmt: str, console: Console) -> None:
    """Print the KPIs as a readable ``table``, as ``json`` or as ``csv``."""
    if fmt == "json":
        console.file.write(dumps(result.to_dict(), indent=2) + "\n")
    elif fmt == "csv":
        console.file.write(result.summary().to_csv(index_label="kpi"))
    else:
        for table in _tables(result):
            console.print(table)
        level = round(100 * result.scenario.simulation.confidence)
        targets = _targets_table(result, result.summary(), level)
        if targets is not None:
            console.print(targets)
        target = result.scenario.targets.service_level
        console.print(
            f"service level = share of arrivals served within {target.within:g} min "
            f"(target {100 * target.fraction:.0f} %)",
            style="dim",
        )


CSV_TABLES: dict[str, Callable[[SimResult], pd.DataFrame]] = {
    "overall": lambda r: r.summary().rename_axis("kpi"),
    "class": SimResult.by_class,
    "interval": SimResult.by_interval,
    "day": SimResult.by_day,
    "station": SimResult.by_station,
}
"""The KPI tables ``simsvc run --format csv --table NAME`` prints (``--out`` writes all of them)."""


def csv_table(result: SimResult, table: str = "overall") -> str:
    """One KPI table as CSV text: ``overall`` (index ``kpi``), ``class``, ``interval`` or ``day`` (index group, kpi).

    Columns ``mean``, ``ci_low``, ``ci_high``, ``n``; shares as fractions, as in JSON.
    """
    if table not in CSV_TABLES:
        raise ValueError(f"table(={table!r}) must be one of {', '.join(CSV_TABLES)}")
    return CSV_TABLES[table](result).to_csv()


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Let ``write`` fill a temporary file beside ``path``, flush it to disk, then rename it into place.

    Readers, and a run killed at any moment, see either the old file or the whole new one.
    """
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        # mkstemp makes the file private (0600); give it the permissions of any new file.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_result(result: SimResult, folder: Path) -> list[Path]:
    """Write the summary, per-class/interval/day/station KPIs, per-replication KPIs, the scenario and records."""
    folder.mkdir(parents=True, exist_ok=True)
    tables: dict[str, Callable[[Path], None]] = {
        "summary.csv": lambda p: result.summary().to_csv(p, index_label="kpi"),
        "by_class.csv": lambda p: result.by_class().to_csv(p),
        "by_interval.csv": lambda p: result.by_interval().to_csv(p),
        "by_day.csv": lambda p: result.by_day().to_csv(p),
        "by_station.csv": lambda p: result.by_station().to_csv(p),
        "kpis_by_replication.parquet": lambda p: result.kpis.to_parquet(p, index=False),
        "result.json": lambda p: p.write_text(dumps(result.to_dict(), indent=2), encoding="utf-8"),
    }
    if result.has_records:
        tables["customers.parquet"] = lambda p: result.customers.to_parquet(p, index=False)
        if any(not j.one_step for j in result.scenario.journeys):  # a journey's steps, one row each
            tables["steps.parquet"] = lambda p: result.steps.to_parquet(p, index=False)
    written = []
    for name, write in tables.items():
        atomic_write(folder / name, write)
        written.append(folder / name)
    return written + scenario_yaml(result.scenario, folder / "scenario.yaml")
