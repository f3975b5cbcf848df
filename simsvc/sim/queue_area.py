"""The queue over time from customer records: its time-integral within each interval and its size at each start.

A customer who joined the queue is in it from arrival until ``arrival + wait`` (service start or
abandonment). The time-integral of the number waiting over an interval, divided by the
interval's length, is the interval's time-average queue, whoever arrived when: a customer who
arrived earlier and still waits counts, and a customer's wait after the interval ends counts in
the next one. (Little's law applied to an interval's arrivals instead books their whole wait to
the interval they arrived in, which under overload puts the "mean" above the longest queue.)

With ``A(x) = Σ max(0, x - arrival)`` and ``D(x) = Σ max(0, x - leave)``, the queue's
integral up to ``x`` is ``A(x) - D(x)``; both are evaluated at the interval edges from sorted
times and cumulative sums, so a batch costs one sort.
"""

from __future__ import annotations

import numpy as np

__all__ = ["queue_over_intervals"]


def _ramp_sums(times: np.ndarray, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each point ``x``: ``Σ max(0, x - t)`` over ``times``, and how many ``t <= x``."""
    ordered = np.sort(times, kind="stable")  # timsort: a fold's times come nearly in order
    cumulative = np.concatenate([[0.0], np.cumsum(ordered)])
    before = np.searchsorted(ordered, points, side="right")
    return before * points - cumulative[before], before


def queue_over_intervals(
    arrival: np.ndarray, leave: np.ndarray, klass: np.ndarray, starts: np.ndarray, length: float, n_classes: int
) -> tuple[np.ndarray, np.ndarray]:
    """The queue of each class in each interval ``[start, start + length)``.

    Args:
        arrival: when each customer joined the queue (minutes).
        leave: when each left it (service start or abandonment); ``leave == arrival``: never waited.
        klass: each customer's class index.
        starts: the intervals' start times.
        length: the intervals' length (minutes).
        n_classes: how many classes.

    Returns:
        ``(area, at_start)``, each of shape ``(len(starts), n_classes)``: the customer-minutes
        spent waiting within each interval, and the customers waiting at its start (joined at
        or before it, not yet left).
    """
    area = np.zeros((len(starts), n_classes))
    at_start = np.zeros((len(starts), n_classes))
    waited = leave > arrival
    ends = starts + length
    for k in range(n_classes):
        mask = waited & (klass == k)
        if not mask.any():
            continue
        ramp_in, joined = _ramp_sums(arrival[mask], np.concatenate([starts, ends]))
        ramp_out, left = _ramp_sums(leave[mask], np.concatenate([starts, ends]))
        integral = ramp_in - ramp_out  # customer-minutes waited up to each point
        n = len(starts)
        area[:, k] = integral[n:] - integral[:n]
        at_start[:, k] = joined[:n] - left[:n]
    return area, at_start
