"""Staffing deferred work: a fluid model of the backlog, as linear constraints on the staff on duty.

A deferred-work team (email, letters: ``teams[].deferred``) answers its contacts first come,
first served, while on duty; what is left waits for the next shift. Erlang's per-interval
curves do not describe it (its queue lives for hours, across nights). Instead its expected
work is a fluid, in **buckets** by arrival time: each interval of the opening hours, and each
night cut into pieces of an interval's length (overnight work, ``arrivals.overnight_per_hour``).
A bucket's deadline is its start plus ``target_hours`` (its earliest contact's). FIFO: the
work of buckets ``i .. j`` must be done by bucket ``j``'s deadline by the staff on the floor in
the intervals that start after bucket ``i`` starts and end by then. Every such window is one
linear constraint on the shift model's staff on duty (whichever window starts when the
backlog is empty binds; windows start at most :data:`WINDOW_DAYS` days back). A bucket with
no interval between its arrival and its deadline (a contact sent late at night with a target
shorter than the night) cannot be answered in time by anyone: no window ends with it, but
its work stays in the windows after it (it is answered first at the opening). Work due after
the horizon (the last day's midnight) has no constraint: the KPI ``deferred_within_target``
leaves it out too, unless it is answered.

The fluid asks that the work be answered within target on average; the randomness the share
``targets.deferred_within_target`` allows for is left to the simulation, whose misses scale
the planned work up in the next round (:data:`DEFERRED_STEP`). :func:`fluid_share` is the
fluid's prediction of that share for a plan.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from simsvc.scenario.models import Scenario
from simsvc.sim.deferred import horizon_end

__all__ = [
    "DEFERRED_STEP", "WINDOW_DAYS", "BacklogRow", "Buckets", "backlog_rows", "buckets", "fluid_share",
    "reachable_share",
]  # fmt: skip

WINDOW_DAYS = 2
"""How far back (days) a window of arrivals may start: a backlog older than this is not planned for."""
DEFERRED_STEP = 1.25
"""Factor on a deferred team's planned work after the simulation missed ``deferred_within_target``."""


@dataclass(frozen=True)
class Buckets:
    """A deferred team's work by arrival time, in order: start, end, work (minutes) and deadline of each."""

    start: np.ndarray
    end: np.ndarray
    work: np.ndarray
    deadline: np.ndarray


def buckets(scenario: Scenario, day_work: np.ndarray, night_rate: float, target_minutes: float) -> Buckets:
    """Buckets of ``day_work`` (minutes per cell) and of nights at ``night_rate`` (minutes of work per minute)."""
    h = scenario.horizon
    length = float(h.interval_minutes)
    rows: list[tuple[float, float, float]] = []
    for c in range(len(day_work)):
        day, j = divmod(c, h.n_intervals)
        if j == 0 and day > 0 and night_rate > 0:  # the night before: pieces of an interval's length
            night_start, night_end = h.night_after(day - 1)
            edges = np.append(np.arange(night_start, night_end, length), night_end)
            rows += [(a, b, night_rate * (b - a)) for a, b in itertools.pairwise(edges) if b > a]
        start = h.interval_start(day, j)
        rows.append((start, start + length, float(day_work[c])))
    start, end, work = (np.array(x, dtype=float) for x in zip(*rows, strict=True)) if rows else ([], [], [])
    return Buckets(np.asarray(start), np.asarray(end), np.asarray(work), np.asarray(start) + target_minutes)


@dataclass(frozen=True)
class BacklogRow:
    """``sum(weight[i] * staff on duty in cells[i]) >= work``: a window's work done by its deadline."""

    first: int  # the window's first bucket
    last: int  # its last bucket
    cells: np.ndarray  # cells whose staff count towards it
    weight: np.ndarray  # minutes of work one rostered person does in each (interval minutes, less shrinkage)
    work: float  # minutes of work arriving in the window


def _cells(scenario: Scenario, shrinkage: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each cell's start, end and the minutes of work one rostered person does in it."""
    h = scenario.horizon
    n = h.days * h.n_intervals
    start = np.array([h.interval_start(*divmod(c, h.n_intervals)) for c in range(n)], dtype=float)
    length = float(h.interval_minutes)
    return start, start + length, length * (1.0 - (shrinkage if shrinkage is not None else np.zeros(n)))


def backlog_rows(scenario: Scenario, work: Buckets, shrinkage: np.ndarray | None) -> list[BacklogRow]:
    """The fluid constraints of a deferred team with work ``work`` (see the module's docstring)."""
    start, end, per_person = _cells(scenario, shrinkage)
    last_day_end = horizon_end(scenario)
    cum = np.concatenate([[0.0], np.cumsum(work.work)])
    back = WINDOW_DAYS * 1440.0
    best: dict[tuple[int, int], BacklogRow] = {}
    for last in range(len(work.work)):
        deadline = work.deadline[last]
        if deadline > last_day_end + 1e-9:  # due after the horizon
            break
        if not ((start >= work.start[last] - 1e-9) & (end <= deadline + 1e-9)).any():
            continue  # nobody can answer it in time
        upto = int(np.searchsorted(end, deadline + 1e-9, side="right"))  # cells ending by the deadline
        for first in range(last, -1, -1):
            if work.start[first] < work.start[last] - back:
                break
            due = float(cum[last + 1] - cum[first])
            begin = int(np.searchsorted(start, work.start[first] - 1e-9, side="left"))
            if due <= 0 or begin >= upto:
                continue
            # Of windows with the same cells, the one with the most work binds (the longest).
            key = (begin, upto)
            if key not in best or due > best[key].work:
                best[key] = BacklogRow(first, last, np.arange(begin, upto), per_person[begin:upto], due)
    return list(best.values())


def reachable_share(scenario: Scenario, work: Buckets) -> float:
    """The most of the work due within the horizon that any staffing on opening hours answers in time.

    Work arriving when no interval lies between its arrival and its deadline (late at night with a
    target shorter than the night) is answered late, however many are on duty.
    """
    start, end, _ = _cells(scenario, None)
    due = work.deadline <= horizon_end(scenario) + 1e-9
    reach = np.array(
        [((start >= a - 1e-9) & (end <= d + 1e-9)).any() for a, d in zip(work.start, work.deadline, strict=True)]
    )
    total = float(work.work[due].sum())
    return float(work.work[due & reach].sum() / total) if total > 0 else float("nan")


def fluid_share(scenario: Scenario, work: Buckets, on_floor: np.ndarray) -> float:
    """The fluid's share of the due work (the KPI's rule) answered by its deadline, with ``on_floor`` per cell.

    First come, first served: each cell's capacity (staff on the floor times its minutes) goes to
    the oldest work that has arrived by the cell's start (a bucket arriving within a cell is
    handled from the next one: conservative by up to an interval).
    """
    start, end, _ = _cells(scenario, None)
    capacity = np.asarray(on_floor, dtype=float) * (end - start)
    left = work.work.astype(float).copy()
    done_at = np.full(len(left), np.inf)
    i = 0
    for c in range(len(capacity)):
        cap = capacity[c]
        while cap > 1e-12 and i < len(left) and work.end[i] <= start[c] + 1e-9:
            take = min(cap, left[i])
            left[i] -= take
            cap -= take
            if left[i] <= 1e-12:
                done_at[i] = start[c] + (capacity[c] - cap) / max(capacity[c], 1e-12) * (end[c] - start[c])
                i += 1
    due = (work.deadline <= horizon_end(scenario) + 1e-9) | np.isfinite(done_at)  # the KPI's "due"
    total = float(work.work[due].sum())
    answered = float(work.work[due & (done_at <= work.deadline + 1e-9)].sum())
    return answered / total if total > 0 else float("nan")
