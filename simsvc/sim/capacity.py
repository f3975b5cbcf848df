"""Offered load against staffed capacity, interval by interval (before simulating).

A planner should hear that a scenario is overloaded before reading its KPIs: when the
work arriving in an interval exceeds the server-minutes on duty, queues grow without
bound until demand falls, and the results describe a backlog, not a service.
"""

from __future__ import annotations

import numpy as np

from simsvc.i18n import tr
from simsvc.scenario.checks import trace_order_warnings
from simsvc.scenario.journeys import is_self_service
from simsvc.scenario.models import Scenario
from simsvc.sim.rota import rostered, staff_at
from simsvc.sim.shrinkage import on_floor, shrinkage_per_interval

__all__ = ["arrivals_per_minute", "capacity_warnings", "load_ratio", "overload_warning", "unstaffed_warning"]


def arrivals_per_minute(scenario: Scenario) -> np.ndarray:
    """Mean new-customer arrival rate per (day, interval, class), per minute (before any promise effect)."""
    h = scenario.horizon
    out = np.zeros((h.days, h.n_intervals, len(scenario.customer_classes)))
    for k, cls in enumerate(scenario.customer_classes):
        arr = cls.arrivals
        if arr.rates_per_hour is not None:
            rates = np.asarray(arr.rates_per_hour) * arr.scale / 60.0
            out[:, :, k] = np.broadcast_to(
                rates.reshape(-1, h.n_intervals) if len(rates) > 1 else rates, (h.days, h.n_intervals)
            )
        else:
            cell = (np.asarray(arr.trace_times) // h.interval_minutes).astype(int)
            days = np.asarray(arr.trace_days, dtype=int)
            np.add.at(out[:, :, k], (days, cell), 1.0 / h.interval_minutes)
    return out


def load_ratio(scenario: Scenario) -> np.ndarray:
    """Offered load (Erlangs) over staff on the floor (after shrinkage), per (day, interval); inf with no staff.

    A concurrent team's agent counts as the servers' worth of work it does when full (``Team.servers_worth``).
    """
    h = scenario.horizon
    rates = arrivals_per_minute(scenario)
    work = np.zeros((h.days, h.n_intervals))
    for journey in scenario.journeys:  # each step's work, as often as it is visited
        visits = journey.visits()
        for s, step in enumerate(journey.steps):
            if any(is_self_service(scenario.teams[t]) for t in step.stations):
                continue  # unlimited capacity: its customers never wait for staff
            speed = np.mean([scenario.training(scenario.teams[t].training_level).speed for t in step.stations])
            work += rates[:, :, journey.klass] * visits[s] * step.service_time.mean / speed
    mid = h.open_minute + (np.arange(h.n_intervals) + 0.5) * h.interval_minutes
    shrink = [shrinkage_per_interval(t.shrinkage, h.n_intervals) for t in scenario.teams]
    staff = np.array(
        [
            [
                sum(
                    on_floor(staff_at(t, h, m, day), s[j]) * t.servers_worth
                    for t, s in zip(scenario.teams, shrink, strict=True)
                )
                for j, m in enumerate(mid)
            ]
            for day in range(h.days)
        ],
        dtype=float,
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(work > 0, work / staff, 0.0)
    return ratio


def overload_warning(scenario: Scenario, lang: str = "en") -> str | None:
    """A sentence (in ``lang``) naming the overloaded intervals, or None when capacity suffices."""
    ratio = load_ratio(scenario)
    over = ratio > 1.0
    if not over.any():
        return None
    h = scenario.horizon
    d, j = np.unravel_index(np.argmax(ratio), ratio.shape)
    minute = round(h.open_minute + j * h.interval_minutes)
    worst = tr("warn.overload.no_staff", lang) if np.isinf(ratio[d, j]) else tr(
        "warn.overload.ratio", lang, ratio=ratio[d, j])  # fmt: skip
    time = f"{minute // 60:02d}:{minute % 60:02d}"
    return tr("warn.overload", lang, over=int(over.sum()), total=over.size, day=d + 1, time=time, worst=worst)


def unstaffed_warning(scenario: Scenario, lang: str = "en") -> str | None:
    """A sentence (in ``lang``) naming the classes that no team serves on some day (nobody on duty), or None.

    Those customers are not served: they wait until closing and then leave (see the engine's
    closing rule), so the KPIs count them as abandoned.
    """
    h = scenario.horizon
    notes = []
    for cls, journey in zip(scenario.customer_classes, scenario.journeys, strict=True):
        for step in journey.steps:
            teams = [scenario.teams[t] for t in step.stations]
            days = [d for d in range(h.days) if not any(rostered(t, h, d) or is_self_service(t) for t in teams)]
            if days:
                shown = ", ".join(str(d + 1) for d in days[:5]) + (", ..." if len(days) > 5 else "")
                names = ", ".join(repr(t.name) for t in teams)
                what = tr("warn.unstaffed.class", lang, name=repr(cls.name)) if journey.one_step else tr(
                    "warn.unstaffed.step", lang, name=repr(cls.name), step=repr(step.name))  # fmt: skip
                notes.append(tr("warn.unstaffed.note", lang, what=what, days=shown, total=h.days, teams=names))
    if not notes:
        return None
    return tr("warn.unstaffed", lang, notes=("; " if lang == "en" else "；").join(notes))


def capacity_warnings(scenario: Scenario, lang: str = "en") -> list[str]:
    """Every warning before simulating (in ``lang``): demand data out of order, days without staff, overload."""
    notes = trace_order_warnings(scenario, lang)
    return notes + [w for w in (unstaffed_warning(scenario, lang), overload_warning(scenario, lang)) if w]
