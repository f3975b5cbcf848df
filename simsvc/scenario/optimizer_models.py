"""The ``optimizer`` block of a scenario: candidate shifts, bounds and solver settings.

The optimizer (:mod:`simsvc.staffing`) chooses how many staff work each candidate shift
and which training level each team gets. Candidate shifts are generated from families:
a window of start times, a list of lengths and an optional unpaid break whose position
may vary, for some or all teams.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Annotated, Any, Literal, Optional, Union

from pydantic import Field, field_validator, model_validator

from simsvc.bounds import MAX_MONEY, MAX_STAFF, Between
from simsvc.scenario.base import ClockTime, Count, Day, Frozen, Level, check_clock, clock_to_minutes, non_empty_tuple

__all__ = ["MAX_CANDIDATE_SHIFTS", "BreakRule", "OptimizerSpec", "ShiftFamily", "StartWindow", "VerifySpec"]

Minutes = Annotated[float, Between(1, 1440)]
"""A duration within a day (minutes, at least one)."""
Step = Annotated[float, Between(1, 1440, why="candidate shifts are generated at this step")]
"""A step between candidate positions (minutes)."""
Share = Annotated[float, Between(0, 1, low_open=True, high_open=True)]

MAX_CANDIDATE_SHIFTS = 10_000
"""Most candidate shifts per team (integer variables of its MILP) the families may generate.

A week of half-hourly starts, three lengths and a few break positions is a few hundred; the
bundled call centre's 65 solve in seconds. The optimizer's time grows faster than the count
(one day of the call centre, ``--no-simulate``: 1,805 shifts 10 s, 12,621 shifts 3 min),
and a grid as fine as ``every: 1`` over a long window and many break positions would run
for many minutes without a word: refused at validation instead."""


def _whole_minutes(value: Any) -> Any:
    """Grid steps, lengths and break offsets: shifts are planned on the clock (``HH:MM``), so whole minutes.

    A fractional one would make candidate shifts whose written ``HH:MM`` times differ from the
    times the optimizer planned.
    """
    for v in value if isinstance(value, tuple) else (value,):
        if v != int(v):
            raise ValueError(f"must be a whole number of minutes (shift times are HH:MM), not {v:g}")
    return value


def _grid(first: float, last: float, step: float) -> list[float]:
    """``first``, ``first + step``, ... up to ``last`` (included when on the grid)."""
    count = math.floor((last - first) / step + 1e-9) + 1
    return [first + i * step for i in range(max(count, 0))]


def _by_midnight(start: float, length: float) -> bool:
    """Whether a shift of ``length`` minutes starting at minute ``start`` ends by midnight (shifts stay in a day)."""
    return start + length <= 1440


class StartWindow(Frozen):
    """Shift starts from ``earliest`` to ``latest``, every ``every`` minutes."""

    earliest: ClockTime
    latest: ClockTime
    every: Step = Field(30.0, description="Minutes between starts, whole (shift times are HH:MM).")

    _clock = field_validator("earliest", "latest")(check_clock)
    _whole = field_validator("every")(_whole_minutes)

    def minutes(self) -> list[float]:
        """The start times, as minutes of the day."""
        return _grid(clock_to_minutes(self.earliest), clock_to_minutes(self.latest), self.every)

    @model_validator(mode="after")
    def _ordered(self) -> StartWindow:
        if clock_to_minutes(self.latest) < clock_to_minutes(self.earliest):
            raise ValueError(f"latest ({self.latest}) must not be before earliest ({self.earliest})")
        return self


class BreakRule(Frozen):
    """An unpaid break of ``minutes`` that starts ``earliest_after`` to ``latest_after`` into the shift.

    Each start position, every ``every`` minutes, makes its own candidate shift.
    """

    minutes: Minutes = 30.0
    earliest_after: Minutes = 180.0
    latest_after: Minutes = 240.0
    every: Step = Field(30.0, description="Minutes between break positions, whole (break times are HH:MM).")
    min_shift_minutes: Annotated[float, Between(0, 1440)] = Field(360.0, description="Shorter shifts have no break.")

    @model_validator(mode="after")
    def _ordered(self) -> BreakRule:
        if self.latest_after < self.earliest_after:
            raise ValueError(
                f"latest_after (={self.latest_after:g}) must not be below earliest_after (={self.earliest_after:g})"
            )
        return self

    _whole = field_validator("every", "minutes", "earliest_after", "latest_after")(_whole_minutes)

    def offsets(self, length: float) -> list[float]:
        """Minutes into a shift of ``length`` where the break may start (none: the shift has no break)."""
        if length < self.min_shift_minutes:
            return []
        return [o for o in _grid(self.earliest_after, self.latest_after, self.every) if o + self.minutes < length]


class ShiftFamily(Frozen):
    """Candidate shifts: every start in the window times every length (and break position)."""

    teams: Optional[tuple[str, ...]] = Field(
        None, description="Teams (front-line or complaint) that may work these shifts; default: every team."
    )
    start: StartWindow
    lengths: Annotated[tuple[Minutes, ...], Field(description="Shift lengths in minutes, breaks included.")]
    break_: Optional[BreakRule] = Field(None, alias="break")
    days: Union[Literal["each", "all"], tuple[Day, ...]] = Field(
        "each",
        description='"each": staffed day by day; "all": the same staff every day; or a list of days worked.',
    )

    _non_empty = field_validator("lengths")(non_empty_tuple)
    _whole = field_validator("lengths")(_whole_minutes)

    def shapes(self) -> Iterator[tuple[float, float, tuple[float, float] | None]]:
        """Each candidate working day: start, end (minutes of the day) and unpaid break (or None)."""
        for start in self.start.minutes():
            for length in self.lengths:
                if not _by_midnight(start, length):
                    continue
                offsets = [] if self.break_ is None else self.break_.offsets(length)
                minutes = 0.0 if self.break_ is None else self.break_.minutes
                for offset in offsets or [None]:
                    yield start, start + length, None if offset is None else (start + offset, start + offset + minutes)

    def count(self, days: int) -> int:
        """How many candidate shifts this family makes for one team over ``days`` days (without building them)."""
        per_day = 0
        for length in self.lengths:
            starts = sum(1 for start in self.start.minutes() if _by_midnight(start, length))
            per_day += starts * max(1, 0 if self.break_ is None else len(self.break_.offsets(length)))
        return per_day * len(self.day_sets(days))

    def day_sets(self, days: int) -> list[tuple[int, ...]]:
        """The sets of days one candidate shift is worked on, over a horizon of ``days``."""
        if self.days == "each":
            return [(d,) for d in range(days)]
        if self.days == "all":
            return [tuple(range(days))]
        return [tuple(sorted(set(self.days)))]


class VerifySpec(Frozen):
    """Sequential verification: replications are added while a target is inside its confidence interval."""

    precision: Share = Field(
        0.005,
        description="Stop adding replications for a target whose 95 % CI half-width is at most this "
        "(KPIs are shares: 0.005 is half a percentage point); it stays unresolved.",
    )
    max_replications: Annotated[int, Between(2, 10_000)] = Field(
        1000, description="Most replications per verification (doubling from optimizer.replications)."
    )


class OptimizerSpec(Frozen):
    """What the optimizer may choose and how hard it tries."""

    shifts: tuple[ShiftFamily, ...]
    training_levels: Optional[tuple[Level, ...]] = Field(
        None, description="Training levels a team may get; default: every level in training_levels."
    )
    scope: Literal["interval", "day"] = Field(
        "interval",
        description="interval: every interval meets the targets; day: each day as a whole (arrival-weighted).",
    )
    min_staff: Count = Field(0, description="Least staff on duty per team in every open interval.")
    max_staff: Optional[Annotated[int, Between(1, MAX_STAFF)]] = Field(
        None, description="Most staff of one team on duty at once."
    )
    max_occupancy: Optional[Annotated[float, Field(gt=0, le=1)]] = Field(
        None,
        description="Most offered load (Erlangs) per person on the floor in every interval, as in WFM tools: "
        "staff = the least meeting the targets and load / (staff on the floor) <= max_occupancy. Default: no cap.",
    )
    max_headcount: Optional[Annotated[int, Between(1, MAX_STAFF)]] = Field(
        None, description="Most people in one team on one day (sum over its shifts)."
    )
    budget_per_day: Optional[Annotated[float, Between(0, MAX_MONEY, low_open=True)]] = Field(
        None,
        description="Most operating cost per day: wages (complaint teams too), amortised training and "
        "complaint handling.",
    )
    complaint_utilization: Annotated[float, Between(0.05, 1, high_open=True)] = Field(
        0.85, description="Highest planned utilisation of a complaint team when its SLA spans a day or more "
        "(0.05 to below 1)."
    )
    solver: Literal["highs", "cbc"] = "highs"
    time_limit: Annotated[float, Between(0, 86_400, low_open=True)] = Field(
        60.0, description="Seconds per solve (more than 0, at most 86,400)."
    )
    gap: Annotated[float, Between(0, 1, high_open=True)] = Field(0.01, description="Relative MIP gap to stop at.")
    iterations: Annotated[int, Between(1, 50)] = Field(
        5, description="Most simulate-and-correct rounds (1: solve and verify once)."
    )
    replications: Optional[Annotated[int, Between(2, 100_000)]] = Field(
        None, description="Replications of a verification's first batch (default simulation.replications)."
    )
    verify: VerifySpec = Field(default_factory=VerifySpec, description="Sequential verification by simulation.")

    _non_empty = field_validator("shifts")(non_empty_tuple)

    @model_validator(mode="after")
    def _bounds(self) -> OptimizerSpec:
        if self.max_staff is not None and self.min_staff > self.max_staff:
            raise ValueError(f"min_staff (={self.min_staff}) exceeds max_staff (={self.max_staff})")
        if self.max_headcount is not None and self.min_staff > self.max_headcount:
            raise ValueError(f"min_staff (={self.min_staff}) exceeds max_headcount (={self.max_headcount})")
        return self
