"""Candidate shift patterns generated from the scenario's ``optimizer.shifts`` families.

A pattern is one way to work: a team, a start, an end, an optional unpaid break and the
days it is worked. Its coverage row says which fraction of each cell (day × interval)
its staff are on duty, as :func:`simsvc.staffing.covering.cover_shifts` expects.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simsvc.scenario.base import Break, Shift
from simsvc.scenario.base import minutes_to_clock as clock
from simsvc.scenario.models import Horizon, Scenario
from simsvc.scenario.optimizer_models import ShiftFamily

__all__ = ["Pattern", "clock", "generate_patterns"]


@dataclass(frozen=True)
class Pattern:
    """One candidate shift of one team."""

    team: str
    start: float  # minute of the day
    end: float
    break_: tuple[float, float] | None  # unpaid, minutes of the day
    days: tuple[int, ...]  # days of the horizon it is worked

    @property
    def paid_minutes(self) -> float:
        """Paid minutes per day worked (the break is unpaid)."""
        off = 0.0 if self.break_ is None else self.break_[1] - self.break_[0]
        return self.end - self.start - off

    @property
    def label(self) -> str:
        """``"09:00-17:00"`` (with ``" break 12:00-12:30"``)."""
        text = f"{clock(self.start)}-{clock(self.end)}"
        return text if self.break_ is None else text + f" break {clock(self.break_[0])}-{clock(self.break_[1])}"

    def coverage(self, horizon: Horizon) -> np.ndarray:
        """Fraction of each cell (day-major: day × intervals + interval) on duty."""
        n, length = horizon.n_intervals, horizon.interval_minutes
        starts = horizon.open_minute + np.arange(n) * length
        ends = starts + length
        on = np.clip(np.minimum(ends, self.end) - np.maximum(starts, self.start), 0.0, None)
        if self.break_ is not None:
            on -= np.clip(np.minimum(ends, self.break_[1]) - np.maximum(starts, self.break_[0]), 0.0, None)
        day_row = on / length
        row = np.zeros(horizon.days * n)
        for d in self.days:
            row[d * n : (d + 1) * n] = day_row
        return row

    def shift(self, staff: int, every_day: bool) -> Shift:
        """This pattern as a scenario shift with ``staff`` people."""
        breaks = () if self.break_ is None else (Break(start=clock(self.break_[0]), end=clock(self.break_[1])),)
        return Shift(
            start=clock(self.start), end=clock(self.end), staff=staff,
            days=None if every_day else self.days, breaks=breaks,
        )  # fmt: skip


def _family_patterns(family: ShiftFamily, team: str, days: int) -> list[Pattern]:
    day_sets = family.day_sets(days)
    return [Pattern(team, start, end, b, ds) for start, end, b in family.shapes() for ds in day_sets]


def generate_patterns(scenario: Scenario) -> dict[str, list[Pattern]]:
    """Candidate patterns per team named by (or, by default, front-line teams covered by) a family."""
    assert scenario.optimizer is not None
    front = [t.name for t in scenario.teams]
    out: dict[str, list[Pattern]] = {}
    for family in scenario.optimizer.shifts:
        for team in family.teams or front:
            patterns = out.setdefault(team, [])
            seen = set(patterns)
            patterns.extend(p for p in _family_patterns(family, team, scenario.horizon.days) if p not in seen)
    return out
