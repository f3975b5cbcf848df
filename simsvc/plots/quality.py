"""Service-quality figures: SERVQUAL gaps (bars with CIs, radar) and the outcome funnel."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from simsvc.i18n import Lang, tr
from simsvc.plots._base import ci_error, figure_function, new_figure
from simsvc.scenario.quality_models import DIMENSIONS

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["FUNNEL_STEPS", "funnel_counts", "outcome_funnel", "servqual_gaps", "servqual_radar"]

FUNNEL_STEPS = ("arrivals", "served", "dissatisfied", "complained", "recovered", "returned")


def _gaps(summary: pd.DataFrame) -> pd.DataFrame:
    rows = [f"gap_{d}" for d in DIMENSIONS]
    missing = [r for r in rows if r not in summary.index]
    if missing:
        raise ValueError(f"no SERVQUAL gap KPIs {missing} in the summary (is the quality model enabled?)")
    return summary.loc[rows, ["mean", "ci_low", "ci_high"]].astype(float)


@figure_function
def servqual_gaps(summary: pd.DataFrame, *, lang: Lang = "en") -> Figure:
    """Mean gap (perceived − expected) per SERVQUAL dimension, with confidence intervals.

    Args:
        summary: :meth:`simsvc.SimResult.summary` (rows ``gap_<dimension>``).
        lang: language of the labels.
    """
    gaps = _gaps(summary)
    mean = gaps["mean"].to_numpy()
    fig = new_figure()
    ax = fig.add_subplot()
    colors = ["#2ca02c" if m >= 0 else "#d62728" for m in mean]
    x = np.arange(len(DIMENSIONS))
    ax.bar(x, mean, color=colors, alpha=0.85)
    ax.errorbar(x, mean, yerr=ci_error(gaps), fmt="none", ecolor="black", capsize=6, label=tr("fig.ci", lang))
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks(x)
    ax.set_xticklabels([tr(f"dim.{d}", lang) for d in DIMENSIONS])
    ax.set_ylabel(tr("fig.gaps.y", lang))
    ax.set_title(tr("fig.gaps.title", lang))
    ax.legend(loc="best", fontsize="small")
    return fig


@figure_function
def servqual_radar(summary: pd.DataFrame, *, lang: Lang = "en") -> Figure:
    """Radar chart of the mean gap per SERVQUAL dimension, the zero ring dashed.

    Args:
        summary: :meth:`simsvc.SimResult.summary` (rows ``gap_<dimension>``).
        lang: language of the labels.
    """
    gaps = _gaps(summary)
    angles = np.linspace(0, 2 * np.pi, len(DIMENSIONS), endpoint=False)
    closed = np.append(angles, angles[0])
    values = gaps["mean"].to_numpy()
    low = min(-1.0, float(np.nanmin(gaps["ci_low"])) - 0.25)
    high = max(0.5, float(np.nanmax(gaps["ci_high"])) + 0.25)
    fig = new_figure(5.5, 5.5)
    ax = fig.add_subplot(projection="polar")
    ax.plot(closed, np.zeros_like(closed), color="black", linestyle="--", linewidth=1)
    ax.plot(closed, np.append(values, values[0]), color="#1f77b4", marker="o", linewidth=2)
    ax.fill(closed, np.append(values, values[0]), color="#1f77b4", alpha=0.2)
    ax.set_ylim(low, high)
    ax.set_xticks(angles)
    ax.set_xticklabels([tr(f"dim.{d}", lang) for d in DIMENSIONS])
    ax.set_title(tr("fig.radar.title", lang))
    return fig


def funnel_counts(summary: pd.DataFrame) -> pd.Series:
    """Customers per replication at each funnel step, from the overall KPI means."""
    m = summary["mean"].astype(float)

    def get(kpi: str) -> float:
        return float(m[kpi]) if kpi in m.index and not np.isnan(m[kpi]) else 0.0

    arrivals = get("arrivals")
    complaints = get("complaint_rate") * arrivals
    values = [arrivals, get("served"), get("dissatisfied_share") * arrivals, complaints,
              get("recovery_rate") * complaints, get("retention") * arrivals]  # fmt: skip
    return pd.Series(values, index=list(FUNNEL_STEPS), dtype=float)


@figure_function
def outcome_funnel(summary: pd.DataFrame, *, lang: Lang = "en") -> Figure:
    """Arrived → served → dissatisfied → complained → recovered, and how many will return.

    Args:
        summary: :meth:`simsvc.SimResult.summary`.
        lang: language of the labels.
    """
    counts = funnel_counts(summary)
    fig = new_figure()
    ax = fig.add_subplot()
    y = np.arange(len(counts))[::-1]
    colors = ["#1f77b4", "#2ca02c", "#d62728", "#ff7f0e", "#9467bd", "#17becf"]
    ax.barh(y, counts.to_numpy(), color=colors)
    ax.set_yticks(y)
    ax.set_yticklabels([tr(f"funnel.{s}", lang) for s in counts.index])
    top = max(float(counts.max()), 1.0)
    for yi, value in zip(y, counts.to_numpy(), strict=True):
        ax.text(value + top * 0.01, yi, f"{value:,.1f}", va="center", fontsize="small")
    ax.set_xlim(0, top * 1.15)
    ax.set_xlabel(tr("fig.funnel.x", lang))
    ax.set_title(tr("fig.funnel.title", lang))
    return fig
