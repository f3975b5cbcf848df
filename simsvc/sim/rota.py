"""Staff on duty over a day, as a step function derived from shifts or per-interval staff.

Shifts may work only on some days of the horizon and have unpaid breaks, so every
function takes the day (0 = the first day of the horizon).
"""

from __future__ import annotations

from simsvc.scenario.base import Staffed
from simsvc.scenario.models import Horizon

__all__ = ["CLOSE", "closing_staff", "day_events", "day_spans", "day_steps", "rostered", "staff_at"]


def day_steps(team: Staffed, horizon: Horizon, day: int = 0) -> list[tuple[float, int]]:
    """``(minute of day, staff from then on)`` at every change on ``day``, starting at minute 0."""
    if team.shifts is not None:
        points = {0.0}
        for s in team.shifts:
            if s.works_on(day):
                points.update(s.change_points())
        steps = [(t, staff_at(team, horizon, t, day)) for t in sorted(points) if t < 1440]
    else:
        assert team.staff is not None
        n = horizon.n_intervals
        values = team.staff * n if len(team.staff) == 1 else team.staff
        steps = [(0.0, 0)]
        steps += [(horizon.open_minute + j * horizon.interval_minutes, values[j]) for j in range(n)]
        steps.append((horizon.close_minute, 0))
    merged: list[tuple[float, int]] = []
    for t, n_staff in steps:
        if not merged or merged[-1][1] != n_staff:
            merged.append((t, n_staff))
    return merged


def staff_at(team: Staffed, horizon: Horizon, minute: float, day: int = 0) -> int:
    """Staff scheduled at a minute of ``day`` (shift ``[start, end)`` less breaks)."""
    if team.shifts is not None:
        return sum(s.staff for s in team.shifts if s.works_on(day) and s.on_duty(minute))
    assert team.staff is not None
    j = int((minute - horizon.open_minute) // horizon.interval_minutes)
    if not 0 <= j < horizon.n_intervals:
        return 0
    return team.staff[0] if len(team.staff) == 1 else team.staff[j]


def day_spans(team: Staffed, horizon: Horizon, day: int = 0) -> list[tuple[float, float, int]]:
    """``(start, end, staff)`` minutes of ``day`` over which the staff on duty stay the same, 0 to 1440."""
    steps = day_steps(team, horizon, day)
    ends = [t for t, _ in steps[1:]] + [1440.0]
    return [(t, end, n) for (t, n), end in zip(steps, ends, strict=True)]


def rostered(team: Staffed, horizon: Horizon, day: int = 0) -> bool:
    """Whether anyone of ``team`` is on duty at some moment of ``day``'s opening hours."""
    open_, close = horizon.open_minute, horizon.close_minute
    return any(n > 0 and t < close and end > open_ for t, end, n in day_spans(team, horizon, day))


def closing_staff(team: Staffed, horizon: Horizon, day: int = 0) -> int:
    """Staff who stay after closing on ``day`` until those still inside are served.

    Those on duty in the last moment before closing, and at least one if the team worked
    that day (its customers who came after its last shift are served); a team with nobody
    on duty during the day's opening hours serves nobody, after closing either.
    """
    last = horizon.close_minute - min(1e-6, horizon.interval_minutes / 2)
    on_duty = staff_at(team, horizon, last, day)
    return max(on_duty, 1) if on_duty or rostered(team, horizon, day) else 0


CLOSE = None
"""The closing event's mark in :func:`day_events` (in place of a staff number)."""


def day_events(team: Staffed, horizon: Horizon, day: int, back_office: bool) -> list[tuple[float, int | None]]:
    """A team's rota on ``day``: ``(absolute minute, staff from then on)``, and ``(close, CLOSE)`` at closing.

    In time order, closing before a shift change at the same minute; a back-office team has no closing.
    """
    base = day * 1440.0
    events: list[tuple[float, int | None]] = [(base + t, n) for t, n in day_steps(team, horizon, day)]
    if not back_office:
        events.append((base + horizon.close_minute, CLOSE))
    events.sort(key=lambda e: (e[0], e[1] is not CLOSE))
    return events
