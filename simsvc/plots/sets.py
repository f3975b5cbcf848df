"""The standard set of figures of a run, from a :class:`~simsvc.SimResult` or from its output folder.

Both ``simsvc run --plots`` and ``simsvc report`` use :func:`run_figures`, which works on the
tables a run writes (summary, per-interval KPIs, customer records), so a figure looks the same
whether it is drawn right after simulating or later from the saved files.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from simsvc.i18n import Lang
from simsvc.plots._base import save_png
from simsvc.plots.day import day_profile, wait_distribution
from simsvc.plots.money import cost_breakdown, has_money
from simsvc.plots.quality import outcome_funnel, servqual_gaps, servqual_radar

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from simsvc.scenario.models import Scenario

__all__ = ["RUN_FIGURES", "interval_profile", "run_figures", "write_figures"]

RUN_FIGURES = ("waits", "day", "servqual_gaps", "servqual_radar", "funnel", "costs")
"""File stems of a run's figures, in the order they are shown."""


def interval_profile(by_interval: pd.DataFrame, scenario: Scenario | None = None) -> pd.DataFrame:
    """Demand, staff, staff required and queue per interval of the day (all days together).

    Args:
        by_interval: :meth:`simsvc.SimResult.by_interval` (index ``(interval, kpi)``, column ``mean``).
        scenario: gives the staff on duty, the interval length, the days and the targets;
            without it ``staff`` and ``required`` are NaN and rates assume 30-minute intervals.

    Returns:
        Indexed by interval start: ``demand`` (arrivals per hour), ``staff`` (front-line staff
        scheduled at the interval's middle), ``required`` (Erlang C staff for the service-level
        target at the simulated arrival and service rates), ``mean_queue`` (the ``mean_queue``
        KPI: the time-average number waiting in the interval; NaN from files written before it
        existed) and ``max_queue`` (the longest queue in the interval).
    """
    from simsvc.queueing import required_servers
    from simsvc.sim.rota import staff_at

    means = by_interval["mean"].astype(float).unstack("kpi")
    means.index = [str(i) for i in means.index]
    minutes = scenario.horizon.interval_minutes if scenario else 30.0
    days = scenario.horizon.days if scenario else 1
    span = minutes * days
    profile = pd.DataFrame(index=means.index)
    profile["demand"] = means["arrivals"] / span * 60.0
    profile["staff"] = np.nan
    profile["required"] = np.nan
    if scenario is not None:
        h = scenario.horizon
        for j in range(len(profile)):
            mid = h.open_minute + (j + 0.5) * h.interval_minutes
            profile.iloc[j, 1] = sum(staff_at(team, h, mid) for team in scenario.teams)
        target = scenario.targets.service_level
        for j, (arrivals, service) in enumerate(zip(means["arrivals"], means["mean_service_time"], strict=True)):
            if arrivals > 0 and service > 0 and not math.isnan(service) and target.fraction < 1:
                profile.iloc[j, 2] = required_servers(arrivals / span, 1 / service, target.within, target.fraction)
    profile["mean_queue"] = means["mean_queue"] if "mean_queue" in means else np.nan
    profile["max_queue"] = means["max_queue"]
    return profile


def run_figures(
    summary: pd.DataFrame,
    by_interval: pd.DataFrame,
    customers: pd.DataFrame | None,
    scenario: Scenario | None,
    lang: Lang = "en",
    names: Collection[str] | None = None,
) -> dict[str, Figure]:
    """The figures of one run, by file stem; quality figures only if the quality model ran.

    The cost chart only if the run has money to show (:func:`simsvc.plots.money.has_money`).

    Args:
        summary: overall KPIs (:meth:`simsvc.SimResult.summary` or ``summary.csv``).
        by_interval: KPIs per interval (:meth:`simsvc.SimResult.by_interval` or ``by_interval.csv``).
        customers: customer records, if kept (the wait distribution needs them).
        scenario: the scenario simulated (staffing and targets), if known.
        lang: language of the labels.
        names: only these figures (default: all of ``RUN_FIGURES`` that the data allows).
    """
    wanted = set(RUN_FIGURES if names is None else names)
    builders: dict[str, Callable[[], Figure]] = {}
    if customers is not None and len(customers):
        target = scenario.targets.service_level.within if scenario else 5.0
        level = float(summary.loc["service_level", "mean"]) if "service_level" in summary.index else None
        builders["waits"] = lambda: wait_distribution(customers, target, level, lang=lang)
    builders["day"] = lambda: day_profile(interval_profile(by_interval, scenario), lang=lang)
    if "gap_reliability" in summary.index and not pd.isna(summary.loc["gap_reliability", "mean"]):
        builders["servqual_gaps"] = lambda: servqual_gaps(summary, lang=lang)
        builders["servqual_radar"] = lambda: servqual_radar(summary, lang=lang)
        builders["funnel"] = lambda: outcome_funnel(summary, lang=lang)
    if has_money(summary):  # no wages, no money at all: no (empty) cost chart
        builders["costs"] = lambda: cost_breakdown(summary, lang=lang)
    return {name: build() for name, build in builders.items() if name in wanted}


def write_figures(figures: dict[str, Figure], folder: Path) -> list[Path]:
    """Save each figure as ``folder/<name>.png``; return the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    return [save_png(fig, folder / f"{name}.png") for name, fig in figures.items()]
