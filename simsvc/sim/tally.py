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
from simsvc.scenario.deferred import deferred_targets
from simsvc.scenario.models import Scenario
from simsvc.scenario.quality_models import DIMENSIONS
from simsvc.sim.deferred_tally import DEFERRED_COUNT_FIELDS, DeferredCounts
from simsvc.sim.demand import declared_arrivals
from simsvc.sim.experience import GAP_DIMENSIONS, Experience, of_team
from simsvc.sim.queue_area import queue_over_intervals
from simsvc.sim.schema import ABANDONED, BALKED, COMPLAINT_FIELDS, RECORD_FIELDS, SERVED, STEP_FIELDS, customer_fields

__all__ = [
    "COUNT_FIELDS",
    "STATION_FIELDS",
    "QUALITY_COUNT_FIELDS",
    "WAIT_EDGES",
    "Tally",
    "quantile_from_histogram",
    "wait_bins",
]

WAIT_EDGES = np.concatenate([[0.0, 1e-9], np.geomspace(1e-3, 1e5, 4618)])  # ratio 1.004
"""Histogram edges (minutes): [0, 1e-9) holds zero waits; the last bin is open-ended."""
_LOG_FIRST, _LOG_STEP = np.log(WAIT_EDGES[2]), np.log(WAIT_EDGES[-1] / WAIT_EDGES[2]) / (len(WAIT_EDGES) - 3)


def wait_bins(wait: np.ndarray) -> np.ndarray:
    """The bin of :data:`WAIT_EDGES` each wait falls in: ``searchsorted(..., "right") - 1``, clipped.

    Computed from the logarithm (the edges are geometric above 1e-3 min) and then corrected
    against the edges themselves, so it is exactly the binary search's answer, several times
    faster on a long run's folds (``tests/test_tally_bins.py``).
    """
    last = len(WAIT_EDGES) - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        guess = np.floor((np.log(np.maximum(wait, WAIT_EDGES[2])) - _LOG_FIRST) / _LOG_STEP)
    b = np.clip(guess, 0, last).astype(np.int64) + 2
    np.minimum(b, last, out=b)
    b[wait < WAIT_EDGES[2]] = 1
    b[wait < WAIT_EDGES[1]] = 0
    for _ in range(2):  # the logarithm is off by at most a bin at an edge
        b -= WAIT_EDGES[b] > wait
        up = np.minimum(b + 1, last)
        b += (b < last) & (WAIT_EDGES[up] <= wait)
    return b


COUNT_FIELDS = (
    "arrivals", "served", "abandoned", "balked", "joined",
    "wait_sum", "wait_sum_served", "within_target", "service_sum", "queue_area", "declared",
)  # fmt: skip
"""Sums per (day, interval, class) cell; ``queue_area`` (customer-minutes waiting) by the cell it was waited in."""
STATION_FIELDS = ("served", "abandoned", "wait_sum_served", "service_sum")
"""Sums per station (front-line team) over the visits it served, or abandoned in its queue."""
QUALITY_COUNT_FIELDS = (
    "satisfaction_sum", "delighted", "satisfied", "dissatisfied", "complaints", "returns", "lost", "returning",
    "complaints_handled", "recovered", "within_sla", "resolution_sum",
    *(f"gap_sum_{d}" for d in DIMENSIONS),
)  # fmt: skip
_FOLD_ROWS = 1 << 15
_COL = {name: i for i, name in enumerate(customer_fields(quality=True))}
_CC = {name: i for i, name in enumerate(COMPLAINT_FIELDS)}
_SC = {name: i for i, name in enumerate(STEP_FIELDS)}


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
    observed_minutes: np.ndarray = field(init=False)  # (days, intervals) minutes reported (not warm-up)
    stations: dict[str, np.ndarray] = field(init=False)  # (front-line teams,) STATION_FIELDS sums

    def __post_init__(self) -> None:
        s = self.scenario
        d, i, c = s.horizon.days, s.horizon.n_intervals, len(s.customer_classes)
        self._shape = (d, i, c)
        self.quality = s.quality.enabled
        self.loyal = self.quality and s.loyalty is not None
        self._pending: list[np.ndarray] = []
        self._pending_rows = 0
        # Deferred work (simsvc.sim.deferred_tally): its sums only where a team is deferred.
        self.deferred = DeferredCounts(s, self._shape) if deferred_targets(s) else None
        names = COUNT_FIELDS + (QUALITY_COUNT_FIELDS if self.quality else ())
        names += DEFERRED_COUNT_FIELDS if self.deferred is not None else ()
        self.counts = {name: np.zeros(self._shape) for name in names}
        self.counts["declared"] = declared_arrivals(s)
        bins = len(WAIT_EDGES)
        self.hist_interval = np.zeros((i, c, bins), dtype=np.int64)
        # int32: a day's count in one bin cannot pass MAX_CUSTOMERS (1e8); halves a long horizon's size
        self.hist_day = np.zeros((d, c, bins), dtype=np.int32)
        self._targets = np.array([s.target_wait(cls) for cls in s.customer_classes])
        self._warmup_end = s.horizon.open_minute + s.simulation.warmup_minutes
        self._starts = np.array([s.horizon.interval_start(day, j) for day in range(d) for j in range(i)])
        self._queue_at_start = np.zeros(self._shape)
        # Classes with a journey: their queue and service time come from their steps (add_steps).
        self._journey = np.array([not j.one_step for j in s.journeys])
        self._any_journey = bool(self._journey.any())
        self._batch: list[np.ndarray] = []
        teams = len(s.teams)
        self.stations = {name: np.zeros(teams) for name in STATION_FIELDS}
        # A visit abandoned at a step of one station is that station's; a pool's queue is shared (-1).
        self._lone = np.array([st.stations[0] if len(st.stations) == 1 else -1 for j in s.journeys for st in j.steps])
        self._step_offset = np.cumsum([0] + [len(j.steps) for j in s.journeys])[:-1]

    def _gap_columns(self, columns: list[np.ndarray], experience: Experience) -> list[np.ndarray]:
        """Gap per dimension of a batch's customers (NaN: not perceived, e.g. unserved)."""
        team = columns[_COL["team"]].astype(np.int64)
        served = team >= 0
        others = of_team(experience.gaps, team)  # (n, 4)
        others[~served] = np.nan
        by_dimension = dict(zip(GAP_DIMENSIONS, others.T, strict=True))
        by_dimension["responsiveness"] = columns[_COL["perceived_responsiveness"]] - experience.expected_responsiveness
        return [by_dimension[d] for d in DIMENSIONS]

    def _bincount(self, flat: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        d, i, c = self._shape
        return np.bincount(flat, weights=weights, minlength=d * i * c).reshape(self._shape)

    def _count_by(self, flat: np.ndarray, field: np.ndarray, n_fields: int) -> np.ndarray:
        """Records per cell and value of ``field`` (0 to ``n_fields - 1``) in one pass.

        Shape ``(days, intervals, classes, n_fields)``.
        """
        size = int(np.prod(self._shape)) * n_fields
        return np.bincount(flat * n_fields + field, minlength=size).reshape(*self._shape, n_fields)

    def add(self, columns: list[np.ndarray], judging: Any = None) -> list[np.ndarray]:
        """Take a batch's record columns; return them as they are to be kept.

        With the quality model the columns gain :data:`GAP_FIELDS`, computed from the
        batch's pre-drawn experience (``judging.experience``), and the judgements are
        added at once (per-cell sums, cheap). The waits are folded into the sums and
        histograms in chunks of at least :data:`_FOLD_ROWS` rows (a fold touches whole
        histograms), the rest by :meth:`finish`. Columns, not rows: a fold reads a few
        fields of every record, and a column is contiguous in memory.
        """
        if self.quality:
            columns = columns + self._gap_columns(columns, judging.experience)
            self._add_quality(columns)
        if self._any_journey:  # its steps follow (add_steps): they need the customers' rows
            self._batch = [columns[_COL[f]] for f in ("customer", "arrival", "cell", "outcome")]
        self._pending.append(columns[: len(RECORD_FIELDS)])
        self._pending_rows += len(columns[0])
        if self._pending_rows >= _FOLD_ROWS:
            self._fold()
        return columns

    def _fold(self) -> None:
        if not self._pending:
            return
        parts = self._pending
        cols = parts[0] if len(parts) == 1 else [np.concatenate(c) for c in zip(*parts, strict=True)]
        self._pending, self._pending_rows = [], 0
        self._add_queue(cols)
        cols = self._after_warmup(cols)
        if not len(cols[0]):
            return
        _, i, c = self._shape
        klass = cols[_COL["klass"]].astype(np.int64)
        cell = cols[_COL["cell"]].astype(np.int64)
        # Index into (days * intervals * classes), from the fold's first cell: the sums below touch
        # only the cells the fold covers (a long horizon's arrays are large; a fold is a few days).
        lo, hi = int(cell.min()) * c, (int(cell.max()) + 1) * c
        flat = cell * c + klass - lo
        outcome = cols[_COL["outcome"]]
        wait = cols[_COL["wait"]]
        served = outcome == SERVED
        joined = outcome != BALKED

        def add_count(name: str, weights: np.ndarray | None = None, mask: np.ndarray | None = None) -> None:
            idx = flat if mask is None else flat[mask]
            w = None if weights is None else (weights if mask is None else weights[mask])
            self.counts[name].reshape(-1)[lo:hi] += np.bincount(idx, weights=w, minlength=hi - lo)

        add_count("arrivals")
        add_count("served", mask=served)
        add_count("abandoned", mask=outcome == ABANDONED)
        add_count("balked", mask=~joined)
        add_count("joined", mask=joined)
        add_count("wait_sum", wait, joined)
        add_count("wait_sum_served", wait, served)
        within = served & (wait <= self._targets[klass] + 1e-9)
        add_count("within_target", mask=within if self.deferred is None else within & ~self.deferred.is_deferred[klass])
        # A journey's service time is its steps' (add_steps).
        timed = served & ~self._journey[klass] if self._any_journey else served
        add_count("service_sum", cols[_COL["end"]] - cols[_COL["start"]], timed)
        if self.deferred is not None:
            arrival, end = cols[_COL["arrival"]], cols[_COL["end"]]
            for name, (mask, weights) in self.deferred.cells(klass, arrival, end, outcome).items():
                add_count(name, weights, mask)
        one = ~self._journey[klass] if self._any_journey else np.ones(len(klass), dtype=bool)
        self._add_stations(
            cols[_COL["team"]][one],
            klass[one],
            np.zeros(int(one.sum()), dtype=np.int64),
            outcome[one],
            wait[one],
            (cols[_COL["end"]] - cols[_COL["start"]])[one],
        )

        b = wait_bins(wait[joined])
        bins = len(WAIT_EDGES)
        interval = (cell % i)[joined]
        day = (cell // i)[joined]
        kj = klass[joined]
        self.hist_interval += np.bincount((interval * c + kj) * bins + b, minlength=i * c * bins).reshape(i, c, bins)
        if len(day):  # only the days this fold covers: a long horizon's histograms are large
            first, last = int(day.min()), int(day.max()) + 1
            self.hist_day[first:last] += np.bincount(
                ((day - first) * c + kj) * bins + b, minlength=(last - first) * c * bins
            ).reshape(last - first, c, bins)

    def _add_queue(self, cols: list[np.ndarray]) -> None:
        """The queue by the interval it is in (warm-up arrivals too: they wait in reported intervals)."""
        arrival = cols[_COL["arrival"]]
        wait = np.nan_to_num(cols[_COL["wait"]])
        leave = arrival + wait * (cols[_COL["outcome"]] != BALKED)
        klass = cols[_COL["klass"]]
        if self.deferred is not None:
            self.deferred.add_backlog(klass.astype(np.int64), arrival, wait)
        if self._any_journey:  # a journey's waits are its steps' (add_steps)
            leave = np.where(self._journey[klass.astype(np.int64)], arrival, leave)
        self._queue(arrival, leave, klass)

    def _queue(self, arrival: np.ndarray, leave: np.ndarray, klass: np.ndarray) -> None:
        """Add the queue of these customers to the intervals from the first one's arrival to the last one's leaving."""
        if not len(arrival):
            return
        c = self._shape[2]
        first = max(int(np.searchsorted(self._starts, arrival.min(), side="right")) - 1, 0)
        last = int(np.searchsorted(self._starts, leave.max(), side="right"))
        area, at_start = queue_over_intervals(
            arrival, leave, klass, self._starts[first:last], self.scenario.horizon.interval_minutes, c
        )
        self.counts["queue_area"].reshape(-1, c)[first:last] += area
        self._queue_at_start.reshape(-1, c)[first:last] += at_start

    def add_steps(self, rows: np.ndarray) -> None:
        """Take the step rows of the journey customers of the batch just given to :meth:`add`.

        Each step's wait counts in the queue when it happens; a served customer's service time
        is the sum of its steps', booked to its arrival's cell as for any customer.
        """
        customer, first, cell, outcome = self._batch
        at = (rows[:, _SC["customer"]] - customer[0]).astype(np.int64)  # a batch's ids are consecutive
        arrival = rows[:, _SC["arrival"]]
        klass = rows[:, _SC["klass"]]
        leave = arrival + np.nan_to_num(rows[:, _SC["wait"]]) * (rows[:, _SC["outcome"]] != BALKED)
        self._queue(arrival, leave, klass)
        done = (rows[:, _SC["outcome"]] == SERVED) & (outcome[at] == SERVED) & (first[at] >= self._warmup_end)
        flat = cell[at].astype(np.int64) * self._shape[2] + klass.astype(np.int64)
        service = rows[:, _SC["end"]] - rows[:, _SC["start"]]
        self.counts["service_sum"] += self._bincount(flat[done], service[done])
        kept = first[at] >= self._warmup_end
        self._add_stations(
            rows[kept, _SC["team"]],
            klass[kept].astype(np.int64),
            rows[kept, _SC["step"]].astype(np.int64),
            rows[kept, _SC["outcome"]],
            rows[kept, _SC["wait"]],
            service[kept],
        )

    def _add_stations(
        self,
        team: np.ndarray,
        klass: np.ndarray,
        step: np.ndarray,
        outcome: np.ndarray,
        wait: np.ndarray,
        service: np.ndarray,
    ) -> None:
        """Visits (after the warm-up) to the station that served them, or whose only queue they left."""
        n, counts = len(self.scenario.teams), self.stations
        served = (outcome == SERVED) & (team >= 0)
        at = team[served].astype(np.int64)
        counts["served"] += np.bincount(at, minlength=n)
        counts["wait_sum_served"] += np.bincount(at, weights=wait[served], minlength=n)
        counts["service_sum"] += np.bincount(at, weights=service[served], minlength=n)
        lone = self._lone[self._step_offset[klass] + step]
        left = (outcome == ABANDONED) & (lone >= 0)
        counts["abandoned"] += np.bincount(lone[left], minlength=n)

    def _after_warmup(self, cols: list[np.ndarray]) -> list[np.ndarray]:
        """The records of customers who arrived after the warm-up."""
        kept = cols[_COL["arrival"]] >= self._warmup_end
        return cols if kept.all() else [c[kept] for c in cols]

    def _add_quality(self, cols: list[np.ndarray]) -> None:
        """Judgements of a batch's customers (one record each, initial category)."""
        cols = self._after_warmup(cols)
        flat = cols[_COL["cell"]].astype(np.int64) * self._shape[2] + cols[_COL["klass"]].astype(np.int64)
        category = cols[_COL["category"]]
        complained = cols[_COL["complained"]] == 1
        returns = cols[_COL["returns"]]
        slope = self.scenario.quality.satisfaction_slope
        counts = self.counts
        counts["satisfaction_sum"] += self._bincount(flat, satisfaction_score(cols[_COL["gap"]], slope))
        by_category = self._count_by(flat, category.astype(np.int64), 3)
        for k, name in enumerate(("delighted", "satisfied", "dissatisfied")):
            counts[name] += by_category[..., k]
        counts["complaints"] += self._bincount(flat[complained])
        if self.loyal:  # without loyalty nobody's return is modelled (NaN)
            counts["returns"] += self._bincount(flat, returns)
            counts["lost"] += self._bincount(flat[(category == DISSATISFIED) & ~complained & (returns == 0)])
        counts["returning"] += self._bincount(flat[cols[_COL["returning"]] == 1])
        served = cols[_COL["outcome"]] == SERVED
        flat_served = flat[served]
        for dim in DIMENSIONS:
            counts[f"gap_sum_{dim}"] += self._bincount(flat_served, cols[_COL[f"gap_{dim}"]][served])

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
        if self.loyal:
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
        # The engine sees the queue when someone joins it; the queue carried into an interval counts too.
        self.max_queue = np.maximum(self.max_queue, self._queue_at_start)
        self.max_queue_total = np.maximum(self.max_queue_total, self._queue_at_start.sum(axis=2))
        self.max_queue[in_warmup] = 0.0
        self.max_queue_total[in_warmup] = 0.0
        self.counts["queue_area"][in_warmup] = 0.0
        self.observed_minutes = np.where(in_warmup, 0.0, h.interval_minutes)
        front = len(self.scenario.teams)
        self.busy = np.array([b[:-1] for b in busy[:front]]).reshape(-1, d, i)
        self.on_duty = np.array([b[:-1] for b in on_duty[:front]]).reshape(-1, d, i)
        self.paid = np.array([t.paid_area for t in teams[:front]]).reshape(-1, d)
        self.back_office_paid = np.array([t.paid_area for t in teams[front:]]).reshape(-1, d)
        # Complaint teams book their time per day (to the day's first cell).
        self.back_office_busy = np.array([b[:-1] for b in busy[front:]]).reshape(-1, d, i).sum(axis=2)
        self.back_office_on_duty = np.array([b[:-1] for b in on_duty[front:]]).reshape(-1, d, i).sum(axis=2)
