"""Showing and saving an optimized plan: tables, JSON, and the files of ``simsvc optimize --out``."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.table import Table
from rich.text import Text

from simsvc.excel import write_xlsx
from simsvc.i18n import Lang, column_label, kpi_label, tr
from simsvc.jsonsafe import dumps
from simsvc.output import atomic_write as _atomic
from simsvc.scenario.dump import scenario_yaml
from simsvc.staffing.plan import Plan
from simsvc.terminal import plain, plain_row

__all__ = ["plan_shortfalls", "plan_status_text", "plan_table", "print_plan", "write_plan"]


def _num(x: float | None, digits: int = 4) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}g}"


def _shift_table(plan: Plan) -> Table:
    table = Table(title="Plan: staff per shift", title_justify="left")
    frame = plan.to_frame()
    for col in ("team", "shift", "days", "training_level", "staff", "cost"):
        table.add_column(col, justify="right" if col in ("training_level", "staff", "cost") else "left")
    for row in frame.itertuples(index=False):
        table.add_row(*plain_row(row.team, row.shift, row.days, row.training_level, row.staff, f"{row.cost:,.2f}"))
    return table


_VERDICT = {
    "met": Text("met"), "missed": Text("missed", style="red"), "unresolved": Text("unresolved", style="yellow"),
    None: Text("–"),
}  # fmt: skip

STATUS_TEXT = {
    "confirmed": "confirmed: the simulation meets every target, overall and in every {place}",
    "missed": "missed: the simulation misses a target with confidence (see the tables above)",
    "unresolved": "unresolved: no target is missed with confidence, but some stay inside their 95 % CI "
    "(see the tables above)",
    "unverified": "unverified (not simulated)",
}
"""The plan's status as the table prints it."""


def plan_status_text(status: str, unresolved: list[str], lang: str = "en") -> str:
    """The plan's status in a sentence for the app and the report (``unresolved``: "KPI where" items)."""
    shown = ", ".join(unresolved[:6]) + (f" … (+{len(unresolved) - 6})" if len(unresolved) > 6 else "")
    key = f"plan.status.{status}"
    return tr(key, lang, places=shown) if status == "unresolved" else tr(key, lang)


def _target_table(plan: Plan) -> Table:
    reps = plan.iterations[-1].replications if plan.iterations else 0
    title = "Targets: predicted and simulated (95 % CI" + (f", {reps} replications)" if reps else ")")
    table = Table(title=title, title_justify="left")
    for col in ("KPI", "target", "predicted", "simulated", "CI", "verdict"):
        table.add_column(col, justify="left" if col == "KPI" else "right")
    for c in plan.checks:
        ci = "–" if c.ci_low is None else f"[{_num(c.ci_low)}, {_num(c.ci_high)}]"
        table.add_row(*plain_row(c.name, f"{c.sense} {c.goal:.4g}", _num(c.predicted), _num(c.mean), ci,
                                 _VERDICT[c.verdict]))  # fmt: skip
    return table


def _places_table(plan: Plan) -> Table | None:
    """Targets missed or unresolved in some interval or day (the overall ones are in the target table)."""
    rows = [p for p in plan.places if p.verdict in ("missed", "unresolved") and p.where != "overall"]
    if not rows:
        return None
    table = Table(title="Targets missed or unresolved by interval or day (95 % CI)", title_justify="left")
    for col in ("KPI", "where", "target", "simulated", "CI", "replications", "verdict"):
        table.add_column(col, justify="left" if col in ("KPI", "where") else "right")
    for p in rows:
        table.add_row(*plain_row(
            p.name, p.where, f"{p.sense} {p.goal:.4g}", _num(p.mean), f"[{_num(p.ci_low)}, {_num(p.ci_high)}]",
            str(p.replications), _VERDICT[p.verdict],
        ))  # fmt: skip
    return table


COST_LABELS = {
    "cost": "operating cost",
    "cost_wages": "  wages",
    "cost_wages_front_line": "    front line",
    "cost_wages_complaint_teams": "    complaint teams",
    "cost_training": "  training",
    "cost_complaints": "  complaint handling",
    "per_day": "operating cost per day",
}
"""Labels of the plan's cost items, in the order shown (the parts indented under their sum)."""


def _cost_table(plan: Plan) -> Table:
    table = Table(title="Operating cost over the horizon", title_justify="left")
    table.add_column("item")
    table.add_column("cost", justify="right")
    for name, label in COST_LABELS.items():
        if name in plan.cost:
            table.add_row(*plain_row(label, f"{plan.cost[name]:,.2f}"))
    return table


def _iteration_table(plan: Plan) -> Table:
    table = Table(title="Solve and simulate rounds", title_justify="left")
    columns = ("round", "operating cost", "levels", "solver", "gap", "seconds", "replications",
               "missed with confidence", "unresolved")  # fmt: skip
    for col in columns:
        table.add_column(col)
    for it in plan.iterations:
        levels = ", ".join(f"{k}: {v}" for k, v in it.levels.items())
        gap = "–" if it.solve.gap is None else f"{100 * it.solve.gap:.2f} %"
        if not it.solve.optimal:
            gap += " (stopped at the time limit)"
        unresolved = "; ".join(f"{p.name} {p.where}" for p in it.unresolved) or ("none" if it.replications else "–")
        table.add_row(*plain_row(
            str(it.number), f"{it.cost:,.2f}", levels, it.solve.solver, gap, f"{it.solve.seconds:.2f}",
            str(it.replications or "–"), "; ".join(it.misses) or ("none" if it.replications else "–"), unresolved,
        ))  # fmt: skip
    return table


def print_plan(plan: Plan, fmt: str, console: Console) -> None:
    """Print the plan as readable tables or as JSON."""
    if fmt == "json":
        data = plan.to_dict()
        data["shifts"] = plan.to_frame().to_dict(orient="records")
        console.file.write(dumps(data, indent=2) + "\n")
        return
    for table in (_shift_table(plan), _cost_table(plan), _target_table(plan), _places_table(plan),
                  _iteration_table(plan)):  # fmt: skip
        if table is not None:
            console.print(table)
    assert plan.scenario.optimizer is not None
    place = "interval" if plan.scenario.optimizer.scope == "interval" else "day"
    console.print(plain(f"Plan status: {STATUS_TEXT[plan.status].format(place=place)}"), highlight=False)


def plan_shortfalls(plan: Plan, lang: Lang = "en") -> list[str]:
    """Sentences for the targets the final simulation missed with confidence, and where (empty: none missed).

    In English (the command line's), KPIs by their code names; in another language by their labels.
    """
    out = []
    for p in plan.missed:
        if p.where == "overall":
            where = tr("plan.where.overall", lang)
        elif p.where.startswith("day "):
            where = tr("plan.where.day", lang, day=p.where.removeprefix("day "))
        else:
            where = tr("plan.where.in", lang, where=p.where)
        out.append(tr(
            "plan.shortfall", lang, name=p.name if lang == "en" else kpi_label(p.name, lang), where=where,
            sense=p.sense, goal=f"{p.goal:.4g}", mean=_num(p.mean), low=_num(p.ci_low), high=_num(p.ci_high),
            replications=p.replications, short=f"{abs(p.mean - p.goal):.3g}",
        ))  # fmt: skip
    return out


def write_plan(plan: Plan, folder: Path, chart: Callable[[Plan, Path], None] | None = None) -> list[Path]:
    """Write ``plan.csv``, ``plan.xlsx``, ``scenario.yaml``, ``optimization.json``, ``staffing.csv`` (and the chart)."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    data = plan.to_dict()
    data["shifts"] = plan.to_frame().to_dict(orient="records")
    files: dict[str, Callable[[Path], None]] = {
        "plan.csv": lambda p: plan.to_frame().to_csv(p, index=False),
        "staffing.csv": lambda p: plan.staffing.to_csv(p, index=False),
        "optimization.json": lambda p: p.write_text(dumps(data, indent=2), encoding="utf-8"),
    }
    for name, write in files.items():
        _atomic(folder / name, write)
        written.append(folder / name)
    write_xlsx(folder / "plan.xlsx", {"plan": plan.to_frame(), "staffing": plan.staffing}, {"plan": 2, "staffing": 1})
    written.append(folder / "plan.xlsx")
    written += scenario_yaml(plan.to_scenario(), folder / "scenario.yaml")
    if chart is not None:
        chart(plan, folder / "staffing.png")
        written.append(folder / "staffing.png")
    return written


def plan_table(frame: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """The optimizer's plan (``Plan.to_frame()``, or the ``plan.csv`` written from it) as people read it.

    For the app and the HTML report alike: headings in ``lang``, a shift's break said in ``lang``
    ("09:00-17:00 休息 12:00-12:30"), money with 2 decimals and thousands separators (as the
    command line's plan table), blanks as "-". A table without the start, end and break columns
    (an older ``plan.csv``) keeps its shift labels.
    """
    shown = frame.copy()
    if {"start", "end", "break"} <= set(frame.columns):
        word = tr("ui.break", lang)
        breaks = ["" if not isinstance(b, str) else b for b in frame["break"]]  # NaN from a CSV: none
        shown["shift"] = [
            f"{start}-{end}" + (f" {word} {brk}" if brk else "")
            for start, end, brk in zip(frame["start"], frame["end"], breaks, strict=True)
        ]
        shown["break"] = [brk or "-" for brk in breaks]
    if "cost" in frame.columns:
        money = [isinstance(v, (int, float)) and not math.isnan(v) for v in frame["cost"]]
        shown["cost"] = [f"{v:,.2f}" if ok else "-" for v, ok in zip(frame["cost"], money, strict=True)]
    return shown.fillna("-").rename(columns=lambda c: column_label(c, lang))
