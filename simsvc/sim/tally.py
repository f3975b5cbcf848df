"""Streaming reduction of customer records into per-replication sums and histograms.

Records arrive in chunks from the engine and are folded into fixed-size arrays indexed
by day, interval and class, so memory does not grow with the number of customers.
Waiting-time percentiles come from a log-spaced histogram whose bins are 0.4 % wide,
interpolated within a bin, so a percentile is within 0.4 % of its value (0 is exact).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simsvc.quality import DISSATISFIED, UNRESOLVED, satisfaction_score
from simsvc.scenario.models import Scenario
from simsvc.scenario.quality_models import DIMENSIONS
from simsvc.sim.engine import ABANDONED, BALKED, RECORD_FIELDS, SERVED
from simsvc.sim.experience import GAP_DIMENSIONS, Experience
from simsvc.sim.quality_engine import COMPLAINT_FIELDS, QUALITY_FIELDS

__all__ = ["COUNT_FIELDS", "GAP_FIELDS", "QUALITY_COUNT_FIELDS", "WAIT_EDGES", "Tally", "quantile_from_histogram"]

WAIT_EDGES = np.concatenate([[0.0, 1e-9], np.geomspace(1e-3, 1e5, 4618)])  # ratio 1.004
"""Histogram edges (minutes): [0, 1e-9) holds zero waits; the last bin is open-ended."""

COUNT_FIELDS = (
    "arrivals", "served", "abandoned", "balked", "joined",
    "wait_sum", "wait_sum_served", "within_target", "service_sum",
)  # fmt: skip
QUALITY_COUNT_FIELDS = (
    "satisfaction_sum", "delighted", "satisfied", "dissatisfied", "complaints", "returns", "lost",
    "complaints_handled", "recovered", "within_sla", "resolution_sum",
    *(f"gap_sum_{d}" for d in DIMENSIONS),
)  # fmt: skip
GAP_FIELDS = tuple(f"gap_{d}" for d in DIMENSIONS)
"""Columns the tally appends to quality records: the gap per dimension (NaN: not perceived)."""
_FOLD_ROWS = 1 << 15
_COL = {name: i for i, name in enumerate(RECORD_FIELDS + QUALITY_FIELDS + GAP_FIELDS)}
_CC = {name: i for i, name in enumerate(COMPLAINT_FIELDS)}
_OTHERS = [DIMENSIONS.index(d) for d in GAP_DIMENSIONS]
_RESPONSIVENESS = DIMENSIONS.index("responsiveness")


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
    busy: np.ndarray = field(init=False)  # (front-line teams, days, intervals) server-minutes
    on_duty: np.ndarray = field(init=False)  # (front-line teams, days, intervals) server-minutes
    back_office_busy: np.ndarray = field(init=False)  # (complaint teams, days) server-minutes
    back_office_on_duty: np.ndarray = field(init=False)  # (complaint teams, days) server-minutes
    paid: np.ndarray = field(init=False)  # (front-line teams, days) paid server-minutes, all day
    back_office_paid: np.ndarray = field(init=False)  # (complaint teams, days)

    def __post_init__(self) -> None:
        s = self.scenario
        d, i, c = s.horizon.days, s.horizon.n_intervals, len(s.customer_classes)
        self._shape = (d, i, c)
        self.quality = s.quality.enabled
        self._pending: list[np.ndarray] = []
        self._pending_rows = 0
        names = COUNT_FIELDS + (QUALITY_COUNT_FIELDS if self.quality else ())
        self.counts = {name: np.zeros(self._shape) for name in names}
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

    def _gap_columns(self, rows: np.ndarray, experience: Experience) -> np.ndarray:
        """Gap per dimension of a batch's customers (NaN: not perceived, e.g. unserved)."""
        out = np.full((len(rows), len(DIMENSIONS)), np.nan)
        team = rows[:, _COL["team"]].astype(np.int64)
        served = np.flatnonzero(team >= 0)
        out[:, _RESPONSIVENESS] = rows[:, _COL["perceived_responsiveness"]] - experience.expected_responsiveness
        out[np.ix_(served, _OTHERS)] = experience.gaps[served, team[served]]
        return out

    def _bincount(self, flat: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        d, i, c = self._shape
        return np.bincount(flat, weights=weights, minlength=d * i * c).reshape(self._shape)

    def add(self, rows: np.ndarray, judging: Any = None) -> np.ndarray:
        """Take a batch of engine record rows; return them as they are to be kept.

        With the quality model the rows gain :data:`GAP_FIELDS`, computed from the batch's
        pre-drawn experience (``judging.experience``). Rows are folded into the sums in
        chunks of at least :data:`_FOLD_ROWS` (a fold touches whole histograms), the rest
        by :meth:`finish`.
        """
        if self.quality:
            rows = np.hstack([rows, self._gap_columns(rows, judging.experience)])
        self._pending.append(rows)
        self._pending_rows += len(rows)
        if self._pending_rows >= _FOLD_ROWS:
            self._fold()
        return rows

    def _fold(self) -> None:
        if not self._pending:
            return
        rows = np.concatenate(self._pending) if len(self._pending) > 1 else self._pending[0]
        self._pending, self._pending_rows = [], 0
        rows = rows[rows[:, _COL["arrival"]] >= self._warmup_end]
        if not len(rows):
            return
        d, i, c = self._shape
        if self.quality:
            self._add_quality(rows)
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

    def _flat(self, rows: np.ndarray) -> np.ndarray:
        c = self._shape[2]
        return rows[:, _COL["cell"]].astype(np.int64) * c + rows[:, _COL["klass"]].astype(np.int64)

    def _add_quality(self, rows: np.ndarray) -> None:
        """Judgements of customers (one row each, initial category)."""
        flat = self._flat(rows)
        category = rows[:, _COL["category"]]
        complained = rows[:, _COL["complained"]] == 1
        returns = rows[:, _COL["returns"]]
        slope = self.scenario.quality.satisfaction_slope
        counts = self.counts
        counts["satisfaction_sum"] += self._bincount(flat, satisfaction_score(rows[:, _COL["gap"]], slope))
        for k, name in enumerate(("delighted", "satisfied", "dissatisfied")):
            counts[name] += self._bincount(flat[category == k])
        counts["complaints"] += self._bincount(flat[complained])
        counts["returns"] += self._bincount(flat, returns)
        counts["lost"] += self._bincount(flat[(category == DISSATISFIED) & ~complained & (returns == 0)])
        served = rows[:, _COL["outcome"]] == SERVED
        flat_served = flat[served]
        for dim in DIMENSIONS:
            counts[f"gap_sum_{dim}"] += self._bincount(flat_served, rows[served, _COL[f"gap_{dim}"]])

    def add_complaints(self, rows: np.ndarray) -> None:
        """Complaint outcomes, booked to the cell and class of the customer who complained."""
        rows = rows[rows[:, _CC["arrival"]] >= self._warmup_end]
        if not len(rows):
            return
        c = self._shape[2]
        flat = rows[:, _CC["cell"]].astype(np.int64) * c + rows[:, _CC["klass"]].astype(np.int64)
        handled = rows[:, _CC["handled"]] == 1
        resolution = rows[:, _CC["end"]] - rows[:, _CC["filed"]]
        category = rows[:, _CC["category"]]
        returns = rows[:, _CC["returns"]]
        slope = self.scenario.quality.satisfaction_slope
        counts = self.counts
        counts["complaints_handled"] += self._bincount(flat[handled])
        counts["recovered"] += self._bincount(flat, rows[:, _CC["recovered"]])
        sla = self.scenario.complaints.sla_minutes
        counts["within_sla"] += self._bincount(flat[handled & (resolution <= sla + 1e-9)])
        counts["resolution_sum"] += self._bincount(flat[handled], resolution[handled])
        before = satisfaction_score(rows[:, _CC["initial_gap"]], slope)
        change = satisfaction_score(rows[:, _CC["gap"]], slope) - before
        counts["satisfaction_sum"] += self._bincount(flat, change)
        counts["returns"] += self._bincount(flat, returns)
        bad = (category == DISSATISFIED) | (category == UNRESOLVED)
        counts["lost"] += self._bincount(flat[bad & (returns == 0)])

    def finish(
        self,
        max_queue: list[list[int]],
        max_queue_total: list[int],
        busy: list[list[float]],
        on_duty: list[list[float]],
        teams: list,
    ) -> None:
        """Fold what is pending; take the engine's time-based measurements.

        The engine's per-cell lists end with a cell for time outside any interval.
        """
        self._fold()
        d, i, c = self._shape
        self.max_queue = np.array([m[:-1] for m in max_queue[:c]], dtype=float).T.reshape(d, i, c)
        self.max_queue_total = np.array(max_queue_total[:-1], dtype=float).reshape(d, i)
        h = self.scenario.horizon
        starts = np.array([[h.interval_start(day, j) for j in range(i)] for day in range(d)])
        in_warmup = starts < self._warmup_end  # the queue of warm-up intervals is not reported
        self.max_queue[in_warmup] = 0.0
        self.max_queue_total[in_warmup] = 0.0
        front = len(self.scenario.teams)
        self.busy = np.array([b[:-1] for b in busy[:front]]).reshape(-1, d, i)
        self.on_duty = np.array([b[:-1] for b in on_duty[:front]]).reshape(-1, d, i)
        self.paid = np.array([t.paid_area for t in teams[:front]]).reshape(-1, d)
        self.back_office_paid = np.array([t.paid_area for t in teams[front:]]).reshape(-1, d)
        # Complaint teams book their time per day (to the day's first cell).
        self.back_office_busy = np.array([b[:-1] for b in busy[front:]]).reshape(-1, d, i).sum(axis=2)
        self.back_office_on_duty = np.array([b[:-1] for b in on_duty[front:]]).reshape(-1, d, i).sum(axis=2)
