"""The roster's rules, defined once: which shifts a person may work, which follow each other, weeks, bands, wishes.

A roster's days are 0-based; week ``w`` is days ``7w`` to ``7w + 6`` and day ``t`` is the
weekday ``WEEKDAYS[t % 7]`` (day 1 is a Monday). The rules of a person's contract:

* **one shift a day** at most;
* **days off**: at least ``min_days_off_per_week`` days without a shift in each week; with
  ``consecutive_days_off``, two of them on consecutive days of the week;
* **hours**: paid hours in each week between ``min_hours_per_week`` and ``max_hours_per_week``;
* **rest**: from a shift's end to the next day's shift's start at least ``min_rest_hours``;
* **start band**: with ``start_band_minutes``, a week's shift starts at most that far apart;
* **availability**: only shifts of the person's teams, not on unavailable days, starting no
  earlier than ``earliest_start`` and ending no later than ``latest_end``.

The cover rule: on each day, each shift has at least the plan's staff.
"""

from __future__ import annotations

from simsvc.roster.people import WEEKDAYS, Contract, Person, RosterSpec
from simsvc.roster.plan_shifts import PlanShift, RosterDemand
from simsvc.scenario.base import clock_to_minutes

__all__ = ["allowed", "band_starts", "in_band", "rest_conflicts", "team_problems", "weekday", "weeks", "wish_cost"]


def weeks(days: int) -> list[range]:
    """The roster's weeks: days ``0-6``, ``7-13``, ... (a last partial week is a week of its own)."""
    return [range(w, min(w + 7, days)) for w in range(0, days, 7)]


def weekday(day: int) -> str:
    """``"Mon"`` ... ``"Sun"`` of roster day ``day`` (day 0 is a Monday)."""
    return WEEKDAYS[day % 7]


def rest_conflicts(shifts: list[PlanShift], contract: Contract) -> dict[int, list[int]]:
    """Per shift ``s``: the shifts that may not follow it on the next day (too little rest between them)."""
    need = contract.min_rest_hours * 60.0
    return {
        s: [s2 for s2, b in enumerate(shifts) if 1440.0 - a.end + b.start < need - 1e-9] for s, a in enumerate(shifts)
    }


def allowed(person: Person, day: int, shift: PlanShift) -> bool:
    """Whether ``person`` may work ``shift`` on roster day ``day`` (teams, availability)."""
    if person.teams is not None and shift.team not in person.teams:
        return False
    if day + 1 in person.unavailable_days:
        return False
    if person.earliest_start is not None and shift.start < clock_to_minutes(person.earliest_start) - 1e-9:
        return False
    return not (person.latest_end is not None and shift.end > clock_to_minutes(person.latest_end) + 1e-9)


def band_starts(shifts: list[PlanShift], width: float) -> list[float]:
    """Candidate start bands ``[b, b + width]``: one at each distinct shift start, less those another band contains.

    A band whose starts are all in another band allows nothing more (fewer equivalent choices for the solver).
    """
    starts = sorted({s.start for s in shifts})
    members = {b: frozenset(a for a in starts if in_band(a, b, width)) for b in starts}
    return [b for b in starts if not any(members[b] < members[o] for o in starts if o != b)]


def in_band(start: float, band: float, width: float) -> bool:
    """Whether a shift starting at ``start`` lies in the band ``[band, band + width]``."""
    return band - 1e-9 <= start <= band + width + 1e-9


def wish_cost(person: Person, day: int, shift: PlanShift) -> float:
    """What working ``shift`` on ``day`` costs against ``person``'s preferences."""
    p = person.preferences
    unmet = (weekday(day) in p.days_off) + (bool(p.shifts) and shift.label not in p.shifts)
    return p.weight * unmet


def team_problems(spec: RosterSpec, demand: RosterDemand) -> list[tuple[str, str]]:
    """``(field path, what is wrong)`` for each person's team that has no shift in the plan (a typo, surely)."""
    out = []
    for i, person in enumerate(spec.people):
        for j, team in enumerate(person.teams or ()):
            if team not in demand.teams:
                what = f"no shift of team {team!r} in the plan (teams: {demand.teams})"
                out.append((f"people[{i}].teams[{j}]", what))
    return out
