"""Money figures: the cost breakdown of a run and the cost-satisfaction Pareto frontier of a sweep.

The names are those of :mod:`simsvc.costs`: the operating cost (``cost``, what the firm pays)
and, apart from it, the value of customers lost (``lost_customer_value``).
"""

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

__all__ = ["COST_PARTS", "LOST_VALUE", "cost_breakdown", "has_money", "pareto_frontier"]

COST_PARTS = ("cost_wages", "cost_training", "cost_complaints")
"""The parts of the operating cost (KPI ``cost``), stacked in that order."""
LOST_VALUE = "lost_customer_value"
"""The value of customers lost: drawn as a bar of its own, never stacked onto the operating cost."""
_COLOURS = {"cost_wages": "#1f77b4", "cost_training": "#9467bd", "cost_complaints": "#ff7f0e"}


def _mean(summary: pd.DataFrame, kpi: str) -> float:
    """The KPI's mean, 0 if absent or NaN (a class's wages, a run without the quality model)."""
    if kpi not in summary.index:
        return 0.0
    value = float(summary.loc[kpi, "mean"])
    return 0.0 if np.isnan(value) else value


def has_money(summary: pd.DataFrame) -> bool:
    """Whether a run has any money to draw: some cost part or the value of customers lost is not 0.

    A scenario without wages, training costs, complaint costs or a lost-customer value has
    none, and gets no cost chart (rather than an empty one).
    """
    return any(_mean(summary, k) != 0.0 for k in (*COST_PARTS, LOST_VALUE))


@figure_function
def cost_breakdown(summary: pd.DataFrame, *, lang: Lang = "en") -> Figure:
    """The operating cost as stacked parts, and the value of customers lost as a bar of its own.

    The operating cost (what the firm pays: wages, training, complaint handling) is one
    bar, its parts stacked, with the confidence interval of ``cost`` at its end. The value
    of customers lost, not paid and not part of the operating cost, is a second, hatched
    bar starting at 0, drawn only when it is not 0.

    Args:
        summary: :meth:`simsvc.SimResult.summary` (rows ``cost``, ``cost_*`` and ``lost_customer_value``).
        lang: language of the labels.

    Raises:
        ValueError: the summary has no money to show (see :func:`has_money`).
    """
    if not has_money(summary):
        raise ValueError("no cost to draw: every cost KPI (cost_wages, ..., lost_customer_value) is 0 or missing")
    fig = new_figure()
    ax = fig.add_subplot()
    lost = _mean(summary, LOST_VALUE)
    rows = [("cost", 1.0)] + ([(LOST_VALUE, 0.0)] if lost != 0.0 else [])
    left = 0.0
    for part in COST_PARTS:
        width = _mean(summary, part)
        ax.barh(1.0, width, left=left, color=_COLOURS[part], alpha=0.9, label=kpi_label(part, lang))
        left += width
    if "cost" in summary.index:
        total = summary.loc[["cost"], ["mean", "ci_low", "ci_high"]].astype(float)
        ax.errorbar(total["mean"], [1.0], xerr=ci_error(total), fmt="none", ecolor="black", capsize=5,
                    label=tr("fig.ci", lang))  # fmt: skip
    title = f"{tr('fig.cost.title', lang)} — {kpi_label('cost', lang)}: {_mean(summary, 'cost'):,.0f}"
    if lost != 0.0:
        lost_rows = summary.loc[[LOST_VALUE], ["mean", "ci_low", "ci_high"]].astype(float)
        ax.barh(0.0, lost, left=0.0, color="white", edgecolor="#d62728", hatch="//")
        ax.errorbar(lost_rows["mean"], [0.0], xerr=ci_error(lost_rows), fmt="none", ecolor="black", capsize=5)
        title += f"\n{kpi_label(LOST_VALUE, lang)}: {lost:,.0f}"
    ax.set_yticks([y for _, y in rows])
    not_paid = f"{kpi_label(LOST_VALUE, lang)}\n({tr('fig.cost.not_paid', lang)})"
    ticks = {"cost": kpi_label("cost", lang), LOST_VALUE: not_paid}
    ax.set_yticklabels([ticks[k] for k, _ in rows])
    ax.set_ylim(-0.6 if lost != 0.0 else 0.4, 1.6)
    ax.set_xlabel(tr("fig.cost.x", lang))
    ax.set_title(title)
    fig.legend(loc="outside lower center", ncols=4, fontsize="small")
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
