"""Shrinkage: the share of paid staff not on the floor (breaks, meetings, absence).

One rule for the simulation and the optimizer: of ``staff`` rostered in an interval with
shrinkage ``s``, ``floor(staff * (1 - s))`` serve; the rest are paid but not available.
It is deterministic (reproducible, no random stream) and conservative (a fraction of a
person does not serve), and it is the inverse of the planning rule of every WFM tool
(pyworkforce's ``positions = ceil(raw_positions / (1 - shrinkage))``): :func:`paid_for`
is the least staff whose :func:`on_floor` reaches a number.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = ["on_floor", "paid_for", "shrinkage_per_interval"]

_EPS = 1e-9  # staff * (1 - s) computed in floating point: 10 * (1 - 0.3) is 6.999...


def on_floor(staff: int, shrinkage: float) -> int:
    """People serving when ``staff`` are rostered and a share ``shrinkage`` of paid time is unavailable."""
    return math.floor(staff * (1.0 - shrinkage) + _EPS)


def paid_for(serving: int, shrinkage: float) -> int:
    """The least rostered staff with at least ``serving`` on the floor: ``ceil(serving / (1 - shrinkage))``."""
    return max(0, math.ceil(serving / (1.0 - shrinkage) - _EPS))


def shrinkage_per_interval(values: Sequence[float] | None, n_intervals: int) -> np.ndarray:
    """A team's shrinkage in each interval of a day (none declared: 0 everywhere)."""
    if not values:
        return np.zeros(n_intervals)
    return np.broadcast_to(np.asarray(values, dtype=float), (n_intervals,)).copy()
