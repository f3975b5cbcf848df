"""Overflow to secondary groups after a wait (:class:`OverflowMoves`).

Mixed into :class:`simsvc.sim.engine.Engine`. A team with ``overflow: {class: minutes}`` is a
secondary group for those classes: it never takes such a contact on arrival (unless the
threshold is 0), only one that has waited at least its threshold. The rules:

* **An arrival** that finds no idle team holding its skill goes to the first secondary group
  (scenario order) with threshold 0 and an idle agent; otherwise it waits in its class's queue.
* **A waiting contact** reaching a threshold ``m`` (arrival + m, one timer per distinct
  threshold of its class, only when its patience lasts that long) is offered to the groups with
  that threshold, in scenario order: one with an idle agent takes it (it is the head of its
  queue, or the head has waited even longer and goes first).
* **A freed agent of a secondary group** takes the contacts of its own skills first (as any
  agent: skill priority, class priority, longest waiting); only when none waits does it take the
  head of an overflow queue that has waited at least that queue's threshold: best class priority,
  then longest waiting. A queue is first come, first served, so its head has waited longest: when
  the head is not yet eligible nobody behind it is.

A contact's eligibility is ``arrival + minutes <= now``, the same sum the timer is set to, so
a timer never fires an ulp too early. Secondary groups are not part of a class's pool: a
closing team's drain, the turning away at closing and the announced wait consider only the
teams holding the skill.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import simpy

    from simsvc.sim.station import Station

__all__ = ["OverflowMoves"]

# Per queue: (teams taking it at once, [(minutes, teams, timer callback)] by minutes), teams in scenario order.
Overflow = tuple[list["Station"], list[tuple[float, list["Station"], Callable]]]


class OverflowMoves:
    """The overflow half of the engine (it supplies ``env``, the teams, queues, ``_take`` and ``_dispatch``)."""

    env: simpy.Environment
    teams: list[Station]
    q_overflow: list[Any]

    def _add_overflow(self) -> None:
        """Each queue's secondary groups and thresholds, each secondary group's overflow queues."""
        names = [c.name for c in self.scenario.customer_classes]
        for t, spec in enumerate(self.scenario.teams):
            if not spec.overflow:
                continue
            team = self.teams[t]
            queues = [(names.index(name), minutes) for name, minutes in spec.overflow.items()]
            team.overflow = sorted(queues, key=lambda qm: (self.priority[qm[0]], qm[0]))
            for q, minutes in queues:
                if self.q_overflow[q] is None:
                    self.q_overflow[q] = ([], [])
                at_once, later = self.q_overflow[q]
                if minutes == 0:
                    at_once.append(team)
                    continue
                same = [entry for entry in later if entry[0] == minutes]
                if same:
                    same[0][1].append(team)
                else:
                    teams: list[Station] = [team]
                    later.append((minutes, teams, self._overflow_due(teams)))
                    later.sort(key=lambda entry: entry[0])

    def overflow_teams(self, q: int) -> list[Station]:
        """The secondary groups of queue ``q`` (none: an empty list)."""
        over = self.q_overflow[q]
        if over is None:
            return []
        return over[0] + [team for _, teams, _ in over[1] for team in teams]

    def _overflow_at_arrival(self, over: Overflow, cid: int, k: int, cell: int, now: float, need: float,
                             ref: Any) -> bool:  # fmt: skip
        """An arrival nobody holding its skill can take: to a threshold-0 group's idle agent, if any."""
        for team in over[0]:
            if team.busy < team.cap:
                self.q_serve[k](team, cid, k, cell, now, now, need, ref)
                return True
        return False

    def _overflow_timers(self, over: Overflow, entry: tuple) -> None:
        """Set a timer at each of the waiting contact's thresholds that its patience reaches."""
        env, arrival, deadline = self.env, entry[0], entry[5]
        for minutes, _teams, due in over[1]:
            when = arrival + minutes
            if when > deadline:  # it abandons first (at its deadline it would still be served)
                return
            delay = max(when - env.now, 0.0)
            while env.now + delay < when:  # the event's time is now + delay: not an ulp before `when`
                delay = math.nextafter(delay, math.inf)
            env.timeout(delay).callbacks.append(due)

    def _overflow_due(self, teams: list[Station]) -> Callable[[simpy.Event], None]:
        """A timer's callback: the groups with its threshold, if one has an idle agent, look at their queues."""

        def due(_event: simpy.Event) -> None:
            now = self.env.now
            for team in teams:
                if team.busy < team.cap:
                    self._dispatch(team, now)

        return due

    def _dispatch_with_overflow(self, team: Station, now: float) -> None:
        """``_dispatch`` for a secondary group: its own skills' contacts first, then eligible overflow."""
        while team.busy < team.cap:
            if team.pick_customer is not None:
                k = self._rule_choice(team, now)
            else:
                k = self._best_waiting(team, now)
            if k is None:
                k = self._eligible_overflow(team, now)
                if k is None:
                    return
            self._take(team, k, now)

    def _eligible_overflow(self, team: Station, now: float) -> int | None:
        """The overflow queue whose head has waited its threshold: best class priority, then longest waiting."""
        best = None
        for q, minutes in team.overflow:
            if not self.queues[q]:
                continue
            head = self._head(q, now)
            if head is None or head[0] + minutes > now:
                continue
            key = (self.priority[q], head[0])
            if best is None or key < best[0]:
                best = (key, q)
        return None if best is None else best[1]
