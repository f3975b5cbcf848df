"""Building blocks shared by the scenario models: frozen base, clock times, shifts.

A team's staffing (``shifts`` or ``staff`` per interval) is defined once here and used
by front-line teams and complaint teams alike.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Mapping
from typing import Annotated, Any, Optional

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator
from typing_extensions import Self

from simsvc.bounds import MAX_DAYS, MAX_LEVEL, MAX_RATE_PER_HOUR, MAX_STAFF, Between
from simsvc.errors import ScenarioError
from simsvc.scenario.problems import pydantic_problems

__all__ = [
    "ClockTime",
    "Frozen",
    "check_clock",
    "minutes_to_clock",
    "non_empty_tuple",
    "Count",
    "Day",
    "Level",
    "Break",
    "PerInterval",
    "Rate",
    "Shift",
    "Staffed",
    "clock_to_minutes",
]

_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$|^24:00$")

ClockTime = Annotated[str, Field(description='A time of day, "HH:MM" (00:00 to 24:00).')]
Rate = Annotated[float, Between(0, MAX_RATE_PER_HOUR)]
"""Customers per hour."""
Count = Annotated[int, Between(0, MAX_STAFF)]
"""Staff on duty (of a shift, an interval, a team)."""
Level = Annotated[int, Between(0, MAX_LEVEL)]
"""A training level's number."""
Day = Annotated[int, Between(0, MAX_DAYS - 1)]
"""A day of the horizon (0 = the first)."""


def _as_tuple(value: Any) -> Any:
    """Let a single number stand for "the same value in every interval"."""
    return (value,) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


PerInterval = BeforeValidator(_as_tuple)


@functools.lru_cache(maxsize=1024)
def clock_to_minutes(value: str) -> float:
    """Convert ``"HH:MM"`` to minutes after midnight."""
    hours, minutes = value.split(":")
    return float(int(hours) * 60 + int(minutes))


def minutes_to_clock(minute: float) -> str:
    """``"HH:MM"`` of a minute of the day (rounded to the minute): the inverse of :func:`clock_to_minutes`."""
    m = round(minute)
    return f"{m // 60:02d}:{m % 60:02d}"


def check_clock(value: str) -> str:
    """Validate a ``"HH:MM"`` clock time."""
    if not isinstance(value, str) or not _CLOCK.match(value):
        raise ValueError(f'{value!r} is not a clock time "HH:MM" between 00:00 and 24:00')
    return value


def non_empty_tuple(value: tuple) -> tuple:
    """Validate that a list has at least one item."""
    if not value:
        raise ValueError("must list at least one item")
    return value


class Frozen(BaseModel):
    """Immutable; unknown fields are errors (typos are caught); NaN and infinity are refused.

    :meth:`model_copy` with ``update`` validates the result as constructing the model would
    (pydantic's own skips validation, so a bad value would fail much later, far from its cause).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, allow_inf_nan=False)

    def _validation_context(self) -> dict[str, Any] | None:
        """What validating a copy of this model needs to know (a scenario: its folder)."""
        return None

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy with the fields in ``update`` (by field name) changed, validated.

        For a scenario, :meth:`simsvc.Scenario.replace` takes field paths such as
        ``teams[0].staff`` instead.

        Raises:
            simsvc.ScenarioError: naming each invalid field (or unknown field name).
        """
        if not update:
            return super().model_copy(deep=deep)
        source = f"{type(self).__name__}.model_copy"
        fields = type(self).model_fields
        unknown = [k for k in update if k not in fields]
        if unknown:
            known = ", ".join(k for k, f in fields.items() if not f.exclude)
            raise ScenarioError(source, [(k, f"unknown field (fields: {known})") for k in unknown])
        # Only the fields given (set) are passed on, so the copy declares what the original did.
        data = {k: getattr(self, k) for k in self.model_fields_set if not fields[k].exclude}
        data.update(update)
        if deep:
            data = copy.deepcopy(data)
        try:
            return type(self).model_validate(data, context=self._validation_context())
        except ValidationError as exc:
            raise ScenarioError(source, pydantic_problems(exc)) from None


class Break(Frozen):
    """An unpaid break within a shift: its staff are off duty from ``start`` to ``end``."""

    start: ClockTime
    end: ClockTime

    _clock = field_validator("start", "end")(check_clock)


class Shift(Frozen):
    """Staff on duty from ``start`` to ``end`` (same day), on some or all days, less breaks."""

    start: ClockTime
    end: ClockTime
    staff: Count
    days: Optional[tuple[Day, ...]] = Field(
        None, description="Days of the horizon (0 = first) this shift works; default every day."
    )
    breaks: tuple[Break, ...] = Field((), description="Unpaid breaks within the shift.")

    _clock = field_validator("start", "end")(check_clock)

    @model_validator(mode="after")
    def _ordered(self) -> Shift:
        start, end = clock_to_minutes(self.start), clock_to_minutes(self.end)
        if end <= start:
            raise ValueError(f"end ({self.end}) must be after start ({self.start})")
        for b in self.breaks:
            b_start, b_end = clock_to_minutes(b.start), clock_to_minutes(b.end)
            if not start < b_start < b_end < end:
                raise ValueError(f"break {b.start}-{b.end} must lie inside the shift {self.start}-{self.end}")
        return self

    def works_on(self, day: int) -> bool:
        """Whether this shift is worked on ``day`` of the horizon."""
        return self.days is None or day in self.days

    def on_duty(self, minute: float) -> bool:
        """Whether its staff are on duty at ``minute`` of a working day (``[start, end)`` less breaks)."""
        if not clock_to_minutes(self.start) <= minute < clock_to_minutes(self.end):
            return False
        return not any(clock_to_minutes(b.start) <= minute < clock_to_minutes(b.end) for b in self.breaks)

    def change_points(self) -> list[float]:
        """Minutes of the day at which its staff come on or go off duty."""
        points = [clock_to_minutes(self.start), clock_to_minutes(self.end)]
        for b in self.breaks:
            points += [clock_to_minutes(b.start), clock_to_minutes(b.end)]
        return points


class Staffed(Frozen):
    """A named team with a training level and staff by shift or per interval."""

    name: Annotated[str, Field(min_length=1)]
    training_level: Level = 0
    shifts: Optional[tuple[Shift, ...]] = Field(None, description="Staff by shift.")
    staff: Annotated[Optional[tuple[Count, ...]], PerInterval] = Field(
        None, description="Staff on duty: one number all day, or one per interval."
    )

    @model_validator(mode="after")
    def _one_staffing(self) -> Staffed:
        if (self.shifts is None) == (self.staff is None):
            raise ValueError("give exactly one of shifts or staff")
        return self
