"""Customers of one replication, drawn interval by interval in NumPy batches.

Arrivals are a non-stationary Poisson process with a constant rate in each interval:
given the count ``N ~ Poisson(rate * length)``, the arrival times are ``N`` sorted
uniforms on the interval, which is exact for piecewise-constant rates. Each class has
its own streams for arrivals, service needs and patience (see
:func:`simsvc.distributions.stream`), consumed in interval order whatever the staffing,
so two staffing alternatives see the same customers (common random numbers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simsvc.distributions import stream
from simsvc.scenario.models import CustomerClass, Horizon, Scenario

__all__ = ["Batch", "Demand"]


@dataclass(frozen=True)
class Batch:
    """The customers arriving in one interval, all classes merged in arrival order."""

    arrival: np.ndarray  # absolute minutes since day 0, 00:00
    klass: np.ndarray  # class index
    need: np.ndarray  # service time at speed 1, minutes
    patience: np.ndarray  # minutes; inf = never abandons

    def __len__(self) -> int:
        return len(self.arrival)


class _ClassDemand:
    """Draws one class's customers interval by interval from its own streams."""

    def __init__(self, cls: CustomerClass, horizon: Horizon, seed: int, replication: int):
        self.cls = cls
        self.horizon = horizon
        self.rng_arrivals = stream(seed, replication, cls.name, "arrivals")
        self.rng_service = stream(seed, replication, cls.name, "service")
        self.rng_patience = stream(seed, replication, cls.name, "patience")
        arr = cls.arrivals
        self.rates: np.ndarray | None = None
        if arr.rates_per_hour is not None:
            self.rates = np.asarray(arr.rates_per_hour, dtype=float) * arr.scale / 60.0
        else:
            day_len = horizon.close_minute - horizon.open_minute
            days = np.asarray(arr.trace_days, dtype=float)
            # Absolute times sorted once; a batch is a slice found by binary search.
            absolute = days * 1440.0 + horizon.open_minute + np.asarray(arr.trace_times)
            order = np.argsort(absolute, kind="stable")
            self.trace = absolute[order]
            self.trace_service = None if arr.trace_service is None else np.asarray(arr.trace_service)[order]
            assert day_len > 0

    def rate_per_minute(self, day: int, interval: int) -> float:
        assert self.rates is not None
        n = len(self.rates)
        if n == 1:
            return float(self.rates[0])
        if n == self.horizon.n_intervals:
            return float(self.rates[interval])
        return float(self.rates[day * self.horizon.n_intervals + interval])

    def draw(self, day: int, interval: int) -> tuple[np.ndarray, np.ndarray]:
        """Arrival times and service needs of this class in one interval."""
        start = self.horizon.interval_start(day, interval)
        length = self.horizon.interval_minutes
        if self.rates is not None:
            n = self.rng_arrivals.poisson(self.rate_per_minute(day, interval) * length)
            times = start + np.sort(self.rng_arrivals.uniform(0.0, length, n))
            need = self.cls.service_time.sample(self.rng_service, n)
        else:
            lo, hi = np.searchsorted(self.trace, [start, start + length], side="left")
            times = self.trace[lo:hi]
            if self.trace_service is not None:
                need = self.trace_service[lo:hi]
            else:
                need = self.cls.service_time.sample(self.rng_service, hi - lo)
        return times, need

    def patience(self, n: int) -> np.ndarray:
        if self.cls.patience is None:
            return np.full(n, np.inf)
        return self.cls.patience.sample(self.rng_patience, n)


class Demand:
    """All classes' customers for one replication, interval by interval."""

    def __init__(self, scenario: Scenario, seed: int, replication: int):
        self._classes = [_ClassDemand(c, scenario.horizon, seed, replication) for c in scenario.customer_classes]

    def batch(self, day: int, interval: int) -> Batch:
        """The customers arriving in interval ``interval`` of day ``day``."""
        times, needs, classes, patience = [], [], [], []
        for k, demand in enumerate(self._classes):
            t, s = demand.draw(day, interval)
            times.append(t)
            needs.append(s)
            patience.append(demand.patience(len(t)))
            classes.append(np.full(len(t), k, dtype=np.int64))
        arrival = np.concatenate(times)
        # Stable sort: simultaneous arrivals (traces) keep the class order of the file.
        order = np.argsort(arrival, kind="stable")
        return Batch(
            arrival=arrival[order],
            klass=np.concatenate(classes)[order],
            need=np.concatenate(needs)[order],
            patience=np.concatenate(patience)[order],
        )
