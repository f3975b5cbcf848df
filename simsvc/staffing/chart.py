"""The staffing-versus-demand chart of an optimized plan (``staffing.png``).

All front-line teams together: demand per hour, staff on duty and the staff the curves
require, drawn by :func:`simsvc.plots.staffing_vs_demand` (English or Chinese).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from simsvc.staffing.plan import Plan

__all__ = ["save_staffing_chart", "staffing_frame"]


def staffing_frame(plan: Plan) -> pd.DataFrame:
    """Per interval (label ``"HH:MM"``, or ``"day HH:MM"`` over several days): demand, staff, required."""
    frame = plan.staffing.groupby(["day", "interval"], sort=True)[["demand_per_hour", "staff", "required"]].sum(
        min_count=1
    )
    several_days = frame.index.get_level_values("day").nunique() > 1
    frame.index = [f"{d} {i}" if several_days else i for d, i in frame.index]
    return frame.rename(columns={"demand_per_hour": "demand"})


def save_staffing_chart(plan: Plan, path: Path, lang: str = "en") -> None:
    """Draw the chart of ``plan`` and save it as a PNG at ``path``."""
    from simsvc.plots import save_png, staffing_vs_demand

    save_png(staffing_vs_demand(staffing_frame(plan), lang=lang), path)
