"""Figures of waiting and of the day: the wait distribution, and demand, staff and queue by interval."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from simsvc.i18n import Lang, tr
from simsvc.plots._base import figure_function, new_figure

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["day_profile", "staffing_vs_demand", "wait_distribution"]

_DEMAND, _STAFF, _REQUIRED, _QUEUE, _PEAK = "#9ecae1", "#d62728", "#2ca02c", "#1f77b4", "#ff7f0e"


@figure_function
def wait_distribution(customers: pd.DataFrame, target_wait: float, *, lang: Lang = "en") -> Figure:
    """Histogram of the waits in queue, with the service-level target marked.

    Args:
        customers: :attr:`simsvc.SimResult.customers` (columns ``wait``, ``outcome``, ``warmup``).
        target_wait: the service-level target (minutes), drawn as a vertical line.
        lang: language of the labels.
    """
    counted = customers[~customers["warmup"].astype(bool)] if "warmup" in customers else customers
    waits = counted["wait"].dropna().to_numpy(float)
    fig = new_figure()
    ax = fig.add_subplot()
    if waits.size:
        top = max(float(np.quantile(waits, 0.995)), target_wait * 1.5, 1.0)
        ax.hist(np.minimum(waits, top), bins=40, range=(0, top), color=_QUEUE, alpha=0.8)
    within = ((counted["outcome"] == "served") & (counted["wait"] <= target_wait)).sum()
    share = within / len(counted) if len(counted) else float("nan")
    ax.axvline(
        target_wait, color=_STAFF, linestyle="--", linewidth=2, label=tr("fig.waits.target", lang, target=target_wait)
    )
    ax.set_xlabel(tr("fig.waits.x", lang))
    ax.set_ylabel(tr("fig.waits.y", lang))
    ax.set_title(tr("fig.waits.title", lang) + " — " + tr("fig.waits.within", lang, share=share))
    ax.legend(loc="upper right")
    return fig


def _ticks(ax: Axes, labels: list[str]) -> None:
    step = max(1, len(labels) // 12)
    ax.set_xticks(range(0, len(labels), step))
    ax.set_xticklabels(labels[::step], rotation=45, ha="right")


def _staff_axis(ax: Axes, frame: pd.DataFrame, lang: Lang) -> Axes:
    x = np.arange(len(frame))
    right = ax.twinx()
    right.step(
        x, frame["staff"].to_numpy(float), where="mid", color=_STAFF, linewidth=2, label=tr("fig.day.staff", lang)
    )
    if "required" in frame and frame["required"].notna().any():
        right.step(x, frame["required"].to_numpy(float), where="mid", color=_REQUIRED, linestyle="--", linewidth=2,
                   label=tr("fig.staffing.required", lang))  # fmt: skip
    right.set_ylabel(tr("fig.staffing.y", lang))
    right.set_ylim(
        0, max(1.0, float(np.nanmax(frame[[c for c in ("staff", "required") if c in frame]].to_numpy(float)))) * 1.2
    )
    return right


def _legend(*axes: Axes) -> None:
    handles, labels = [], []
    for ax in axes:
        h, lab = ax.get_legend_handles_labels()
        handles += h
        labels += lab
    axes[0].legend(handles, labels, loc="upper left", fontsize="small")


@figure_function
def staffing_vs_demand(frame: pd.DataFrame, *, lang: Lang = "en") -> Figure:
    """Demand per interval (bars) against staff on duty and, if given, staff required (steps).

    Args:
        frame: indexed by interval start label (``"HH:MM"`` or day and time), columns
            ``demand`` (arrivals per hour or offered load), ``staff`` and optionally ``required``.
        lang: language of the labels.
    """
    missing = [c for c in ("demand", "staff") if c not in frame]
    if missing:
        raise ValueError(f"staffing_vs_demand: the frame needs column(s) {missing} (has {list(frame.columns)})")
    fig = new_figure(8, 4)
    ax = fig.add_subplot()
    ax.bar(np.arange(len(frame)), frame["demand"].to_numpy(float), color=_DEMAND, label=tr("fig.day.demand", lang))
    ax.set_ylabel(tr("fig.day.demand", lang))
    right = _staff_axis(ax, frame, lang)
    _ticks(ax, [str(i) for i in frame.index])
    ax.set_xlabel(tr("fig.day.x", lang))
    ax.set_title(tr("fig.staffing.title", lang))
    _legend(ax, right)
    return fig


@figure_function
def day_profile(profile: pd.DataFrame, *, lang: Lang = "en") -> Figure:
    """Demand and staff (top) and the queue (bottom) across the day.

    Args:
        profile: from :func:`simsvc.plots.interval_profile`: indexed by interval start,
            columns ``demand``, ``staff`` (optional ``required``), ``mean_queue`` and ``max_queue``.
        lang: language of the labels.
    """
    fig = new_figure(8, 6)
    top, bottom = fig.subplots(2, 1, sharex=True)
    x = np.arange(len(profile))
    top.bar(x, profile["demand"].to_numpy(float), color=_DEMAND, label=tr("fig.day.demand", lang))
    top.set_ylabel(tr("fig.day.demand", lang))
    right = _staff_axis(top, profile, lang)
    _legend(top, right)
    top.set_title(tr("fig.day.title", lang))
    bottom.plot(
        x, profile["mean_queue"].to_numpy(float), color=_QUEUE, marker="o", label=tr("fig.day.mean_queue", lang)
    )
    bottom.plot(
        x, profile["max_queue"].to_numpy(float), color=_PEAK, linestyle="--", label=tr("fig.day.max_queue", lang)
    )
    bottom.set_ylabel(tr("fig.day.queue", lang))
    bottom.set_ylim(bottom=0)
    bottom.legend(loc="upper left", fontsize="small")
    _ticks(bottom, [str(i) for i in profile.index])
    bottom.set_xlabel(tr("fig.day.x", lang))
    return fig
