"""Streaming reduction of customer records into per-replication sums and histograms.

Records arrive in chunks from the engine and are folded into fixed-size arrays indexed
by day, interval and class, so memory does not grow with the number of customers.
Waiting-time percentiles come from a log-spaced histogram whose bins are 0.4 % wide,
interpolated within a bin, so a percentile is within 0.4 % of its value (0 is exact).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from simsvc.scenario.models import Scenario
from simsvc.sim.engine import ABANDONED, BALKED, RECORD_FIELDS, SERVED

__all__ = ["COUNT_FIELDS", "WAIT_EDGES", "Tally", "quantile_from_histogram"]

WAIT_EDGES = np.concatenate([[0.0, 1e-9], np.geomspace(1e-3, 1e5, 4618)])  # ratio 1.004
"""Histogram edges (minutes): [0, 1e-9) holds zero waits; the last bin is open-ended."""

COUNT_FIELDS = (
    "arrivals", "served", "abandoned", "balked", "joined",
    "wait_sum", "wait_sum_served", "within_target", "service_sum",
)  # fmt: skip
_COL = {name: i for i, name in enumerate(RECORD_FIELDS)}


def quantile_from_histogram(counts: np.ndarray, q: float) -> float:
    """The ``q`` quantile of values binned on :data:`WAIT_EDGES`, interpolated in its bin."""
    total = counts.sum()
    if total == 0:
        return float("nan")
    cum = np.cumsum(counts)
    target = q * total
    b = int(np.searchsorted(cum, target, side="left"))
    b = min(b, len(counts) - 1)
    if b == 0:
        return 0.0
    lo = WAIT_EDGES[b]
    hi = WAIT_EDGES[b + 1] if b + 1 < len(WAIT_EDGES) else lo
    before = cum[b - 1]
    return float(lo + (hi - lo) * (target - before) / counts[b])


@dataclass
class Tally:
    """Sums over one replication's customers (warm-up arrivals excluded)."""

    scenario: Scenario
    counts: dict[str, np.ndarray] = field(init=False)  # (days, intervals, classes)
    hist_interval: np.ndarray = field(init=False)  # (intervals, classes, bins)
    hist_day: np.ndarray = field(init=False)  # (days, classes, bins)
    max_queue: np.ndarray = field(init=False)  # (days, intervals, classes)
    max_queue_total: np.ndarray = field(init=False)  # (days, intervals)
    busy: np.ndarray = field(init=False)  # (teams, days, intervals) server-minutes
    on_duty: np.ndarray = field(init=False)  # (teams, days, intervals) server-minutes

    def __post_init__(self) -> None:
        s = self.scenario
        d, i, c = s.horizon.days, s.horizon.n_intervals, len(s.customer_classes)
        self._shape = (d, i, c)
        self.counts = {name: np.zeros(self._shape) for name in COUNT_FIELDS}
        bins = len(WAIT_EDGES)
        self.hist_interval = np.zeros((i, c, bins), dtype=np.int64)
        self.hist_day = np.zeros((d, c, bins), dtype=np.int64)
        self._targets = np.array(
            [
                cls.target_wait if cls.target_wait is not None else s.targets.service_level.within
                for cls in s.customer_classes
            ]
        )
        self._warmup_end = s.horizon.open_minute + s.simulation.warmup_minutes

    def add(self, rows: np.ndarray) -> None:
        """Fold a chunk of engine record rows into the sums."""
        rows = rows[rows[:, _COL["arrival"]] >= self._warmup_end]
        if not len(rows):
            return
        d, i, c = self._shape
        klass = rows[:, _COL["klass"]].astype(np.int64)
        cell = rows[:, _COL["cell"]].astype(np.int64)
        flat = cell * c + klass  # index into (days * intervals * classes)
        outcome = rows[:, _COL["outcome"]]
        wait = rows[:, _COL["wait"]]
        served = outcome == SERVED
        joined = outcome != BALKED
        n = d * i * c

        def add_count(name: str, weights: np.ndarray | None = None, mask: np.ndarray | None = None) -> None:
            idx = flat if mask is None else flat[mask]
            w = None if weights is None else (weights if mask is None else weights[mask])
            self.counts[name] += np.bincount(idx, weights=w, minlength=n).reshape(self._shape)

        add_count("arrivals")
        add_count("served", mask=served)
        add_count("abandoned", mask=outcome == ABANDONED)
        add_count("balked", mask=~joined)
        add_count("joined", mask=joined)
        add_count("wait_sum", wait, joined)
        add_count("wait_sum_served", wait, served)
        add_count("within_target", mask=served & (wait <= self._targets[klass] + 1e-9))
        add_count("service_sum", rows[:, _COL["end"]] - rows[:, _COL["start"]], served)

        b = np.clip(np.searchsorted(WAIT_EDGES, wait[joined], side="right") - 1, 0, len(WAIT_EDGES) - 1)
        bins = len(WAIT_EDGES)
        interval = (cell % i)[joined]
        day = (cell // i)[joined]
        kj = klass[joined]
        self.hist_interval += np.bincount((interval * c + kj) * bins + b, minlength=i * c * bins).reshape(i, c, bins)
        self.hist_day += np.bincount((day * c + kj) * bins + b, minlength=d * c * bins).reshape(d, c, bins)

    def finish(
        self,
        max_queue: list[list[int]],
        max_queue_total: list[int],
        busy: list[list[float]],
        on_duty: list[list[float]],
    ) -> None:
        """Take the engine's time-based measurements (the last cell is outside intervals)."""
        d, i, c = self._shape
        self.max_queue = np.array([m[:-1] for m in max_queue], dtype=float).T.reshape(d, i, c)
        self.max_queue_total = np.array(max_queue_total[:-1], dtype=float).reshape(d, i)
        h = self.scenario.horizon
        starts = np.array([[h.interval_start(day, j) for j in range(i)] for day in range(d)])
        in_warmup = starts < self._warmup_end  # the queue of warm-up intervals is not reported
        self.max_queue[in_warmup] = 0.0
        self.max_queue_total[in_warmup] = 0.0
        self.busy = np.array([b[:-1] for b in busy]).reshape(-1, d, i)
        self.on_duty = np.array([b[:-1] for b in on_duty]).reshape(-1, d, i)
