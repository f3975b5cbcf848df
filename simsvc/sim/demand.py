"""Customers of one replication, drawn a day at a time in NumPy batches.

Arrivals are a non-stationary Poisson process with a constant rate in each interval:
given the count ``N ~ Poisson(rate * length)``, the arrival times are ``N`` sorted
uniforms on the interval, which is exact for piecewise-constant rates. Each class has
its own streams for arrivals, service needs, patience and experience (see
:func:`simsvc.distributions.stream`), consumed in interval order whatever the staffing,
so two staffing alternatives see the same new customers (common random numbers); the
experience (quality) numbers of a day's new customers are drawn at once, in arrival order.
Without a ``loyalty`` block the arrivals are exactly the declared demand. With one, the
declared demand is the total at the loyalty reference (see
:class:`simsvc.scenario.quality_models.Loyalty`): one Poisson stream carries the new
customers and the returns of customers from before the horizon, told apart by a draw
from the class's ``loyalty`` stream; customers served within the horizon are added to the
interval they come back in, with their adapted expectations, drawing from a separate
``returns`` stream.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from simsvc import quality
from simsvc.distributions import stream
from simsvc.scenario.models import CustomerClass, Horizon, Scenario
from simsvc.sim.experience import CustomerDraws, draw_customers

__all__ = ["Batch", "Demand", "declared_arrivals", "overnight_arrivals", "poisson_times", "rate_per_minute"]

_NO_TIMES, _NO_EXPECTATIONS = np.empty(0), np.empty((0, 5))


def rate_per_minute(rates: np.ndarray, horizon: Horizon, day: int, interval: int) -> float:
    """The rate (per minute) of an interval of a day, from one rate, one per interval, or one per day's interval."""
    n = len(rates)
    if n == 1:
        return float(rates[0])
    if n == horizon.n_intervals:
        return float(rates[interval])
    return float(rates[day * horizon.n_intervals + interval])


def declared_arrivals(scenario: Scenario) -> np.ndarray:
    """Expected arrivals of the declared demand per ``(day, interval, class)``, after the warm-up.

    The ``arrivals`` blocks as stated (rates times ``scale``; a trace's own arrivals; deferred work's
    overnight arrivals in the next day's first interval), before
    promises, word of mouth and returns: the yardstick of the KPI ``demand_change``.
    """
    h = scenario.horizon
    warmup_end = h.open_minute + scenario.simulation.warmup_minutes
    out = np.zeros((h.days, h.n_intervals, len(scenario.customer_classes)))
    for k, cls in enumerate(scenario.customer_classes):
        arr = cls.arrivals
        if arr.rates_per_hour is not None:
            rates = np.asarray(arr.rates_per_hour, dtype=float) * arr.scale / 60.0
            for day in range(h.days):
                for j in range(h.n_intervals):
                    start = h.interval_start(day, j)
                    length = min(max(start + h.interval_minutes - warmup_end, 0.0), h.interval_minutes)
                    out[day, j, k] = rate_per_minute(rates, h, day, j) * length
        else:
            absolute = np.asarray(arr.trace_days, dtype=float) * 1440.0 + h.open_minute + np.asarray(arr.trace_times)
            kept = absolute >= warmup_end
            day = np.asarray(arr.trace_days)[kept]
            j = np.minimum((np.asarray(arr.trace_times)[kept] // h.interval_minutes).astype(int), h.n_intervals - 1)
            np.add.at(out[:, :, k], (day, j), 1.0)
    out[:, 0, :] += overnight_arrivals(scenario, warmup_end)  # deferred work: in the next day's first interval
    return out


def overnight_arrivals(scenario: Scenario, after: float = -np.inf) -> np.ndarray:
    """Expected overnight arrivals (deferred work) per ``(day, class)``: the night before each day, after ``after``.

    None on day 0 (nothing arrives before the first opening); ``after`` (a warm-up's end) cuts a night's start.
    """
    h = scenario.horizon
    out = np.zeros((h.days, len(scenario.customer_classes)))
    rates = np.array([c.arrivals.overnight_per_minute for c in scenario.customer_classes])
    for day in range(1, h.days):
        start, end = h.night_after(day - 1)
        out[day] = rates * max(end - max(start, after), 0.0)
    return out


@dataclass(frozen=True)
class Batch:
    """Customers of one day, all classes merged in arrival order."""

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


def poisson_times(rng: np.random.Generator, rate: float, length: float, cap: int) -> np.ndarray:
    """Sorted Poisson arrival times at ``rate`` per minute on ``[0, length)``.

    Given the count ``N ~ Poisson(rate * length)``, the times are ``N`` sorted uniforms;
    when more than ``cap`` (``max_customers``) are expected (the run is then truncated there),
    only the first ``cap + 1`` are drawn, exactly, as cumulative exponential gaps: memory
    stays bounded whatever the rate.
    """
    mean = rate * length
    if not mean > 0.0:  # no demand (or 0 times an unbounded word-of-mouth factor)
        return _NO_TIMES
    if mean <= cap:
        return np.sort(rng.uniform(0.0, length, rng.poisson(mean)))
    times = np.cumsum(rng.exponential(1.0 / rate, cap + 1))
    return times[times < length]


class _ClassDemand:
    """Draws one class's customers interval by interval from its own streams."""

    def __init__(self, scenario: Scenario, cls: CustomerClass, seed: int, replication: int):
        self.scenario, self.cls = scenario, cls
        # A journey's customers arrive at its first step: its service time and patience.
        first = cls.journey[0] if cls.journey else None
        self.service_time = (first.service_time or cls.service_time) if first else cls.service_time
        self.patience = (first.patience or cls.patience) if first else cls.patience
        self.horizon: Horizon = scenario.horizon
        self.quality = scenario.quality.enabled
        purposes = ("arrivals", "service", "patience", "quality", "returns", "loyalty")
        self.rng = {p: stream(seed, replication, cls.name, p) for p in purposes}
        self.multiplier = scenario.quality.promise_demand_multiplier
        self.cap = scenario.simulation.max_customers
        loyalty = scenario.loyalty if self.quality else None
        # With loyalty the declared demand is the total at the reference: a share R of it
        # are returning customers, those of visits before the horizon due on day d with
        # P(delay > d) (a delay is at least one day).
        self.returning_share = 0.0
        self.still_due: list[float] = []
        if loyalty is not None:
            self.returning_share = quality.return_share(
                loyalty.reference.as_tuple(), loyalty.return_probability.as_tuple()
            )
            delay = loyalty.return_after_days
            self.still_due = [1.0] + [delay.survival(float(d)) for d in range(1, self.horizon.days)]
        # Returning customers booked per day: chunks of (times, expectations), and once the
        # day is drawn, its returns in time order split by interval.
        self.pending: dict[int, list[tuple[np.ndarray, np.ndarray]]] = defaultdict(list)
        self._due: dict[int, tuple[np.ndarray, np.ndarray]] = {}
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
        """Declared arrival rate (per minute) in an interval of a day."""
        assert self.rates is not None
        return rate_per_minute(self.rates, self.horizon, day, interval)

    def _new(self, day: int, interval: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Arrival times and needs of the interval's stream, and which are earlier customers' returns."""
        start = self.horizon.interval_start(day, interval)
        length = self.horizon.interval_minutes
        share = self.returning_share
        if self.rates is not None:
            rng = self.rng["arrivals"]
            new = (1.0 - share) * self.multiplier
            earlier = share * self.still_due[day] if share else 0.0
            times = start + poisson_times(rng, self.rate_per_minute(day, interval) * (new + earlier), length, self.cap)
            need = self.service_time.sample(self.rng["service"], len(times))
            p_earlier = earlier / (new + earlier) if earlier else 0.0
        else:
            lo, hi = np.searchsorted(self.trace, [start, start + length], side="left")
            times = self.trace[lo:hi]
            need = (
                self.trace_service[lo:hi]
                if self.trace_service is not None
                else (self.service_time.sample(self.rng["service"], hi - lo))
            )
            p_earlier = share  # one day (checked): the trace is the total, a share R returns
        if p_earlier:
            return times, need, self.rng["loyalty"].random(len(times)) < p_earlier
        return times, need, np.zeros(len(times), dtype=bool)

    def _patience(self, rng: np.random.Generator, n: int) -> np.ndarray:
        if self.patience is None:
            return np.full(n, np.inf)
        return self.patience.sample(rng, n)

    def draw(self, day: int, interval: int) -> tuple[tuple[np.ndarray, ...], tuple | None]:
        """One interval's new arrivals and customers coming back.

        The new ones as ``(times, needs, patience, returning flags)``; those coming back as
        ``(times, needs, patience, draws)``, or None when nobody does. The new customers'
        quality numbers are drawn once per day (:meth:`new_draws`).
        """
        times, need, returning = self._new(day, interval)
        patience = self._patience(self.rng["patience"], len(times))
        back_times, back_expected = self._returns(day, interval)
        m = len(back_times)
        if not m:
            return (times, need, patience, returning), None
        rng = self.rng["returns"]
        need_back, patience_back = self.service_time.sample(rng, m), self._patience(rng, m)
        back = (back_times, need_back, patience_back, draw_customers(self.scenario, self.cls, rng, m, back_expected))
        return (times, need, patience, returning), back

    def new_draws(self, n: int) -> CustomerDraws:
        """The quality numbers of a day's ``n`` new customers, in arrival order, in one draw.

        Once per day rather than per interval: the NumPy calls of a draw (fourteen arrays)
        then serve a day's customers, and the numbers do not depend on how the day is cut.
        """
        return draw_customers(self.scenario, self.cls, self.rng["quality"], n, None, self.rng["loyalty"])

    def _returns(self, day: int, interval: int) -> tuple[np.ndarray, np.ndarray]:
        """Times and expectations of the customers coming back in an interval, in time order."""
        if interval == 0 or day not in self._due:
            chunks = self.pending.pop(day, [])
            if not chunks:
                return _NO_TIMES, _NO_EXPECTATIONS
            times = np.concatenate([c[0] for c in chunks])
            order = np.argsort(times, kind="stable")  # in time order, however they were booked
            self._due = {day: (times[order], np.concatenate([c[1] for c in chunks])[order])}
        times, expected = self._due[day]
        start = self.horizon.interval_start(day, interval)
        lo, hi = np.searchsorted(times, [start, start + self.interval_minutes], side="left")
        return times[lo:hi], expected[lo:hi]

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

    def return_times(self, day: int, u: np.ndarray) -> np.ndarray:
        """Times of returns on ``day`` from uniforms ``u``, following the class's demand profile."""
        cum = np.asarray(self._profile(day))
        j = np.minimum(np.searchsorted(cum, u, side="right"), len(cum) - 1)
        lower = np.where(j > 0, cum[j - 1], 0.0)
        width = cum[j] - lower
        frac = np.where(width > 0, (u - lower) / np.where(width > 0, width, 1.0), 0.5)
        start = day * 1440.0 + self.open_minute + j * self.interval_minutes
        return start + np.clip(frac, 0.0, 1.0 - 1e-9) * self.interval_minutes


class Demand:
    """All classes' customers for one replication, a day at a time."""

    def __init__(self, scenario: Scenario, seed: int, replication: int):
        self.scenario, self.seed, self.replication = scenario, seed, replication
        self.classes = [_ClassDemand(scenario, c, seed, replication) for c in scenario.customer_classes]
        self.drawn_through = -1  # the last day whose customers have been drawn

    def day_batch(self, day: int) -> Batch:
        """All customers of a day, all classes merged in arrival order.

        The simulation takes a day at a time so that per-batch NumPy work is spread over
        many customers. Times, needs and patience are drawn interval by interval (each
        class's streams in interval order), the new customers' quality numbers once for the
        day. A day with more customers than ``simulation.max_customers`` (the run is
        truncated there) stops at the interval that passes it.
        """
        n = self.scenario.horizon.n_intervals
        self.drawn_through = day
        fresh: list[list[tuple[np.ndarray, ...]]] = [[] for _ in self.classes]
        back: list[list[tuple[int, tuple]]] = [[] for _ in self.classes]
        drawn = 0
        for j in range(n):
            for k, demand in enumerate(self.classes):
                new, again = demand.draw(day, j)
                fresh[k].append(new)
                drawn += len(new[0])
                if again is not None:
                    back[k].append((day * n + j, again))
                    drawn += len(again[0])
            if drawn > self.scenario.simulation.max_customers:
                break  # arrivals stop within this day: later intervals are never used
        cells = np.arange(day * n, day * n + len(fresh[0]), dtype=np.int64)
        quality = self.scenario.quality.enabled
        groups: list[tuple[np.ndarray, ...]] = []  # (arrival, class, need, patience, returning, cell)
        draws: list[CustomerDraws] = []
        for k, demand in enumerate(self.classes):
            times, need, patience, returning = (np.concatenate(c) for c in zip(*fresh[k], strict=True))
            cell = np.repeat(cells, [len(part[0]) for part in fresh[k]])
            groups.append((times, np.full(len(times), k, dtype=np.int64), need, patience, returning, cell))
            if quality:
                draws.append(demand.new_draws(len(times)))
            for c, (times, need, patience, again) in back[k]:
                m = len(times)
                groups.append((times, np.full(m, k, dtype=np.int64), need, patience, np.ones(m, dtype=bool),
                               np.full(m, c, dtype=np.int64)))  # fmt: skip
                draws.append(again)
        columns = [g[0] if len(groups) == 1 else np.concatenate(g) for g in zip(*groups, strict=True)]
        # Stable: simultaneous arrivals (traces) keep the class order of the file, new customers
        # before those coming back, as interval by interval.
        order: np.ndarray | None = np.lexsort((columns[0], columns[5]))
        if not len(order) or (order[1:] > order[:-1]).all():
            order = None  # already in order (one class, nobody returning): spare the copies
        else:
            columns = [c[order] for c in columns]
        arrival, klass, need, patience, returning, cell = columns
        joined = CustomerDraws.concatenate(draws, order) if quality else None
        return Batch(arrival, klass, need, patience, returning, joined, cell)

    def schedule_returns(self, k: int, day: np.ndarray, u_time: np.ndarray, expected: np.ndarray) -> None:
        """Book class ``k``'s returning customers on ``day`` (their time from ``u_time``).

        If a day's customers have already been drawn, the first later day is used; returns
        beyond the horizon are dropped.
        """
        day = np.maximum(day, self.drawn_through + 1)
        demand = self.classes[k]
        for d in np.unique(day[day < self.scenario.horizon.days]).tolist():
            rows = day == d
            demand.pending[d].append((demand.return_times(d, u_time[rows]), expected[rows]))

    def update_word_of_mouth(self, k: int, factor: float) -> None:
        """Set class ``k``'s new-customer demand factor for the coming days."""
        self.classes[k].multiplier = factor
