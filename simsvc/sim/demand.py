"""Customers of one replication, drawn interval by interval in NumPy batches.

Arrivals are a non-stationary Poisson process with a constant rate in each interval:
given the count ``N ~ Poisson(rate * length)``, the arrival times are ``N`` sorted
uniforms on the interval, which is exact for piecewise-constant rates. Each class has
its own streams for arrivals, service needs, patience and experience (see
:func:`simsvc.distributions.stream`), consumed in interval order whatever the staffing,
so two staffing alternatives see the same new customers (common random numbers).
Returning customers (multi-day runs) are added to the interval they come back in, with
their adapted expectations, and draw from a separate ``returns`` stream.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from simsvc.distributions import stream
from simsvc.scenario.models import CustomerClass, Horizon, Scenario
from simsvc.sim.experience import CustomerDraws, draw_customers

__all__ = ["Batch", "Demand"]


@dataclass(frozen=True)
class Batch:
    """Customers of one interval or one day, all classes merged in arrival order."""

    arrival: np.ndarray  # absolute minutes since day 0, 00:00
    klass: np.ndarray  # class index
    need: np.ndarray  # service time at speed 1, minutes
    patience: np.ndarray  # minutes; inf = never abandons
    returning: np.ndarray  # bool: a customer coming back
    draws: CustomerDraws | None = None  # with the quality model
    cell: np.ndarray | None = None  # day * intervals + interval of each arrival

    def __len__(self) -> int:
        return len(self.arrival)

    def head(self, n: int) -> Batch:
        """The first ``n`` customers."""
        draws = None if self.draws is None else self.draws.head(n)
        cell = None if self.cell is None else self.cell[:n]
        return Batch(
            self.arrival[:n], self.klass[:n], self.need[:n], self.patience[:n], self.returning[:n], draws, cell
        )


class _ClassDemand:
    """Draws one class's customers interval by interval from its own streams."""

    def __init__(self, scenario: Scenario, cls: CustomerClass, seed: int, replication: int):
        self.scenario, self.cls = scenario, cls
        self.horizon: Horizon = scenario.horizon
        self.quality = scenario.quality.enabled
        purposes = ("arrivals", "service", "patience", "quality", "returns")
        self.rng = {p: stream(seed, replication, cls.name, p) for p in purposes}
        self.multiplier = scenario.quality.promise_demand_multiplier
        self.pending: dict[tuple[int, int], list[tuple[float, list[float]]]] = defaultdict(list)
        self._profiles: dict[int, list[float]] = {}
        self.open_minute, self.interval_minutes = self.horizon.open_minute, self.horizon.interval_minutes
        arr = cls.arrivals
        self.rates: np.ndarray | None = None
        if arr.rates_per_hour is not None:
            self.rates = np.asarray(arr.rates_per_hour, dtype=float) * arr.scale / 60.0
        else:
            h = self.horizon
            days = np.asarray(arr.trace_days, dtype=float)
            # Absolute times sorted once; a batch is a slice found by binary search.
            absolute = days * 1440.0 + h.open_minute + np.asarray(arr.trace_times)
            order = np.argsort(absolute, kind="stable")
            self.trace = absolute[order]
            self.trace_service = None if arr.trace_service is None else np.asarray(arr.trace_service)[order]

    def rate_per_minute(self, day: int, interval: int) -> float:
        """New-customer arrival rate (per minute) in an interval of a day."""
        assert self.rates is not None
        n = len(self.rates)
        if n == 1:
            return float(self.rates[0])
        if n == self.horizon.n_intervals:
            return float(self.rates[interval])
        return float(self.rates[day * self.horizon.n_intervals + interval])

    def _new(self, day: int, interval: int) -> tuple[np.ndarray, np.ndarray]:
        start = self.horizon.interval_start(day, interval)
        length = self.horizon.interval_minutes
        if self.rates is not None:
            rng = self.rng["arrivals"]
            n = rng.poisson(self.rate_per_minute(day, interval) * self.multiplier * length)
            times = start + np.sort(rng.uniform(0.0, length, n))
            return times, self.cls.service_time.sample(self.rng["service"], n)
        lo, hi = np.searchsorted(self.trace, [start, start + length], side="left")
        if self.trace_service is not None:
            return self.trace[lo:hi], self.trace_service[lo:hi]
        return self.trace[lo:hi], self.cls.service_time.sample(self.rng["service"], hi - lo)

    def _patience(self, rng: np.random.Generator, n: int) -> np.ndarray:
        if self.cls.patience is None:
            return np.full(n, np.inf)
        return self.cls.patience.sample(rng, n)

    def draw(self, day: int, interval: int) -> tuple[np.ndarray, ...]:
        """Arrival times, needs, patience, returning flags and draws of one interval."""
        times, need = self._new(day, interval)
        patience = self._patience(self.rng["patience"], len(times))
        draws = draw_customers(self.scenario, self.cls, self.rng["quality"], len(times)) if self.quality else None
        back = self.pending.pop((day, interval), [])
        returning = np.zeros(len(times), dtype=bool)
        if back:
            rng = self.rng["returns"]
            m = len(back)
            times = np.concatenate([times, [t for t, _ in back]])
            need = np.concatenate([need, self.cls.service_time.sample(rng, m)])
            patience = np.concatenate([patience, self._patience(rng, m)])
            returning = np.concatenate([returning, np.ones(m, dtype=bool)])
            again = draw_customers(self.scenario, self.cls, rng, m, np.array([e for _, e in back]))
            draws = CustomerDraws.concatenate([draws, again])
        return times, need, patience, returning, draws

    def _profile(self, day: int) -> list[float]:
        """Cumulative share of the day's demand by the end of each interval (cached)."""
        h = self.horizon
        key = day if self.rates is not None and len(self.rates) > h.n_intervals else 0
        cum = self._profiles.get(key)
        if cum is None:
            if self.rates is not None and len(self.rates) > 1:
                weights = np.array([self.rate_per_minute(day, j) for j in range(h.n_intervals)])
            else:
                weights = np.ones(h.n_intervals)
            if weights.sum() <= 0:
                weights = np.ones(h.n_intervals)
            cum = (np.cumsum(weights) / weights.sum()).tolist()
            self._profiles[key] = cum
        return cum

    def return_time(self, day: int, u: float) -> tuple[int, float]:
        """Interval and time of a return on ``day``, following the class's demand profile."""
        cum = self._profile(day)
        j = min(bisect_right(cum, u), len(cum) - 1)
        lower = cum[j - 1] if j else 0.0
        frac = (u - lower) / (cum[j] - lower) if cum[j] > lower else 0.5
        start = day * 1440.0 + self.open_minute + j * self.interval_minutes
        return j, start + min(max(frac, 0.0), 1.0 - 1e-9) * self.interval_minutes


class Demand:
    """All classes' customers for one replication, interval by interval."""

    def __init__(self, scenario: Scenario, seed: int, replication: int):
        self.scenario = scenario
        self.classes = [_ClassDemand(scenario, c, seed, replication) for c in scenario.customer_classes]

    def batch(self, day: int, interval: int) -> Batch:
        """The customers arriving in interval ``interval`` of day ``day``."""
        parts = [demand.draw(day, interval) for demand in self.classes]
        arrival = np.concatenate([p[0] for p in parts])
        # Stable sort: simultaneous arrivals (traces) keep the class order of the file.
        order: np.ndarray | None = np.argsort(arrival, kind="stable")
        if not len(arrival) or (order[1:] > order[:-1]).all():
            order = None  # already in order (one class, nobody returning): spare the copies

        def merged(column: int) -> np.ndarray:
            a = np.concatenate([p[column] for p in parts])
            return a if order is None else a[order]

        klass = np.concatenate([np.full(len(p[0]), k, dtype=np.int64) for k, p in enumerate(parts)])
        draws = None
        if self.scenario.quality.enabled:
            draws = CustomerDraws.concatenate([p[4] for p in parts], order)
        return Batch(
            arrival=arrival if order is None else arrival[order],
            klass=klass if order is None else klass[order],
            need=merged(1),
            patience=merged(2),
            returning=merged(3),
            draws=draws,
        )

    def day_batch(self, day: int) -> Batch:
        """All customers of a day: the intervals' batches (same draws) joined in order.

        The simulation takes a day at a time so that per-batch NumPy work is spread over
        many customers; the customers are the same as interval by interval.
        """
        n = self.scenario.horizon.n_intervals
        parts = [self.batch(day, j) for j in range(n)]
        draws = None
        if self.scenario.quality.enabled:
            draws = CustomerDraws.concatenate([p.draws for p in parts])
        return Batch(
            arrival=np.concatenate([p.arrival for p in parts]),
            klass=np.concatenate([p.klass for p in parts]),
            need=np.concatenate([p.need for p in parts]),
            patience=np.concatenate([p.patience for p in parts]),
            returning=np.concatenate([p.returning for p in parts]),
            draws=draws,
            cell=np.concatenate([np.full(len(p), day * n + j, dtype=np.int64) for j, p in enumerate(parts)]),
        )

    def schedule_return(self, k: int, day: int, u_time: float, expected: list[float], now: float) -> bool:
        """Book class ``k``'s returning customer on ``day``; False beyond the horizon.

        If that day's customers have already been drawn, the first later day is used.
        """
        demand = self.classes[k]
        days = self.scenario.horizon.days
        while day < days:
            j, t = demand.return_time(day, u_time)
            if day * 1440.0 + demand.open_minute > now:
                demand.pending[(day, j)].append((t, expected))
                return True
            day += 1
        return False

    def update_word_of_mouth(self, k: int, factor: float) -> None:
        """Set class ``k``'s new-customer demand factor for the coming days."""
        self.classes[k].multiplier = factor
