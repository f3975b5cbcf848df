"""A plan's shifts as the roster sees them: what ``simsvc optimize --out`` wrote, repeated over the roster's days.

The plan (``plan.csv``: team, shift, start, end, break, days, staff) staffs the days of its
horizon; roster day ``t`` (0-based) takes the plan's day ``t mod D`` of a ``D``-day plan, so
a one-day plan repeats daily and a week's plan weekly. The plan's folder's ``scenario.yaml``
gives the horizon (days, opening hours, interval) for the cover report.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from simsvc.errors import ScenarioError
from simsvc.roster.people import RosterFileError
from simsvc.scenario.base import check_clock, clock_to_minutes
from simsvc.scenario.load import read_yaml

__all__ = ["PlanShift", "RosterDemand", "read_plan"]


@dataclass(frozen=True)
class PlanShift:
    """One shift of the plan (a team's start, end and break) and its staff on each day of the plan."""

    team: str
    label: str  # "09:00-17:00" (with " break 12:00-12:30")
    start: float  # minute of the day
    end: float
    break_: tuple[float, float] | None
    staff: tuple[int, ...]  # per plan day

    @property
    def paid_hours(self) -> float:
        """Paid hours of one shift worked (the break is unpaid)."""
        off = 0.0 if self.break_ is None else self.break_[1] - self.break_[0]
        return (self.end - self.start - off) / 60.0

    def on_duty(self, starts: np.ndarray, length: float) -> np.ndarray:
        """Share of each interval ``[start, start + length)`` on duty (less the break)."""
        ends = starts + length
        on = np.clip(np.minimum(ends, self.end) - np.maximum(starts, self.start), 0.0, None)
        if self.break_ is not None:
            on -= np.clip(np.minimum(ends, self.break_[1]) - np.maximum(starts, self.break_[0]), 0.0, None)
        return on / length


@dataclass(frozen=True)
class RosterDemand:
    """The plan's shifts over ``days`` roster days, and the intervals its cover is reported in."""

    shifts: list[PlanShift]
    days: int
    plan_days: int
    open_minute: float = 0.0
    close_minute: float = 1440.0
    interval_minutes: float = 30.0
    source: str = "<plan>"
    teams: list[str] = field(default_factory=list)
    wage_per_hour: float | None = None  # the plan's wages per paid hour (its cost column), if it has one

    def required(self, day: int, s: int) -> int:
        """People the plan puts on shift ``s`` on roster day ``day``."""
        return self.shifts[s].staff[day % self.plan_days]

    def interval_starts(self) -> np.ndarray:
        """Minute of the day each reported interval starts."""
        n = round((self.close_minute - self.open_minute) / self.interval_minutes)
        return self.open_minute + np.arange(n) * self.interval_minutes


def _fail(path: Path, where: str, what: str) -> ScenarioError:
    return RosterFileError(str(path), [(where, what)])


def _clock(path: Path, row: int, column: str, text: str) -> float:
    try:
        return clock_to_minutes(check_clock(text.strip()))
    except (ValueError, AttributeError):
        raise _fail(path, f"row {row}, column {column}", f'{text!r} is not a clock time "HH:MM"') from None


def _horizon(folder: Path) -> tuple[int | None, float, float, float]:
    """``(days, open, close, interval)`` from the plan folder's ``scenario.yaml`` (defaults: a whole day, 30 min)."""
    path = folder / "scenario.yaml"
    if not path.is_file():
        return None, 0.0, 1440.0, 30.0
    h = (read_yaml(path) or {}).get("horizon") or {}
    try:
        return (
            int(h.get("days", 1)),
            clock_to_minutes(check_clock(h.get("open", "00:00"))),
            clock_to_minutes(check_clock(h.get("close", "24:00"))),
            float(h.get("interval_minutes", 30)),
        )
    except (ValueError, TypeError, AttributeError) as exc:
        raise _fail(path, "horizon", f"not a scenario's horizon ({exc})") from None


def read_plan(plan: Path, days: int) -> RosterDemand:
    """The shifts of ``plan`` (a ``simsvc optimize --out`` folder, or its ``plan.csv``) over ``days`` roster days.

    Raises:
        ScenarioError: naming the file, row and column that are wrong.
    """
    path = plan / "plan.csv" if plan.is_dir() else plan
    if not path.is_file():
        raise _fail(path, "", "file not found (give a `simsvc optimize --out` folder or its plan.csv)")
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = [c for c in ("team", "start", "end", "days", "staff") if c not in (reader.fieldnames or [])]
        if missing:
            raise _fail(path, "header", f"missing column(s) {', '.join(missing)} (a plan.csv of `simsvc optimize`)")
        rows = list(reader)
    plan_days, open_m, close_m, interval = _horizon(path.parent)
    parsed = []
    cost = 0.0
    for i, r in enumerate(rows, start=2):
        start, end = _clock(path, i, "start", r["start"]), _clock(path, i, "end", r["end"])
        if end <= start:
            raise _fail(path, f"row {i}, column end", f"{r['end']} is not after start {r['start']}")
        brk = None
        if (r.get("break") or "").strip():
            a, _, b = r["break"].partition("-")
            brk = (_clock(path, i, "break", a), _clock(path, i, "break", b))
        try:
            worked = [int(d) - 1 for d in r["days"].split()]
            staff = int(r["staff"])
        except ValueError:
            what = f"days {r['days']!r} and staff {r['staff']!r} must be whole numbers"
            raise _fail(path, f"row {i}", what) from None
        if staff < 0 or any(d < 0 for d in worked):
            raise _fail(path, f"row {i}", "days start at 1 and staff may not be negative")
        parsed.append((r["team"], r.get("shift") or f"{r['start']}-{r['end']}", start, end, brk, worked, staff))
        cost += _number(r.get("cost"))
    n_plan = plan_days or max((max(p[5], default=0) for p in parsed), default=0) + 1
    merged: dict[tuple[str, str], tuple[float, float, tuple[float, float] | None, list[int]]] = {}
    for team, label, start, end, brk, worked, staff in parsed:
        entry = merged.setdefault((team, label), (start, end, brk, [0] * n_plan))
        for d in worked:
            if d >= n_plan:
                raise _fail(path, f"team {team} shift {label}", f"day {d + 1} is beyond the plan's {n_plan} days")
            entry[3][d] += staff
    shifts = [PlanShift(t, lab, a, b, brk, tuple(staff)) for (t, lab), (a, b, brk, staff) in merged.items()]
    shifts = [s for s in shifts if any(s.staff)]
    teams = sorted({s.team for s in shifts})
    paid = sum(s.paid_hours * sum(s.staff) for s in shifts)
    wage = cost / paid if paid > 0 and cost > 0 else None
    return RosterDemand(shifts, days, n_plan, open_m, close_m, interval, str(path), teams, wage)


def _number(text: str | None) -> float:
    """A plan row's cost (0 when absent or not a number: the cost only sets the default pool's wage)."""
    try:
        value = float(text or 0)
    except ValueError:
        return 0.0
    return value if math.isfinite(value) and value >= 0 else 0.0
