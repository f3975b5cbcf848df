"""The scenario file format as frozen pydantic models.

Each model checks only its own fields; checks that span several parts of a scenario
(a team serving an unknown class, a rate list that does not match the horizon) live in
:mod:`simsvc.scenario.checks`, so every problem is reported with its full field path.
Times are minutes; clock times are ``"HH:MM"`` strings (``"24:00"`` allowed as an end).
"""

from __future__ import annotations

from typing import Annotated, Any, Optional

from pydantic import Field, field_validator, model_validator
from pydantic.json_schema import SkipJsonSchema

from simsvc.distributions import DistributionSpec
from simsvc.scenario.base import (
    ClockTime,
    Count,
    Frozen,
    PerInterval,
    Rate,
    Shift,
    Staffed,
    check_clock,
    clock_to_minutes,
    non_empty_tuple,
)
from simsvc.scenario.optimizer_models import OptimizerSpec
from simsvc.scenario.quality_models import Complaints, Costs, Expectations, Loyalty, QualityModel

__all__ = [
    "Arrivals",
    "CustomerClass",
    "Horizon",
    "Scenario",
    "ServiceLevelTarget",
    "Shift",
    "Simulation",
    "Targets",
    "Team",
    "TrainingLevel",
    "clock_to_minutes",
]


class Horizon(Frozen):
    """How many days are simulated, the opening hours and the reporting interval."""

    days: Annotated[int, Field(ge=1, le=3660)] = 1
    open: ClockTime = "09:00"
    close: ClockTime = "17:00"
    interval_minutes: Annotated[float, Field(gt=0, le=1440)] = 30.0

    _clock = field_validator("open", "close")(check_clock)

    @model_validator(mode="after")
    def _consistent(self) -> Horizon:
        span = self.close_minute - self.open_minute
        if span <= 0:
            raise ValueError(f"close ({self.close}) must be after open ({self.open})")
        n = span / self.interval_minutes
        if abs(n - round(n)) > 1e-9:
            raise ValueError(
                f"interval_minutes (={self.interval_minutes:g}) must divide the {span:g} opening minutes evenly"
            )
        return self

    @property
    def open_minute(self) -> float:
        return clock_to_minutes(self.open)

    @property
    def close_minute(self) -> float:
        return clock_to_minutes(self.close)

    @property
    def n_intervals(self) -> int:
        """Reporting intervals per day."""
        return round((self.close_minute - self.open_minute) / self.interval_minutes)

    def interval_start(self, day: int, interval: int) -> float:
        """Absolute time (minutes since day 0, 00:00) at which an interval starts."""
        return day * 1440.0 + self.open_minute + interval * self.interval_minutes


_RESOLVED = ("rates_per_hour", "trace_times", "trace_days", "trace_service")


class Arrivals(Frozen):
    """Demand of one class: a rate, rates per interval, a forecast file or a trace.

    Exactly one source is given. After loading, ``rates_per_hour`` holds one rate per
    interval (per day, or for every day of the horizon) and ``trace_times`` the
    replayed arrival times in minutes after opening on ``trace_days``.
    """

    per_hour: Annotated[Optional[tuple[Rate, ...]], PerInterval] = Field(
        None, description="Poisson rate per hour: one number, or one per interval."
    )
    csv: Optional[str] = Field(
        None,
        description="Forecast CSV (relative to the scenario file), one row per interval; "
        "the rate per hour is in `column`.",
    )
    column: str = "per_hour"
    trace: Optional[tuple[Annotated[float, Field(ge=0)], ...]] = Field(
        None, description="Arrival times to replay, minutes after opening on day 0."
    )
    trace_csv: Optional[str] = Field(
        None,
        description="CSV of arrival times to replay: column `time` (minutes after opening "
        'or "HH:MM[:SS]"), optional `day` and `service_time` (minutes).',
    )
    scale: Annotated[float, Field(ge=0, allow_inf_nan=False)] = Field(
        1.0, description="Multiplies the demand (what-if growth); traces ignore it."
    )
    # Filled by the loader from the fields above; not part of the file format.
    rates_per_hour: SkipJsonSchema[Optional[tuple[Rate, ...]]] = Field(None, exclude=True)
    trace_times: SkipJsonSchema[Optional[tuple[float, ...]]] = Field(None, exclude=True)
    trace_days: SkipJsonSchema[Optional[tuple[int, ...]]] = Field(None, exclude=True)
    trace_service: SkipJsonSchema[Optional[tuple[float, ...]]] = Field(None, exclude=True)

    @model_validator(mode="before")
    @classmethod
    def _no_resolved_fields(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key in _RESOLVED:
                if key in data:
                    raise ValueError(f"{key!r} is filled in by simsvc; use per_hour, csv, trace or trace_csv")
        return data

    @model_validator(mode="after")
    def _exactly_one(self) -> Arrivals:
        given = [k for k in ("per_hour", "csv", "trace", "trace_csv") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of per_hour, csv, trace, trace_csv" + (f" (got {', '.join(given)})" if given else "")
            )
        return self


class CustomerClass(Frozen):
    """A customer segment with its own demand, service needs, patience and priority."""

    name: Annotated[str, Field(min_length=1)]
    arrivals: Arrivals
    service_time: DistributionSpec = Field(description="Service time at speed 1 (minutes).")
    patience: Optional[DistributionSpec] = Field(
        None, description="Time a customer waits before abandoning (minutes); none = waits."
    )
    priority: int = Field(1, description="Smaller is served first (non-preemptive).")
    balk_at: Optional[Annotated[int, Field(ge=1)]] = Field(
        None,
        description="An arrival who sees this many of its class already waiting leaves at once.",
    )
    target_wait: Optional[Annotated[float, Field(ge=0)]] = Field(
        None, description="Service-level target wait for this class (minutes); default targets."
    )
    expectations: Expectations = Expectations()


class Team(Staffed):
    """A group of interchangeable front-line servers (a counter, an agent group)."""

    serves: tuple[str, ...]
    tangibles: Optional[Annotated[float, Field(ge=1, le=7)]] = Field(
        None, description="Perceived facilities at this team's counters (default: quality.tangibles)."
    )

    _non_empty = field_validator("serves")(non_empty_tuple)


class TrainingLevel(Frozen):
    """What a training level changes: speed, reliability, assurance, empathy, recovery, cost."""

    level: Count
    speed: Annotated[float, Field(gt=0, allow_inf_nan=False)] = Field(1.0, description="Service time divides by it.")
    wage_per_hour: Annotated[float, Field(ge=0, allow_inf_nan=False)] = 0.0
    failure_prob: Annotated[float, Field(ge=0, le=1)] = Field(0.05, description="Chance a service fails.")
    assurance: Annotated[float, Field(ge=1, le=7)] = Field(5.5, description="Perceived knowledge and courtesy.")
    empathy: Annotated[float, Field(ge=1, le=7)] = Field(5.0, description="Perceived individual attention.")
    recovery_success: Annotated[float, Field(ge=0, le=1)] = Field(
        0.85, description="Chance an immediately handled complaint is recovered."
    )
    training_cost_per_person: Annotated[float, Field(ge=0, allow_inf_nan=False)] = Field(
        0.0, description="One-off cost of training a person to this level (amortised)."
    )


class ServiceLevelTarget(Frozen):
    """Share ``fraction`` of arrivals should start service within ``within`` minutes."""

    within: Annotated[float, Field(ge=0, allow_inf_nan=False)] = 5.0
    fraction: Annotated[float, Field(ge=0, le=1)] = 0.8


class Targets(Frozen):
    """Service targets; the KPIs are measured against them."""

    service_level: ServiceLevelTarget = ServiceLevelTarget()
    max_abandonment: Optional[Annotated[float, Field(ge=0, le=1)]] = None
    min_satisfied: Optional[Annotated[float, Field(ge=0, le=1)]] = Field(
        None, description="Least share of customers not dissatisfied (1 - dissatisfied_share)."
    )
    complaints_within_sla: Optional[Annotated[float, Field(ge=0, le=1)]] = Field(
        None, description="Least share of complaints resolved within complaints.sla_minutes."
    )


class Simulation(Frozen):
    """Replications, randomness and run limits."""

    replications: Annotated[int, Field(ge=1, le=100_000)] = 20
    seed: Annotated[int, Field(ge=0)] = 20261123
    warmup_minutes: Annotated[float, Field(ge=0, allow_inf_nan=False)] = 0.0
    max_customers: Annotated[int, Field(ge=1)] = Field(
        2_000_000,
        description="Per replication; arrivals stop there and the run is flagged truncated.",
    )
    keep_records: bool = Field(True, description="Keep the per-customer table (off: streamed KPIs, bounded memory).")
    confidence: Annotated[float, Field(gt=0, lt=1)] = 0.95


class Scenario(Frozen):
    """A whole service operation: demand, teams, staffing, targets and run settings."""

    name: Annotated[str, Field(min_length=1)]
    description: str = ""
    horizon: Horizon = Horizon()
    customer_classes: tuple[CustomerClass, ...]
    teams: tuple[Team, ...]
    training_levels: tuple[TrainingLevel, ...] = (TrainingLevel(level=0),)
    targets: Targets = Targets()
    quality: QualityModel = QualityModel()
    complaints: Complaints = Complaints()
    loyalty: Optional[Loyalty] = Field(
        None, description="Return visits and word of mouth (opt-in; none: demand is exactly the declared)."
    )
    costs: Costs = Costs()
    simulation: Simulation = Simulation()
    optimizer: Optional[OptimizerSpec] = Field(None, description="Settings for simsvc optimize.")

    # Emptiness is checked after the items, so a bad item is not also reported as "empty".
    _non_empty = field_validator("customer_classes", "teams", "training_levels")(non_empty_tuple)

    def training(self, level: int) -> TrainingLevel:
        return next(t for t in self.training_levels if t.level == level)

    def target_wait(self, cls: CustomerClass) -> float:
        """The service-level target wait of a class: its own, else the scenario's."""
        return cls.target_wait if cls.target_wait is not None else self.targets.service_level.within
