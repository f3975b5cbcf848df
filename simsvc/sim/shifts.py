"""How the engine runs its teams' shifts and its clock (:class:`ShiftMoves`).

Mixed into :class:`simsvc.sim.engine.Engine`: one SimPy process per team steps through its
rota (shift changes, closing); one process, the clock, opens each day and interval (moving the
time accounts to the new cell, applying shrinkage, drawing the day's customers). The rules are
those of the engine's docstring: a busy server whose shift ends finishes its customer first; at
closing the staff on duty stay until those inside are served; a back-office or deferred-work team
has no closing (its staff stay on duty as rostered, and deferred work arrives overnight).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simsvc.scenario.models import Staffed
from simsvc.sim.arrivals import ArrivalChain
from simsvc.sim.demand import Batch
from simsvc.sim.rota import CLOSE, closing_staff, day_events
from simsvc.sim.schema import ABANDONED
from simsvc.sim.shrinkage import on_floor

if TYPE_CHECKING:
    from simsvc.sim.station import Station

__all__ = ["ShiftMoves"]


class ShiftMoves:
    """The shifts-and-clock half of the engine (it supplies ``env``, the teams, queues and dispatch)."""

    def _rota(self, team: Station, spec: Staffed):
        env, h = self.env, self.scenario.horizon
        for day in range(self.days):
            closing = closing_staff(spec, h, day)
            for t, n in day_events(spec, h, day, team.back_office or team.deferred):
                if t > env.now:
                    yield env.timeout(t - env.now)
                if n is CLOSE:
                    self._close(team, closing)
                else:
                    self._set_staff(team, n)

    def _clock(self):
        """Opens each day and interval: moves the accounting cells, draws each day's customers."""
        env, h = self.env, self.scenario.horizon
        for day in range(self.days):
            if day * 1440.0 > env.now:  # midnight: wages are booked to the new day
                yield env.timeout(day * 1440.0 - env.now)
            for team in self.teams:
                team.account(env.now)
                team.paid_day = day
            for j in range(self.n_intervals):
                start = h.interval_start(day, j)
                if start > env.now:
                    yield env.timeout(start - env.now)
                cell = day * self.n_intervals + j
                outside = len(self.max_queue_total) - 1
                for team in self.teams:
                    team.account(env.now)
                    if team.back_office and j:
                        continue  # its time is booked per day, to the day's first cell
                    team.cell = cell if start >= self.warmup_end else outside
                    team.overtime = False
                    if j == 0:
                        team.closed_with = None
                    if team.shrink is not None and team.shrink[j] != team.shrink_now:
                        team.shrink_now = team.shrink[j]
                        self._set_staff(team, team.sched)
                if j == 0:
                    self._day_started(day, env.now)
                    if not self.truncated:
                        self._draw_day(day)
            # From closing until the next opening, staff count only while serving; that
            # overtime is booked to the day's last interval.
            close = day * 1440.0 + h.close_minute
            if close > env.now:
                yield env.timeout(close - env.now)
            for team in self.teams:
                team.account(env.now)
                team.overtime = not (team.back_office or team.deferred)
            self._night_starts(day)

    def _draw_day(self, day: int) -> None:
        """Draw the day's customers (one batch) and start feeding them in, up to the cap."""
        self._feed(self._day_customers(day))

    def _day_customers(self, day: int) -> Batch:
        """The day's customers, cut at ``simulation.max_customers`` (then :attr:`truncated` is set)."""
        return self._within_cap(self.demand.day_batch(day))

    def _within_cap(self, batch: Batch) -> Batch:
        """``batch`` cut at ``simulation.max_customers`` (then :attr:`truncated` is set)."""
        room = self.max_customers - self.next_id
        if len(batch) > room:
            self.truncated = True
            batch = batch.head(room)
        return batch

    def _feed(self, batch: Batch) -> None:
        """Start feeding ``batch``'s customers in, numbered from the next id."""
        if len(batch):
            ArrivalChain(self, batch, self.next_id)
            self.next_id += len(batch)

    # -- staffing ------------------------------------------------------------------
    def _set_staff(self, team: Station, n: int) -> None:
        team.account(self.env.now)
        team.sched = n
        team.floor = n if team.shrink is None else on_floor(n, team.shrink_now)
        cap = team.cap
        team.cap = max(team.floor, team.closing_cap) if team.draining else team.floor
        if team.cap > cap:  # servers coming on duty are free from now
            team.idle_since = self.env.now
        self._dispatch(team, self.env.now)

    def _close(self, team: Station, closing: int) -> None:
        team.account(self.env.now)
        serving = closing if team.shrink is None or not closing else max(on_floor(closing, team.shrink_now), 1)
        team.draining, team.closing_cap, team.closed_with = True, serving, serving
        team.cap = max(team.floor, team.closing_cap)
        self._dispatch(team, self.env.now)
        self._maybe_end_drain(team)
        if team.cap == 0:
            # Once every team has closed (their closing events at this moment come first).
            self.env.timeout(0.0).callbacks.append(lambda _event: self._turn_away(team))

    def _turn_away(self, team: Station) -> None:
        """At closing, customers whose class no team serves any more leave unserved (as abandoned)."""
        now = self.env.now
        for k in (k for group in team.groups for k in group):
            if any(t.cap for t in self.class_teams[k]):
                continue
            patient, queue = self.patient[k], self.queues[k]
            if patient:
                self._purge(k, now)  # those whose patience ran out before closing left then
            while queue:
                entry = queue.popleft()
                if patient and self.waiting[k].pop(entry[1], None) is None:
                    continue  # abandoned earlier (removed from the deque lazily)
                self.n_customers_waiting -= 1
                if self.q_journey[k]:
                    self._leave_step(k, entry, now, ABANDONED)
                else:
                    self._abandon(entry[1], k, entry[3], entry[0], now, entry[6])
            self.deadlines[k].clear()

    def _maybe_end_drain(self, team: Station) -> None:
        if team.busy == 0 and not any(self._has_waiting(k) for g in team.groups for k in g):
            team.draining, team.closing_cap = False, 0
            team.cap = team.floor
