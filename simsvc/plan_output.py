"""Showing and saving an optimized plan: tables, JSON, and the files of ``simsvc optimize --out``."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table

from simsvc.output import atomic_write as _atomic
from simsvc.scenario.dump import scenario_yaml
from simsvc.staffing.plan import Plan

__all__ = ["plan_shortfalls", "print_plan", "write_plan"]


def _num(x: float | None, digits: int = 4) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}g}"


def _shift_table(plan: Plan) -> Table:
    table = Table(title="Plan: staff per shift", title_justify="left")
    frame = plan.to_frame()
    for col in ("team", "shift", "days", "training_level", "staff", "cost"):
        table.add_column(col, justify="right" if col in ("training_level", "staff", "cost") else "left")
    for row in frame.itertuples(index=False):
        table.add_row(row.team, row.shift, row.days, str(row.training_level), str(row.staff), f"{row.cost:,.2f}")
    return table


def _target_table(plan: Plan) -> Table:
    table = Table(title="Targets: predicted and simulated (95 % CI)", title_justify="left")
    for col in ("KPI", "target", "predicted", "simulated", "CI", "met"):
        table.add_column(col, justify="left" if col == "KPI" else "right")
    for c in plan.checks:
        ci = "–" if c.ci_low is None else f"[{_num(c.ci_low)}, {_num(c.ci_high)}]"
        met = "–" if c.met is None else ("yes" if c.met else "no")
        if c.missed_with_confidence:
            met = "[red]missed[/]"
        table.add_row(c.name, f"{c.sense} {c.goal:.4g}", _num(c.predicted), _num(c.mean), ci, met)
    return table


def _cost_table(plan: Plan) -> Table:
    table = Table(title="Cost over the horizon", title_justify="left")
    table.add_column("item")
    table.add_column("cost", justify="right")
    for name, value in plan.cost.items():
        table.add_row(name, f"{value:,.2f}")
    return table


def _iteration_table(plan: Plan) -> Table:
    table = Table(title="Solve and simulate rounds", title_justify="left")
    for col in ("round", "cost", "levels", "solver", "gap", "seconds", "missed with confidence"):
        table.add_column(col)
    for it in plan.iterations:
        levels = ", ".join(f"{k}: {v}" for k, v in it.levels.items())
        gap = "–" if it.solve.gap is None else f"{100 * it.solve.gap:.2f} %"
        table.add_row(
            str(it.number), f"{it.cost:,.2f}", levels, it.solve.solver, gap, f"{it.solve.seconds:.2f}",
            "; ".join(it.misses) or "none",
        )  # fmt: skip
    return table


def print_plan(plan: Plan, fmt: str, console: Console) -> None:
    """Print the plan as readable tables or as JSON."""
    if fmt == "json":
        data = plan.to_dict()
        data["shifts"] = plan.to_frame().to_dict(orient="records")
        console.file.write(json.dumps(data, indent=2) + "\n")
        return
    for table in (_shift_table(plan), _cost_table(plan), _target_table(plan), _iteration_table(plan)):
        console.print(table)


def plan_shortfalls(plan: Plan) -> list[str]:
    """Sentences for the targets the final simulation missed with confidence (empty: confirmed)."""
    out = []
    for c in plan.checks:
        if c.missed_with_confidence:
            by = abs((c.mean or 0.0) - c.goal)
            out.append(
                f"{c.name}: target {c.sense} {c.goal:.4g}, simulated {_num(c.mean)} "
                f"(95 % CI [{_num(c.ci_low)}, {_num(c.ci_high)}]), short by {by:.3g}"
            )
    return out


def write_plan(plan: Plan, folder: Path, chart: Callable[[Plan, Path], None] | None = None) -> list[Path]:
    """Write ``plan.csv``, ``scenario.yaml``, ``optimization.json``, ``staffing.csv`` (and the chart)."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    data = plan.to_dict()
    data["shifts"] = plan.to_frame().to_dict(orient="records")
    files: dict[str, Callable[[Path], None]] = {
        "plan.csv": lambda p: plan.to_frame().to_csv(p, index=False),
        "staffing.csv": lambda p: plan.staffing.to_csv(p, index=False),
        "optimization.json": lambda p: p.write_text(json.dumps(data, indent=2), encoding="utf-8"),
    }
    for name, write in files.items():
        _atomic(folder / name, write)
        written.append(folder / name)
    written += scenario_yaml(plan.to_scenario(), folder / "scenario.yaml")
    if chart is not None:
        chart(plan, folder / "staffing.png")
        written.append(folder / "staffing.png")
    return written
