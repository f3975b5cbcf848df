"""The ``optimizer`` block of a scenario: candidate shifts, bounds and solver settings.

The optimizer (:mod:`simsvc.staffing`) chooses how many staff work each candidate shift
and which training level each team gets. Candidate shifts are generated from families:
a window of start times, a list of lengths and an optional unpaid break whose position
may vary, for some or all teams.
"""

from __future__ import annotations

from typing import Annotated, Literal, Optional, Union

from pydantic import Field, field_validator, model_validator

from simsvc.bounds import MAX_MONEY, MAX_STAFF, Between
from simsvc.scenario.base import ClockTime, Count, Day, Frozen, Level, check_clock, clock_to_minutes, non_empty_tuple

__all__ = ["BreakRule", "OptimizerSpec", "ShiftFamily", "StartWindow", "VerifySpec"]

Minutes = Annotated[float, Between(1, 1440)]
"""A duration within a day (minutes, at least one)."""
Step = Annotated[float, Between(1, 1440, why="candidate shifts are generated at this step")]
"""A step between candidate positions (minutes)."""
Share = Annotated[float, Between(0, 1, low_open=True, high_open=True)]


class StartWindow(Frozen):
    """Shift starts from ``earliest`` to ``latest``, every ``every`` minutes."""

    earliest: ClockTime
    latest: ClockTime
    every: Step = 30.0

    _clock = field_validator("earliest", "latest")(check_clock)

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
    every: Step = 30.0
    min_shift_minutes: Annotated[float, Between(0, 1440)] = Field(360.0, description="Shorter shifts have no break.")

    @model_validator(mode="after")
    def _ordered(self) -> BreakRule:
        if self.latest_after < self.earliest_after:
            raise ValueError(
                f"latest_after (={self.latest_after:g}) must not be below earliest_after (={self.earliest_after:g})"
            )
        return self


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
    max_headcount: Optional[Annotated[int, Between(1, MAX_STAFF)]] = Field(
        None, description="Most people in one team on one day (sum over its shifts)."
    )
    budget_per_day: Optional[Annotated[float, Between(0, MAX_MONEY, low_open=True)]] = Field(
        None,
        description="Most operating cost per day: wages (complaint teams too), amortised training and "
        "complaint handling.",
    )
    complaint_utilization: Share = Field(
        0.85, description="Highest planned utilisation of a complaint team when its SLA spans a day or more."
    )
    solver: Literal["highs", "cbc"] = "highs"
    time_limit: Annotated[float, Between(1, 86_400)] = Field(60.0, description="Seconds per solve (1 to 86,400).")
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
