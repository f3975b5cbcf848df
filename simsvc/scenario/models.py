"""The scenario file format as frozen pydantic models.

Each model checks only its own fields; checks that span several parts of a scenario
(a team serving an unknown class, a rate list that does not match the horizon) live in
:mod:`simsvc.scenario.checks`, so every problem is reported with its full field path.
Times are minutes; clock times are ``"HH:MM"`` strings (``"24:00"`` allowed as an end).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, Optional

import numpy as np
from pydantic import (
    BaseModel,
    Field,
    PlainSerializer,
    PlainValidator,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from simsvc import display
from simsvc.bounds import MAX_COUNT, MAX_CUSTOMERS, MAX_DAYS, MAX_MINUTES, MAX_MONEY, MAX_SEED, PRIORITY_RANGE, Between
from simsvc.distributions import DistributionSpec
from simsvc.errors import ScenarioError
from simsvc.scenario.base import (
    ClockTime,
    Frozen,
    Level,
    PerInterval,
    Rate,
    Shift,
    Staffed,
    check_clock,
    clock_to_minutes,
    non_empty_tuple,
)
from simsvc.scenario.checks import cross_checks
from simsvc.scenario.columns import Column
from simsvc.scenario.confine import resolved_dirs
from simsvc.scenario.deferred import Deferred
from simsvc.scenario.files import FileProblem, read_arrivals_file
from simsvc.scenario.journey_models import Step
from simsvc.scenario.journeys import Journey, compile_journeys
from simsvc.scenario.optimizer_models import OptimizerSpec
from simsvc.scenario.paths import PathError, parse_path, set_path
from simsvc.scenario.problems import Problems, pydantic_problems
from simsvc.scenario.quality_models import Complaints, Costs, Expectations, Loyalty, Probability, QualityModel, Score
from simsvc.scenario.skills import LISTED, OverflowMinutes, ServesField

__all__ = [
    "Arrivals",
    "ChannelChoice",
    "CustomerClass",
    "Deferred",
    "Horizon",
    "Scenario",
    "SelfService",
    "ServiceLevelTarget",
    "Shift",
    "Simulation",
    "Targets",
    "Team",
    "TrainingLevel",
    "clock_to_minutes",
    "contact_rate",
]


class Horizon(Frozen):
    """How many days are simulated, the opening hours and the reporting interval."""

    days: Annotated[int, Between(1, MAX_DAYS)] = 1
    open: ClockTime = "09:00"
    close: ClockTime = "17:00"
    interval_minutes: Annotated[float, Between(1, 1440)] = Field(
        30.0, description="Length of a reporting interval (minutes, 1 to 1440); it divides the opening hours."
    )

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

    def night_after(self, day: int) -> tuple[float, float]:
        """The night after ``day`` (absolute minutes): its closing and the next day's opening."""
        return day * 1440.0 + self.close_minute, (day + 1) * 1440.0 + self.open_minute


_RESOLVED = ("rates_per_hour", "trace_times", "trace_days", "trace_service")
_TRACE_RANGE = Between(0, 1440)


def _trace_column(value: Any) -> Column:
    """An inline trace as a column, checked as a whole (a list of a million numbers is no million models)."""
    if isinstance(value, Column):
        return value
    if isinstance(value, (str, bytes, Mapping)) or not hasattr(value, "__len__"):
        raise ValueError("must be a list of arrival times (minutes after opening)")
    try:
        times = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        i = next(i for i, v in enumerate(value) if isinstance(v, bool) or not _is_number(v))
        raise Problems([(f"[{i}]", f"{value[i]!r} is not a number")]) from None
    if times.ndim != 1:
        raise ValueError("must be a flat list of arrival times (minutes after opening)")
    bad = ~np.isfinite(times) | (times < _TRACE_RANGE.low) | (times > _TRACE_RANGE.high)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        message = f"must be a finite number, not {float(times[i])!r}"
        if np.isfinite(times[i]):
            try:
                _TRACE_RANGE.check(float(times[i]))
            except ValueError as exc:
                message = str(exc)
        raise Problems([(f"[{i}]", message)])
    return Column(times, copy=times is value)


def _is_number(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


TraceColumn = Annotated[
    Any,
    PlainValidator(_trace_column),
    PlainSerializer(lambda c: c.tolist(), return_type=list),
    WithJsonSchema({"type": "array", "items": {"type": "number", "minimum": 0, "maximum": 1440}}),
]
"""Arrival times in minutes after opening (0 to 1440), held as a :class:`Column`."""
_SOURCES = ("per_hour", "csv", "trace", "trace_csv")


class Arrivals(Frozen):
    """Demand of one class: a rate, rates per interval, a forecast file or a trace.

    Exactly one source is given. Once resolved (inline demand at once, a file when the
    scenario is validated), ``rates_per_hour`` holds one rate per interval (per day, or for
    every day of the horizon) and ``trace_times`` the replayed arrival times in minutes after
    opening on ``trace_days``.
    """

    per_hour: Annotated[Optional[tuple[Rate, ...]], PerInterval] = Field(
        None, description="Poisson rate per hour: one number, or one per interval."
    )
    csv: Optional[str] = Field(
        None,
        description="Forecast CSV or Excel .xlsx (relative to the scenario file), one row per interval; "
        "the rate per hour is in `column`.",
    )
    column: str = "per_hour"
    trace: Optional[TraceColumn] = Field(
        None,
        description="Arrival times to replay, minutes after opening on day 0 (0 to 1440, before closing; "
        "replayed in time order).",
    )
    trace_csv: Optional[str] = Field(
        None,
        description="CSV of arrival times to replay: column `time` (minutes after opening "
        'or "HH:MM[:SS]"), optional `day` and `service_time` (minutes).',
    )
    scale: Annotated[float, Between(0, 1000)] = Field(
        1.0, description="Multiplies the demand (what-if growth, 0 to 1000); traces ignore it."
    )
    overnight_per_hour: Rate = Field(
        0.0,
        description="Deferred work arriving between a day's closing and the next opening (Poisson rate per hour, "
        "times scale); it joins the next day's first interval with its real arrival time. Only for classes of a "
        "deferred-work team. Default 0: nothing arrives outside opening hours. README 'Deferred work'.",
    )
    # Filled in from the fields above (a file by the scenario's validation); not part of the file format.
    rates_per_hour: SkipJsonSchema[Optional[tuple[Rate, ...]]] = Field(None, exclude=True)
    # Columns (:class:`~simsvc.scenario.columns.Column`): set without validation, never dumped.
    trace_times: SkipJsonSchema[Optional[Any]] = Field(None, exclude=True)
    trace_days: SkipJsonSchema[Optional[Any]] = Field(None, exclude=True)
    trace_service: SkipJsonSchema[Optional[Any]] = Field(None, exclude=True)

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
        given = [k for k in _SOURCES if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of per_hour, csv, trace, trace_csv" + (f" (got {', '.join(given)})" if given else "")
            )
        # Inline demand is resolved here; a file is read by the scenario, which knows its folder.
        if self.per_hour is not None:
            object.__setattr__(self, "rates_per_hour", self.per_hour)
        elif self.trace is not None:
            object.__setattr__(self, "trace_times", self.trace)
            object.__setattr__(self, "trace_days", Column(np.zeros(len(self.trace), dtype=np.int64)))
        return self

    @property
    def overnight_per_minute(self) -> float:
        """The overnight arrival rate per minute (deferred work: ``overnight_per_hour`` times ``scale``)."""
        return self.overnight_per_hour * self.scale / 60.0

    @property
    def resolved(self) -> bool:
        """Whether the demand has been read (always for inline demand; for a file, once loaded)."""
        return self.rates_per_hour is not None or self.trace_times is not None

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Arrivals:
        """A validated copy; demand read from a file is kept while the file reference is unchanged."""
        copied = super().model_copy(update=update, deep=deep)
        if update and not copied.resolved and not set(update) & {*_SOURCES, "column"}:
            for key in _RESOLVED:
                object.__setattr__(copied, key, getattr(self, key))
        return copied

    def with_file_read(self, base_dir: Path | None, open_minute: float, allowed: tuple[Path, ...] = ()) -> Arrivals:
        """These arrivals with their file read (see :func:`~simsvc.scenario.files.read_arrivals_file`)."""
        # The resolved fields cannot be validated as input, so this copy bypasses validation.
        return BaseModel.model_copy(self, update=read_arrivals_file(self, base_dir, open_minute, allowed))

    def unresolved(self) -> Arrivals:
        """These arrivals with the data read from a file dropped (to read it again)."""
        if self.csv is None and self.trace_csv is None:
            return self
        return BaseModel.model_copy(self, update=dict.fromkeys(_RESOLVED))


class ChannelChoice(Frozen):
    """Switching channel on hearing the announced wait (README 'Channel choice'); off unless given."""

    tolerance: DistributionSpec = Field(
        description="The announced wait (minutes) a customer accepts, drawn per customer; one told a longer wait "
        "switches to another channel."
    )
    to: dict[Annotated[str, Field(min_length=1)], Probability] = Field(
        description="The classes (channels) switchers go to, with probabilities summing to 1."
    )


class CustomerClass(Frozen):
    """A customer segment with its own demand, service needs, patience and priority."""

    name: Annotated[str, Field(min_length=1)]
    arrivals: Arrivals
    service_time: DistributionSpec = Field(description="Service time at speed 1 (minutes).")
    patience: Optional[DistributionSpec] = Field(
        None, description="Time a customer waits before abandoning (minutes); none = waits."
    )
    priority: Annotated[int, PRIORITY_RANGE] = Field(
        1, description="Smaller is served first (non-preemptive)."
    )
    balk_at: Optional[Annotated[int, Between(1, MAX_COUNT)]] = Field(
        None,
        description="An arrival who sees this many of its class already waiting leaves at once.",
    )
    target_wait: Optional[Annotated[float, Between(0, MAX_MINUTES)]] = Field(
        None, description="Service-level target wait for this class (minutes); default targets."
    )
    expectations: Expectations = Expectations()
    journey: Optional[tuple[Step, ...]] = Field(
        None,
        description="The steps this class takes through the teams (stations); default one step, served by "
        "the teams whose `serves` lists it. See the README's 'Journeys'.",
    )
    channel_choice: Optional[ChannelChoice] = Field(
        None,
        description="Customers who would wait hear the announced wait and, above their tolerance, switch to "
        "another class (channel). Default: none (every customer stays in its class). README 'Channel choice'.",
    )


def contact_rate(k: float, slowdown: float, speed: float = 1.0) -> float:
    """Each contact's rate at an agent of ``speed`` holding ``k`` at once: ``speed / (1 + slowdown (k - 1))``."""
    return speed / (1.0 + slowdown * (k - 1))


class SelfService(Frozen):
    """A self-service station (a portal, an app, a kiosk): no staff, as many customers at once as come."""

    failure_prob: Probability = Field(
        description="Chance a customer does not finish on their own: they move on to the journey's next step "
        "(a staffed one); the others leave the journey done. See the README's 'Self-service'."
    )


MAX_CONCURRENCY = 10_000
"""Most contacts one agent may hold at once (short of 'unlimited')."""


def _concurrency(value: Any) -> int | str:
    """``teams[].concurrency``: a whole number of at least 1 (at most :data:`MAX_CONCURRENCY`), or 'unlimited'."""
    if value == "unlimited":
        return "unlimited"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"must be a whole number of contacts (at least 1) or 'unlimited' (got {value!r})")
    if value < 1:
        raise ValueError(f"must be at least 1 (got {value})")
    if value > MAX_CONCURRENCY:
        raise ValueError(f"must be at most {MAX_CONCURRENCY} or 'unlimited' (got {value})")
    return value


class Team(Staffed):
    """A group of interchangeable front-line servers (a counter, an agent group), or a self-service station."""

    self_service: Optional[SelfService] = Field(
        None,
        description="Makes this a self-service station: unlimited capacity, no staff, no shifts, no wages; "
        "customers who fail go on to the journey's next step. Default: a staffed team.",
    )

    @model_validator(mode="before")
    @classmethod
    def _self_service_has_no_staff(cls, data: Any) -> Any:
        # A self-service station is a team nobody staffs: it is given staff 0, so every part that reads
        # a team's staff (the rota, costs, charts) sees none, and the engine gives it unlimited capacity.
        if isinstance(data, Mapping) and data.get("self_service") is not None:
            if data.get("shifts") is not None:
                raise ValueError("a self-service station has no shifts (remove shifts or self_service)")
            staff = data.get("staff")
            if staff is None:
                data = {**data, "staff": 0}
            elif any(n != 0 for n in (staff if isinstance(staff, (list, tuple)) else [staff])):
                raise ValueError("a self-service station has no staff (remove staff or self_service)")
        return data

    serves: ServesField = Field(
        (),
        description="Classes without a journey that this team serves (a journey names its teams itself): a list, "
        "or a mapping {class: skill priority} (a whole number, smaller preferred). A list gives every class skill "
        "priority 1. An arrival goes to the idle team with the best skill priority for its class; a freed agent "
        "takes the waiting contact of its best skill priority, then best class priority, then longest waiting. "
        "README 'Skills and overflow'.",
    )
    overflow: Optional[dict[str, OverflowMinutes]] = Field(
        None,
        description="Makes this team a secondary group for other classes: {class: minutes}. It takes a contact of "
        "such a class only once the contact has waited that long, and only when none of its own skills' contacts "
        "waits. Default: none. README 'Skills and overflow'.",
    )
    tangibles: Optional[Score] = Field(
        None, description="Perceived facilities at this team's counters (default: quality.tangibles)."
    )
    shrinkage: Annotated[Optional[tuple[Annotated[float, Field(ge=0, lt=1)], ...]], PerInterval] = Field(
        None,
        description="Share of paid staff not on the floor (breaks, meetings, absence): one value, or one per "
        "interval of a day. Of n rostered, floor(n * (1 - shrinkage)) serve; the simulation and the optimizer "
        "both apply it. Default: none (everyone rostered serves).",
    )
    routing: Literal["first_idle", "longest_idle", "priority"] = Field(
        "first_idle",
        description="Which idle team of a pool takes an arrival, which waiting customer a freed server takes: "
        "first_idle (pool order; priority, then first come), longest_idle (the team idle longest), priority (the "
        "team for which the class ranks best). Teams serving a queue together name the same. README 'Routing'.",
    )
    concurrency: Annotated[
        Any,
        PlainValidator(_concurrency),
        WithJsonSchema(
            {"anyOf": [{"type": "integer", "minimum": 1, "maximum": MAX_CONCURRENCY}, {"const": "unlimited"}]}
        ),
    ] = Field(
        1,
        description="Contacts one agent handles at once (chat): a whole number of at least 1, or 'unlimited'. "
        "Default 1: one customer at a time (today's model). README 'Chat concurrency'.",
    )
    deferred: Optional[Deferred] = Field(
        None,
        description="Makes this a deferred-work station (email, letters, back office): no closing, its queue carries "
        "over to its next shift across days, its classes measured against a response-time target in hours. "
        "Default: none (the queue is served out at closing). README 'Deferred work'.",
    )
    concurrency_slowdown: Annotated[float, Between(0, 10)] = Field(
        0.5,
        description="With k contacts at an agent each progresses at speed / (1 + s*(k-1)): handling time times "
        "1 + s*(k-1). 0: k independent servers; 1: processor sharing (no gain from k). Used only with "
        "concurrency above 1. Default 0.5, halfway between no cost and no gain from multitasking (replace it with a "
        "measured value): two chats at once take 1.5x as long each, 1.33 chats per chat's time.",
    )

    @model_validator(mode="after")
    def _self_service_has_no_agents(self) -> Team:
        if self.self_service is not None and self.concurrent:
            raise Problems([("concurrency", "a self-service station serves everyone at once (remove concurrency)")])
        return self

    @property
    def skills(self) -> dict[str, int]:
        """Each class this team serves, with its skill priority (:data:`LISTED` for a list)."""
        if isinstance(self.serves, Mapping):
            return dict(self.serves)
        return dict.fromkeys(self.serves, LISTED)

    @property
    def slots(self) -> float:
        """Contacts an agent may hold at once (``math.inf`` for 'unlimited')."""
        return math.inf if self.concurrency == "unlimited" else self.concurrency

    @property
    def servers_worth(self) -> float:
        """The work an agent does when full, in plain servers' worth (1 without concurrency).

        ``c`` contacts at ``1 / (1 + s (c - 1))`` each; with 'unlimited', ``1 / s`` (infinite for s = 0).
        """
        c, s = self.slots, self.concurrency_slowdown
        if c == math.inf:
            return math.inf if s == 0 else 1.0 / s
        return c * contact_rate(c, s)

    @property
    def concurrent(self) -> bool:
        """Whether an agent may hold more than one contact (then the engine's concurrent path serves it)."""
        return self.concurrency != 1


class TrainingLevel(Frozen):
    """What a training level changes: speed, reliability, assurance, empathy, recovery, cost."""

    level: Level
    speed: Annotated[float, Between(0.01, 100)] = Field(1.0, description="Service time divides by it.")
    wage_per_hour: Annotated[float, Between(0, MAX_MONEY)] = 0.0
    failure_prob: Probability = Field(0.05, description="Chance a service fails.")
    assurance: Score = Field(5.5, description="Perceived knowledge and courtesy.")
    empathy: Score = Field(5.0, description="Perceived individual attention.")
    recovery_success: Probability = Field(0.85, description="Chance an immediately handled complaint is recovered.")
    training_cost_per_person: Annotated[float, Between(0, MAX_MONEY)] = Field(
        0.0, description="One-off cost of training a person to this level (amortised)."
    )


class ServiceLevelTarget(Frozen):
    """Share ``fraction`` of arrivals should start service within ``within`` minutes."""

    within: Annotated[float, Between(0, MAX_MINUTES)] = 5.0
    fraction: Probability = 0.8


class Targets(Frozen):
    """Service targets; the KPIs are measured against them."""

    service_level: ServiceLevelTarget = ServiceLevelTarget()
    max_abandonment: Optional[Probability] = None
    min_satisfied: Optional[Probability] = Field(
        None, description="Least share of customers not dissatisfied (1 - dissatisfied_share)."
    )
    complaints_within_sla: Optional[Probability] = Field(
        None, description="Least share of complaints resolved within complaints.sla_minutes."
    )
    deferred_within_target: Optional[Probability] = Field(
        None,
        description="Least share of deferred work (teams[].deferred) answered within its team's target_hours "
        "(the KPI deferred_within_target); judged over the horizon. Default: none.",
    )


class Simulation(Frozen):
    """Replications, randomness and run limits."""

    replications: Annotated[int, Between(1, 100_000)] = 20
    seed: Annotated[int, Between(0, MAX_SEED)] = 20261123
    warmup_minutes: Annotated[float, Between(0, MAX_MINUTES)] = 0.0
    max_customers: Annotated[int, Between(1, MAX_CUSTOMERS)] = Field(
        2_000_000,
        description="Per replication; arrivals stop there and the run is flagged truncated.",
    )
    keep_records: bool = Field(True, description="Keep the per-customer table (off: streamed KPIs, bounded memory).")
    confidence: Annotated[float, Between(0, 1, low_open=True, high_open=True)] = 0.95


class Scenario(Frozen):
    """A whole service operation: demand, teams, staffing, targets and run settings.

    However it is made (:func:`~simsvc.scenario.load.load_scenario`, :meth:`replace`,
    ``model_copy(update=...)``, ``Scenario(...)``), a scenario is validated completely: its
    fields, the files its demand refers to (read once, their paths made absolute) and the
    checks across its parts (:mod:`simsvc.scenario.checks`). Problems raise
    :class:`~simsvc.errors.ScenarioError` naming each field (``Scenario(...)`` raises pydantic's
    ``ValidationError``, also a ``ValueError``, with the same messages).
    """

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

    _folder: Optional[Path] = PrivateAttr(None)
    """Where relative file references start (the scenario file's folder); None if unknown."""
    _allowed: tuple[Path, ...] = PrivateAttr(())
    """Further folders its files may lie in (see :mod:`simsvc.scenario.confine`)."""
    _journeys: Optional[tuple[Journey, ...]] = PrivateAttr(None)

    # Emptiness is checked after the items, so a bad item is not also reported as "empty".
    _non_empty = field_validator("customer_classes", "teams", "training_levels")(non_empty_tuple)

    @model_validator(mode="after")
    def _resolved_and_consistent(self, info: ValidationInfo) -> Scenario:
        folder = (info.context or {}).get("base_dir")
        self._folder = None if folder is None else Path(folder).resolve()
        self._allowed = resolved_dirs((info.context or {}).get("allowed_dirs"))
        problems = []
        classes = list(self.customer_classes)
        for i, cls in enumerate(classes):
            if cls.arrivals.resolved:
                continue
            try:
                arrivals = cls.arrivals.with_file_read(self._folder, self.horizon.open_minute, self._allowed)
            except FileProblem as exc:
                field = "csv" if cls.arrivals.csv is not None else "trace_csv"
                problems.append((f"customer_classes[{i}].arrivals.{field}", str(exc)))
                continue
            classes[i] = BaseModel.model_copy(cls, update={"arrivals": arrivals})
        if problems:
            raise Problems(problems)
        object.__setattr__(self, "customer_classes", tuple(classes))
        problems = cross_checks(self)
        if problems:
            raise Problems(problems)
        return self

    def _validation_context(self) -> dict[str, Any]:
        return {"base_dir": self._folder, "allowed_dirs": self._allowed}

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Scenario:
        """A validated copy with whole fields replaced; :meth:`replace` takes field paths instead."""
        if update and "horizon" in update and "customer_classes" not in update:
            # Trace times in "HH:MM" count from opening: read the traces again for the new horizon.
            classes = tuple(
                BaseModel.model_copy(c, update={"arrivals": c.arrivals.unresolved()}) if c.arrivals.trace_csv else c
                for c in self.customer_classes
            )
            update = {**update, "customer_classes": classes}
        return super().model_copy(update=update, deep=deep)

    def __eq__(self, other: object) -> bool:
        # Equal scenarios declare the same operation, wherever their files were found.
        if not isinstance(other, Scenario):
            return NotImplemented
        return type(self) is type(other) and all(getattr(self, k) == getattr(other, k) for k in type(self).model_fields)

    @property
    def journeys(self) -> tuple[Journey, ...]:
        """Each class's journey compiled for the engine (see :mod:`simsvc.scenario.journeys`), in class order."""
        if self._journeys is None:
            self._journeys = compile_journeys(self)
        return self._journeys

    @property
    def folder(self) -> Path | None:
        """The folder relative file references start from (the scenario file's), or None."""
        return self._folder

    def replace(self, changes: Mapping[str, Any]) -> Scenario:
        """A validated copy with the fields at the given paths changed.

        Paths are written as in error messages and sweep factors: ``teams[0].staff``,
        ``customer_classes[0].service_time.mean``, ``quality.promise_level``. Values are in the
        file format (numbers, strings, lists, mappings). Relative file names resolve against
        this scenario's folder, as in its file.

        Example:
            ``scenario.replace({"teams[0].shifts": None, "teams[0].staff": 4})``

        Raises:
            simsvc.ScenarioError: a path that leads nowhere, or every problem of the result,
                each named by its field path.
        """
        if not isinstance(changes, Mapping):
            raise TypeError(f"replace() takes a mapping of field paths to values, not {type(changes).__name__}")
        source = f"{self.name}: Scenario.replace"
        raw: dict[str, Any] = self.to_dict()
        for path, value in changes.items():
            try:
                raw = set_path(raw, parse_path(path), value)
            except PathError as exc:
                raise ScenarioError(source, [(str(path), str(exc))]) from None
        try:
            return Scenario.model_validate(raw, context=self._validation_context())
        except ValidationError as exc:
            raise ScenarioError(source, pydantic_problems(exc)) from None

    def to_dict(self) -> dict[str, Any]:
        """The scenario in the file format: what it declares, JSON-able, file references absolute.

        ``load_scenario(scenario.to_dict(), allowed_dirs=[scenario.folder]) == scenario`` (from any
        folder; the current folder's files are allowed without it); ``yaml.safe_dump`` of it is a scenario
        file (see also :func:`~simsvc.scenario.dump.scenario_yaml`, which writes demand inline).
        """
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)

    def training(self, level: int) -> TrainingLevel:
        return next(t for t in self.training_levels if t.level == level)

    def target_wait(self, cls: CustomerClass) -> float:
        """The service-level target wait of a class: its own, else the scenario's."""
        return cls.target_wait if cls.target_wait is not None else self.targets.service_level.within

    def __repr__(self) -> str:
        return display.scenario_repr(self)

    __str__ = __repr__

    def _repr_html_(self) -> str:
        """A compact summary for Jupyter: horizon, classes and their demand, teams and staffing."""
        return display.scenario_html(self)
