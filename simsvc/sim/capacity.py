"""Offered load against staffed capacity, interval by interval (before simulating).

A planner should hear that a scenario is overloaded before reading its KPIs: when the
work arriving in an interval exceeds the server-minutes on duty, queues grow without
bound until demand falls, and the results describe a backlog, not a service.
"""

from __future__ import annotations

import numpy as np

from simsvc.i18n import tr
from simsvc.scenario.checks import trace_order_warnings
from simsvc.scenario.deferred import deferred_targets
from simsvc.scenario.journeys import is_self_service
from simsvc.scenario.models import Scenario
from simsvc.sim.demand import overnight_arrivals
from simsvc.sim.rota import day_spans, rostered, staff_at
from simsvc.sim.shrinkage import on_floor, shrinkage_per_interval

__all__ = [
    "arrivals_per_minute", "capacity_warnings", "deferred_load", "deferred_overload_warning", "load_ratio",
    "overload_warning", "unstaffed_warning",
]  # fmt: skip


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
    Deferred work is left out: it waits for the next shift (:func:`deferred_load`).
    """
    h = scenario.horizon
    rates = arrivals_per_minute(scenario)
    work = np.zeros((h.days, h.n_intervals))
    deferred = deferred_targets(scenario)
    for journey in scenario.journeys:  # each step's work, as often as it is visited
        if journey.klass in deferred:
            continue
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


def deferred_load(scenario: Scenario) -> tuple[float, float]:
    """Deferred work over the horizon: its expected work and its teams' on-duty time (server-minutes).

    The work of opening hours and of the nights before the last day, at each class's mean need over
    the mean speed of the teams serving it; on duty: each deferred team's rota, less its mean shrinkage.
    """
    h = scenario.horizon
    rates = arrivals_per_minute(scenario)
    nights = overnight_arrivals(scenario)
    work = 0.0
    for k in deferred_targets(scenario):
        cls = scenario.customer_classes[k]
        teams = [t for t in scenario.teams if cls.name in t.serves]
        speed = np.mean([scenario.training(t.training_level).speed for t in teams])
        count = rates[:, :, k].sum() * h.interval_minutes + nights[:, k].sum()
        work += count * cls.service_time.mean / speed
    duty = 0.0
    for t in scenario.teams:
        if t.deferred is not None:
            shrink = float(np.mean(t.shrinkage)) if t.shrinkage else 0.0
            duty += sum(on_floor(n, shrink) * (b - a) for d in range(h.days) for a, b, n in day_spans(t, h, d))
    return float(work), float(duty)


def deferred_overload_warning(scenario: Scenario, lang: str = "en") -> str | None:
    """A sentence (in ``lang``) when deferred work exceeds its teams' on-duty time over the horizon, or None.

    Deferred work waits for the next shift, so an interval's or a day's excess is carried over, not a
    warning; more work than time over the whole horizon is: its backlog grows from day to day.
    """
    work, duty = deferred_load(scenario)
    if work <= duty:
        return None
    worst = tr("warn.overload.no_staff", lang) if duty == 0 else tr("warn.overload.ratio", lang, ratio=work / duty)
    return tr("warn.deferred_overload", lang, worst=worst)


def unstaffed_warning(scenario: Scenario, lang: str = "en") -> str | None:
    """A sentence (in ``lang``) naming the classes that no team serves on some day (nobody on duty), or None.

    Those customers are not served: they wait until closing and then leave (see the engine's
    closing rule), so the KPIs count them as abandoned.
    """
    h = scenario.horizon
    notes = []
    deferred = deferred_targets(scenario)  # its work waits for the next shift (a day off is no loss)
    for cls, journey in zip(scenario.customer_classes, scenario.journeys, strict=True):
        if journey.klass in deferred:
            continue
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
    found = (
        unstaffed_warning(scenario, lang), overload_warning(scenario, lang), deferred_overload_warning(scenario, lang)
    )
    return notes + [w for w in found if w]
