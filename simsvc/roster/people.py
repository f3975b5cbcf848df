"""The people to roster and their contracts: ``roster.yaml`` (or a people CSV), validated with field paths.

``roster.yaml`` holds ``contracts:`` (the rules a person's week obeys) and ``people:``
(who, on which contract, for which teams, when available, what they prefer). Two contracts
are built in and may be redefined: ``full_time`` (at most 40 h a week) and ``part_time``
(at most 20 h). A CSV holds people only, one a row, on the built-in or no other contracts.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Annotated, Any, Literal, Optional

from pydantic import Field, ValidationError, field_validator, model_validator

from simsvc.errors import ScenarioError
from simsvc.scenario.base import ClockTime, Frozen, check_clock
from simsvc.scenario.load import read_yaml
from simsvc.scenario.problems import Problems, pydantic_problems

__all__ = [
    "WEEKDAYS",
    "Contract",
    "Person",
    "Preferences",
    "RosterFileError",
    "RosterSpec",
    "default_pool",
    "load_people",
]


class RosterFileError(ScenarioError):
    """A people file or a plan given to ``simsvc roster`` is invalid (a :class:`ScenarioError`: exit 2)."""

    kind = "roster input"


WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
Weekday = Literal["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
Hours = Annotated[float, Field(ge=0, le=168, allow_inf_nan=False)]


class Contract(Frozen):
    """What a person's every week of the roster must respect (a week: days 1-7, 8-14, ...)."""

    name: Annotated[str, Field(min_length=1)]
    max_hours_per_week: Hours = Field(40.0, description="Most paid hours in a week.")
    min_hours_per_week: Hours = Field(0.0, description="Least paid hours in a week.")
    min_days_off_per_week: Annotated[int, Field(ge=0, le=7)] = Field(2, description="Least days off in a week.")
    consecutive_days_off: bool = Field(False, description="Two of the week's days off are consecutive (in the week).")
    min_rest_hours: Hours = Field(11.0, description="Least rest from a shift's end to the next day's start.")
    start_band_minutes: Optional[Annotated[float, Field(ge=0, le=1440, allow_inf_nan=False)]] = Field(
        None, description="All of a week's shift starts within this many minutes of each other (None: any)."
    )
    wage_per_hour: Annotated[float, Field(ge=0, allow_inf_nan=False)] = Field(
        20.0, description="Cost of a paid hour (the objective's wages)."
    )

    @model_validator(mode="after")
    def _hours(self) -> Contract:
        if self.min_hours_per_week > self.max_hours_per_week:
            raise ValueError(
                f"min_hours_per_week (={self.min_hours_per_week:g}) exceeds max_hours_per_week "
                f"(={self.max_hours_per_week:g})"
            )
        return self


BUILT_IN = (Contract(name="full_time"), Contract(name="part_time", max_hours_per_week=20.0))
"""Contracts every roster file may use without defining them."""


class Preferences(Frozen):
    """What a person would like; each unmet wish costs ``weight`` in the objective."""

    days_off: tuple[Weekday, ...] = Field((), description="Weekdays the person would rather have off.")
    shifts: tuple[str, ...] = Field((), description='Shifts ("09:00-17:00") the person would rather work.')
    weight: Annotated[float, Field(ge=0, allow_inf_nan=False)] = Field(
        5.0, description="Cost of one day worked on a preferred day off, or on a shift not preferred."
    )


class Person(Frozen):
    """Someone to roster: a contract, the teams they may work for, when they are available."""

    name: Annotated[str, Field(min_length=1)]
    contract: str = "full_time"
    teams: Optional[tuple[str, ...]] = Field(None, description="Teams whose shifts they may work (None: every team).")
    unavailable_days: tuple[Annotated[int, Field(ge=1)], ...] = Field((), description="Roster days (1 = the first).")
    earliest_start: Optional[ClockTime] = None
    latest_end: Optional[ClockTime] = None
    preferences: Preferences = Preferences()

    _clock = field_validator("earliest_start", "latest_end")(lambda v: v if v is None else check_clock(v))


class RosterSpec(Frozen):
    """A roster file: contracts (the built-in ones added) and people."""

    contracts: tuple[Contract, ...] = ()
    people: Annotated[tuple[Person, ...], Field(min_length=1)]

    @model_validator(mode="after")
    def _names(self) -> RosterSpec:
        known = {c.name for c in self.all_contracts}
        seen: set[str] = set()
        problems = []
        for i, p in enumerate(self.people):
            if p.contract not in known:
                problems.append((f"people[{i}].contract", f"unknown contract {p.contract!r} (known: {sorted(known)})"))
            if p.name in seen:
                problems.append((f"people[{i}].name", f"{p.name!r} appears twice"))
            seen.add(p.name)
        if problems:
            raise Problems(problems)
        return self

    @property
    def all_contracts(self) -> tuple[Contract, ...]:
        """The file's contracts, then the built-in ones it does not redefine."""
        own = {c.name for c in self.contracts}
        return self.contracts + tuple(c for c in BUILT_IN if c.name not in own)

    def contract(self, name: str) -> Contract:
        """The contract called ``name``."""
        return next(c for c in self.all_contracts if c.name == name)


_CSV_LISTS = {"teams", "unavailable_days", "prefers_off", "prefers_shifts"}


def _csv_person(row: dict[str, str]) -> dict[str, Any]:
    """A people CSV row as the mapping :class:`Person` reads (lists separated by spaces or ``;``)."""
    out: dict[str, Any] = {}
    prefs: dict[str, Any] = {}
    for key, text in row.items():
        text = (text or "").strip()
        if not text or key is None:
            continue
        value: Any = text.replace(";", " ").split() if key in _CSV_LISTS else text
        if key == "prefers_off":
            prefs["days_off"] = value
        elif key == "prefers_shifts":
            prefs["shifts"] = value
        elif key == "weight":
            prefs["weight"] = text
        else:
            out[key] = value
    if prefs:
        out["preferences"] = prefs
    return out


def load_people(path: Path) -> RosterSpec:
    """Read ``roster.yaml`` or a people CSV.

    A CSV's columns: ``name, contract, teams, unavailable_days, earliest_start, latest_end,
    prefers_off, prefers_shifts, weight`` (lists separated by spaces or ``;``).

    Raises:
        ScenarioError: naming the file and every field that is wrong.
    """
    if path.suffix.lower() == ".csv":
        if not path.is_file():
            raise RosterFileError(str(path), [("", "file not found")])
        with path.open(newline="", encoding="utf-8") as f:
            raw: Any = {"people": [_csv_person(r) for r in csv.DictReader(f)]}
    else:
        raw = read_yaml(path)
    if not isinstance(raw, dict):
        raise RosterFileError(str(path), [("", "the file must hold a mapping (contracts:, people:)")])
    try:
        return RosterSpec.model_validate(raw)
    except ValidationError as exc:
        raise RosterFileError(str(path), pydantic_problems(exc)) from None


def default_pool(
    person_shifts_per_week: float, hours_per_week: float, wage_per_hour: float | None = None
) -> RosterSpec:
    """Anonymous full-timers (``P001``, ...) for a plan: 15 % more than its weekly work needs, at least 5 days off fit.

    Enough for the plan's person-shifts at five days a week and its hours at 40 h a week.
    ``wage_per_hour`` (the plan's, so the roster's wages compare with its cost) replaces the
    built-in full-time wage.
    """
    need = max(person_shifts_per_week / 5.0, hours_per_week / 40.0)
    count = max(1, math.ceil(1.15 * need))
    contracts = () if wage_per_hour is None else (Contract(name="full_time", wage_per_hour=wage_per_hour),)
    return RosterSpec(contracts=contracts, people=tuple(Person(name=f"P{i + 1:03d}") for i in range(count)))
