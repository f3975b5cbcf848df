"""Offered load against staffed capacity, interval by interval (before simulating).

A planner should hear that a scenario is overloaded before reading its KPIs: when the
work arriving in an interval exceeds the server-minutes on duty, queues grow without
bound until demand falls, and the results describe a backlog, not a service.
"""

from __future__ import annotations

import numpy as np

from simsvc.scenario.models import Scenario
from simsvc.sim.rota import staff_at
from simsvc.sim.shrinkage import on_floor, shrinkage_per_interval

__all__ = ["arrivals_per_minute", "load_ratio", "overload_warning"]


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
    """Offered load (Erlangs) over staff on the floor (after shrinkage), per (day, interval); inf with no staff."""
    h = scenario.horizon
    rates = arrivals_per_minute(scenario)
    work = np.zeros((h.days, h.n_intervals))
    for k, cls in enumerate(scenario.customer_classes):
        teams = [t for t in scenario.teams if cls.name in t.serves]
        speed = np.mean([scenario.training(t.training_level).speed for t in teams])
        work += rates[:, :, k] * cls.service_time.mean / speed
    mid = h.open_minute + (np.arange(h.n_intervals) + 0.5) * h.interval_minutes
    shrink = [shrinkage_per_interval(t.shrinkage, h.n_intervals) for t in scenario.teams]
    staff = np.array(
        [
            [
                sum(on_floor(staff_at(t, h, m, day), s[j]) for t, s in zip(scenario.teams, shrink, strict=True))
                for j, m in enumerate(mid)
            ]
            for day in range(h.days)
        ],
        dtype=float,
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(work > 0, work / staff, 0.0)
    return ratio


def overload_warning(scenario: Scenario) -> str | None:
    """A sentence naming the overloaded intervals, or None when capacity suffices."""
    ratio = load_ratio(scenario)
    over = ratio > 1.0
    if not over.any():
        return None
    h = scenario.horizon
    d, j = np.unravel_index(np.argmax(ratio), ratio.shape)
    minute = round(h.open_minute + j * h.interval_minutes)
    worst = "no staff" if np.isinf(ratio[d, j]) else f"{ratio[d, j]:.2f}x the staff on duty"
    return (
        f"overloaded: offered load exceeds the staff on duty in {int(over.sum())} of "
        f"{over.size} intervals (worst: day {d + 1} {minute // 60:02d}:{minute % 60:02d}, {worst}); "
        "queues grow until demand falls"
    )
