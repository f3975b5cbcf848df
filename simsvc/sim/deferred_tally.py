"""Deferred work's sums from the customer records: response times against the target, and the backlog.

Definitions (the README's "Deferred work"), over the classes a deferred-work team serves:

* **answered**: served; its reply is sent when handling ends, so its *response time* is
  ``end - arrival``, *within target* when at most the target.
* **arrivals_deferred**: every arrival of a deferred class (the live KPIs ``service_level`` and
  ``abandonment_rate`` leave them out: deferred work has its own target).
* **due**: answered, or still open at the horizon's end with its deadline (arrival + target)
  passed by then; an open contact not yet due is left out of the share (its fate is unknown).
* **backlog at an opening**: contacts waiting just before it, ``arrival < opening <= start``
  (an open one waits to the horizon's end), of every arrival, warm-up or not (they wait then).

Counts are per (day, interval, class) of arrival, as the tally's others; the backlog per
(day, class) of the opening.
"""

from __future__ import annotations

import numpy as np

from simsvc.scenario.deferred import deferred_targets
from simsvc.scenario.models import Scenario
from simsvc.sim.deferred import horizon_end
from simsvc.sim.schema import OPEN, SERVED

__all__ = ["DEFERRED_COUNT_FIELDS", "DeferredCounts", "backlog_at"]

DEFERRED_COUNT_FIELDS = ("arrivals_deferred", "answered", "answered_in_target", "response_sum", "due", "open_at_end")
"""Sums per (day, interval, class) cell of deferred work (0 for other classes)."""


def backlog_at(arrival: np.ndarray, leave: np.ndarray, points: np.ndarray) -> np.ndarray:
    """How many waited just before each point: ``arrival < point <= leave`` (points sorted)."""
    first = np.searchsorted(points, arrival, side="right")  # the first point after the arrival
    last = np.searchsorted(points, leave, side="right")  # the first point after leaving
    n = len(points) + 1
    steps = np.bincount(first, minlength=n) - np.bincount(last, minlength=n)
    return np.cumsum(steps[:-1])


class DeferredCounts:
    """A replication's deferred-work sums, folded from record columns."""

    def __init__(self, scenario: Scenario, shape: tuple[int, int, int]):
        targets = deferred_targets(scenario)
        d, _, c = shape
        self.target = np.full(c, np.nan)
        for k, minutes in targets.items():
            self.target[k] = minutes
        self.is_deferred = ~np.isnan(self.target)
        self.end = horizon_end(scenario)
        h = scenario.horizon
        self.openings = np.array([day * 1440.0 + h.open_minute for day in range(d)])
        self.backlog = np.zeros((d, c))  # (days, classes): waiting just before each day's opening

    def reported_days(self, warmup_end: float) -> np.ndarray:
        """The days whose opening backlog is reported: after a night (not the first), opening after the warm-up."""
        days = np.arange(len(self.openings))
        return days[(days >= 1) & (self.openings >= warmup_end)]

    def add_backlog(self, klass: np.ndarray, arrival: np.ndarray, wait: np.ndarray) -> None:
        """The backlog of these customers (all of them, before the warm-up cut)."""
        for k in np.flatnonzero(self.is_deferred).tolist():
            mine = klass == k
            if mine.any():
                a = arrival[mine]
                self.backlog[:, k] += backlog_at(a, a + wait[mine], self.openings)

    def cells(
        self, klass: np.ndarray, arrival: np.ndarray, end: np.ndarray, outcome: np.ndarray
    ) -> dict[str, tuple[np.ndarray, np.ndarray | None]]:
        """Per field of :data:`DEFERRED_COUNT_FIELDS`: the mask of customers it counts, and their weights."""
        deferred = self.is_deferred[klass]
        target = self.target[klass]
        answered = deferred & (outcome == SERVED)
        response = end - arrival
        within = answered & (response <= target + 1e-9)
        still_open = deferred & (outcome == OPEN)
        due = answered | (still_open & (arrival + target <= self.end))
        return {
            "arrivals_deferred": (deferred, None),
            "answered": (answered, None),
            "answered_in_target": (within, None),
            "response_sum": (answered, np.where(answered, response, 0.0)),
            "due": (due, None),
            "open_at_end": (still_open, None),
        }
