"""Money figures: the cost breakdown of a run and the cost-satisfaction Pareto frontier of a sweep."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from simsvc.i18n import Lang, kpi_label, tr
from simsvc.pareto import pareto_mask
from simsvc.plots._base import ci_error, figure_function, new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["COST_PARTS", "cost_breakdown", "pareto_frontier"]

COST_PARTS = ("cost_wages", "cost_training", "cost_complaints", "cost_lost_customers")


@figure_function
def cost_breakdown(summary: pd.DataFrame, *, lang: Lang = "en") -> Figure:
    """Cost per replication by component (wages, training, complaints, lost customers), with CIs.

    Args:
        summary: :meth:`simsvc.SimResult.summary` (rows ``cost`` and ``cost_*``).
        lang: language of the labels.
    """
    parts = [p for p in COST_PARTS if p in summary.index]
    if not parts:
        raise ValueError("no cost KPIs (cost_wages, ...) in the summary")
    rows = summary.loc[parts, ["mean", "ci_low", "ci_high"]].astype(float)
    mean = rows["mean"].to_numpy()
    fig = new_figure()
    ax = fig.add_subplot()
    y = np.arange(len(parts))[::-1]
    ax.barh(y, mean, color=["#1f77b4", "#9467bd", "#ff7f0e", "#d62728"][: len(parts)], alpha=0.9)
    ax.errorbar(mean, y, xerr=ci_error(rows), fmt="none", ecolor="black", capsize=5, label=tr("fig.ci", lang))
    ax.set_yticks(y)
    ax.set_yticklabels([kpi_label(p, lang) for p in parts])
    ax.set_xlabel(tr("fig.cost.x", lang))
    total = float(summary.loc["cost", "mean"]) if "cost" in summary.index else float(mean.sum())
    ax.set_title(f"{tr('fig.cost.title', lang)} — {kpi_label('cost', lang)}: {total:,.0f}")
    ax.legend(loc="lower right", fontsize="small")
    return fig


@figure_function
def pareto_frontier(
    frame: pd.DataFrame,
    x: str = "cost",
    y: str = "satisfaction",
    *,
    minimize: Sequence[str] | None = None,
    maximize: Sequence[str] | None = None,
    label: str | None = None,
    lang: Lang = "en",
) -> Figure:
    """All design points of a sweep and the Pareto frontier through them.

    Args:
        frame: one row per design point (e.g. ``simsvc.experiments.load(DIR)``).
        x: column on the horizontal axis (default ``cost``).
        y: column on the vertical axis (default ``satisfaction``).
        minimize: objectives where smaller is better (default ``[x]``).
        maximize: objectives where larger is better (default ``[y]``).
        label: optional column whose values annotate the frontier points.
        lang: language of the labels.
    """
    minimize = [x] if minimize is None and maximize is None else list(minimize or [])
    maximize = [y] if maximize is None else list(maximize)
    on_front = pareto_mask(frame, minimize, maximize)
    fig = new_figure()
    ax = fig.add_subplot()
    ax.scatter(frame[x], frame[y], color="#999999", alpha=0.6, label=tr("fig.pareto.points", lang))
    front = frame[on_front].sort_values(x, kind="stable")
    ax.plot(front[x], front[y], color="#d62728", marker="o", linewidth=2, label=tr("fig.pareto.front", lang))
    if label is not None:
        for text, px, py in zip(front[label], front[x], front[y], strict=True):
            ax.annotate(str(text), (px, py), textcoords="offset points", xytext=(4, 4), fontsize="small")
    ax.set_xlabel(kpi_label(x, lang))
    ax.set_ylabel(kpi_label(y, lang))
    ax.set_title(tr("fig.pareto.title", lang))
    ax.legend(loc="best", fontsize="small")
    return fig
