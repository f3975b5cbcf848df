"""The complaint desk: complaint teams on their own shifts, serving one first-come queue.

Nothing in the model waits on the desk: a complaint's handling changes only its own
outcome, and the customer's return and word of mouth, which act on later days. And in a
first-come, first-served queue a complaint's start depends only on the complaints filed
before it and on the rota. So the desk needs no event of its own: each complaint's start,
handler and end are computed exactly when it is filed, by the multi-server FIFO
recursion (Kiefer and Wolfowitz), stepping through the handlers' completions and shift
changes, with the rules of :class:`~simsvc.sim.engine.Engine`'s teams:

* a complaint goes to the first team, in scenario order, with a free handler; otherwise
  it waits, and the first handler to become free (a completion or a shift start) takes it;
* a shift change applies at once; a handler whose shift ends finishes the complaint in
  hand first (that time is paid); there is no closing rule: complaints wait for the next
  shift, across days, and those no shift will reach are never handled;
* busy, on-duty and paid handler-minutes are booked by :meth:`_Team.account` at the same
  moments as the engine books a team's (completions, starts, shift changes, midnight for
  the paid day, opening for the day's cell), so the sums are the same numbers.
"""

from __future__ import annotations

import math
from heapq import heappop, heappush

from simsvc.scenario.models import Scenario
from simsvc.sim.engine import _Team
from simsvc.sim.rota import day_steps

__all__ = ["ComplaintDesk"]

_STAFF, _DAY, _CELL = 0, 1, 2  # calendar entries: a shift change, midnight, opening


class _Handlers(_Team):
    """A complaint team: its time account, its calendar and the ends of complaints in hand."""

    __slots__ = ("calendar", "due", "ends", "next", "success")

    def __init__(self, index: int, speed: float, success: float, calendar: list[tuple], n_cells: int, days: int):
        super().__init__(index, speed, [], n_cells)
        self.success = success
        self.paid_area = [0.0] * days
        self.calendar, self.next = calendar, 0
        self.due = calendar[0][0] if calendar else math.inf  # the next calendar entry's time
        self.ends: list[float] = []  # heap: when each complaint in hand is finished

    def advance(self, t: float) -> None:
        """Apply every completion, shift change, midnight and opening up to ``t``."""
        ends = self.ends
        while True:
            if ends and ends[0] <= self.due:
                if ends[0] > t:
                    return
                self.account(heappop(ends))
                self.busy -= 1
            elif self.due > t or self.due == math.inf:
                return
            else:
                self._apply_calendar()

    def _apply_calendar(self) -> None:
        when, kind, value = self.calendar[self.next]
        self.next += 1
        self.due = self.calendar[self.next][0] if self.next < len(self.calendar) else math.inf
        self.account(when)
        if kind == _STAFF:
            self.sched = self.floor = value  # the desk has no shrinkage: everyone rostered is on the floor
        elif kind == _DAY:
            self.paid_day = value
        else:
            self.cell = value

    def upcoming(self) -> float:
        """The next moment a handler may become free (a completion or a calendar entry)."""
        return min(self.ends[0], self.due) if self.ends else self.due


class ComplaintDesk:
    """The complaint teams of a scenario; :meth:`assign` places each complaint as it is filed.

    Args:
        scenario: the validated scenario (its ``complaints.teams``).
        first_index: the first team's index in the records (after the front-line teams).
        n_cells: the engine's accounting cells (days x intervals; one more for outside).
        warmup_end: time from which a day's handler-minutes are reported.
    """

    def __init__(self, scenario: Scenario, first_index: int, n_cells: int, warmup_end: float):
        h = scenario.horizon
        clock = [(day * 1440.0, _DAY, day) for day in range(h.days)]
        for day in range(h.days):
            opening = h.interval_start(day, 0)  # back-office time is booked per day
            clock.append((opening, _CELL, day * h.n_intervals if opening >= warmup_end else n_cells))
        self.teams: list[_Handlers] = []
        for spec in scenario.complaints.teams:
            level = scenario.training(spec.training_level)
            steps = [(day * 1440.0 + t, _STAFF, n) for day in range(h.days) for t, n in day_steps(spec, h, day)]
            calendar = sorted(clock + steps, key=lambda entry: entry[0])  # stable: same-time steps keep their order
            index = first_index + len(self.teams)
            self.teams.append(_Handlers(index, level.speed, level.recovery_success, calendar, n_cells, h.days))
        self.last_start = 0.0  # first come, first served: no complaint starts before an earlier one

    def assign(self, filed: float, need: float) -> tuple[_Handlers, float, float] | None:
        """Place a complaint filed at ``filed``: its team, start and end; None if never handled."""
        now = filed if filed > self.last_start else self.last_start
        teams = self.teams
        while True:
            for team in teams:
                ends = team.ends
                if (ends and ends[0] <= now) or team.due <= now:
                    team.advance(now)
                if team.busy < team.sched:
                    team.account(now)
                    team.busy += 1
                    end = now + need / team.speed
                    heappush(team.ends, end)
                    self.last_start = now
                    return team, now, end
            now = min((team.upcoming() for team in teams), default=math.inf)
            if now == math.inf:
                return None

    def close(self) -> None:
        """Book every team's time to its last completion or calendar entry (the end of the run)."""
        for team in self.teams:
            team.advance(math.inf)
