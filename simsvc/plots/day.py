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


_BINS = 40


@figure_function
def wait_distribution(
    customers: pd.DataFrame, target_wait: float, service_level: float | None = None, *, lang: Lang = "en"
) -> Figure:
    """Histogram of the waits in queue per replication, with the service-level target marked.

    The bars count the customers who joined the queue (served or abandoned; balking customers
    have no wait), averaged over replications. They span 0 to the 99.5th percentile (at least
    1.5 × the target); the waits above that are one separate, hatched bar at the right,
    labelled with their share, not folded into the last bin.

    Args:
        customers: :attr:`simsvc.SimResult.customers` (columns ``wait``, ``outcome``, ``warmup``,
            ``replication``).
        target_wait: the service-level target (minutes), drawn as a vertical line.
        service_level: the ``service_level`` KPI (mean over replications, as in
            :meth:`simsvc.SimResult.summary`), shown in the title; None: not shown.
        lang: language of the labels.
    """
    from simsvc.output import format_kpi

    counted = customers[~customers["warmup"].astype(bool)] if "warmup" in customers else customers
    waits = counted["wait"].dropna().to_numpy(float)
    replications = max(1, int(counted["replication"].nunique())) if "replication" in counted else 1
    fig = new_figure()
    ax = fig.add_subplot()
    if waits.size:
        top = max(float(np.quantile(waits, 0.995)), target_wait * 1.5, 1.0)
        shown = waits[waits <= top]
        weights = np.full(shown.size, 1.0 / replications)
        ax.hist(shown, bins=_BINS, range=(0, top), weights=weights, color=_QUEUE, alpha=0.8)
        over = int((waits > top).sum())
        width = top / _BINS
        share = format_kpi("service_level", over / waits.size, lang)
        label = tr("fig.waits.over", lang, top=top, share=share)
        x = top + 1.5 * width
        ax.bar(x, over / replications, width=width, color=_PEAK, hatch="//", alpha=0.8, label=label)
        ax.text(x, over / replications, share, ha="center", va="bottom", fontsize="small", color=_PEAK)
    ax.axvline(
        target_wait, color=_STAFF, linestyle="--", linewidth=2, label=tr("fig.waits.target", lang, target=target_wait)
    )
    ax.set_xlabel(tr("fig.waits.x", lang))
    ax.set_ylabel(tr("fig.waits.y", lang))
    title = tr("fig.waits.title", lang)
    if service_level is not None and not np.isnan(service_level):
        title += " — " + tr("fig.waits.within", lang, share=format_kpi("service_level", service_level, lang))
    ax.set_title(title)
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
            columns ``demand``, ``staff`` (optional ``required``), ``mean_queue`` (time average)
            and ``max_queue`` (longest), both means over replications.
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
