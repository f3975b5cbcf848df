"""Shared plumbing of the study scripts: arguments, running a sweep into the output folder, tables, figures."""

from __future__ import annotations

import argparse
import math
import shutil
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display

import pandas as pd

from simsvc.experiments import load, run_sweep

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"


def arguments(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--out", type=Path, required=True, help="output folder (figures, table.md, the sweep store)")
    parser.add_argument("--quick", action="store_true", help="a small, fast version (used by the tests)")
    parser.add_argument("--workers", type=int, default=None, help="local processes (default: all cores)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    return args


def sweep(spec: dict, args: argparse.Namespace, name: str = "store", group: str = "overall") -> pd.DataFrame:
    """Run the experiment into OUT/NAME (afresh) and return its results table."""
    store = args.out / name
    shutil.rmtree(store, ignore_errors=True)
    run = run_sweep(spec, store, workers=args.workers)
    print(f"{spec['name']}: {run.total} tasks in {run.seconds:.1f} s → {store}")
    return load(store, group=group)


def fmt(value: object, digits: int = 3) -> str:
    if isinstance(value, float):
        return "–" if math.isnan(value) else f"{value:.{digits}g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def ci(frame: pd.DataFrame, kpi: str, digits: int = 3) -> pd.Series:
    """``mean [low, high]`` strings from a summary's KPI columns."""
    return frame.apply(
        lambda r: f"{fmt(r[kpi], digits)} [{fmt(r[f'{kpi}_ci_low'], digits)}, {fmt(r[f'{kpi}_ci_high'], digits)}]",
        axis=1,
    )


def markdown(frame: pd.DataFrame, columns: Sequence[str] | None = None) -> str:
    """A GitHub markdown table."""
    frame = frame[list(columns)] if columns is not None else frame
    head = "| " + " | ".join(str(c) for c in frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    rows = ["| " + " | ".join(fmt(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *rows])


def write_report(args: argparse.Namespace, title: str, sections: Sequence[tuple[str, str]]) -> Path:
    """OUT/table.md: a title, then (heading, markdown) sections."""
    text = f"# {title}\n\n" + "\n\n".join(f"## {h}\n\n{body}" for h, body in sections) + "\n"
    path = args.out / "table.md"
    path.write_text(text, encoding="utf-8")
    print(text)
    return path


def save(fig, args: argparse.Namespace, name: str) -> Path:
    path = args.out / name
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"wrote {path}")
    return path
