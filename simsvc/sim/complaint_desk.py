"""The complaint desk: a back-office station of the engine, which the customers who complain enter.

A complaint joins the desk's one first-come queue at the moment it is filed: when a
dissatisfied customer's service ends, or when it leaves unserved (an abandoning customer at
its deadline: :mod:`simsvc.sim.patience`). The desk's teams are ordinary teams of the engine
(:class:`~simsvc.sim.station.Station`) with their rota and time accounting, and follow the
back-office rules: no closing (complaints wait for the next shift, across days; those no shift
reaches are never handled) and time booked per day. A complaint goes to the first team, in
scenario order, with a free handler; a handler who becomes free takes the oldest complaint.

When a handler takes a complaint its end is known; its recovery and the customer's return are
then decided with the pure functions of :mod:`simsvc.quality`, a batch at a time
(:mod:`simsvc.sim.complaints`).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from simpy.events import Timeout

if TYPE_CHECKING:
    from simsvc.sim.complaints import Complaints
    from simsvc.sim.station import Station

__all__ = ["ComplaintDesk"]


class ComplaintDesk:
    """The desk half of :class:`~simsvc.sim.quality_engine.QualityEngine` (mixed in before the engine)."""

    complaints: Complaints

    def _add_desk(self) -> None:
        """Add the desk's queue and its teams (after the front line's: their indices follow)."""
        scenario = self.scenario
        self.desk = self._add_queue(False, None, 0, counted=False)
        self.q_class.append(-1)  # no class: complaints of every class wait here together
        self.q_journey.append(False)
        self.pick.append(None)  # first idle team, in scenario order
        self.first_handler = len(self.teams)
        self.desk_success = []
        for spec in scenario.complaints.teams:
            self._add_team(spec, [self.desk], back_office=True)
            self.desk_success.append(scenario.training(spec.training_level).recovery_success)

    def _server_start(self, q: int):
        return self._handle if q == self.desk else super()._server_start(q)

    def _file(
        self, cid: int, k: int, cell: int, arrival: float, x: Any, i: int, wait: float, team: int,
        filed: float | None = None,
    ) -> None:  # fmt: skip
        """Customer ``i`` of judging ``x`` files its complaint (after ``wait``, served by ``team``; -1: none).

        ``filed`` is now, unless the desk has nobody (then an abandonment is noticed lazily and
        ``filed`` is its time: the complaint is never handled, so only its record needs it).
        """
        when = self.env.now if filed is None else filed
        ref = (cid, k, cell, arrival, when, wait, team, x, i)
        if not self.class_teams[self.desk]:  # no complaint team: nobody will ever answer it
            self.complaints.unanswerable(ref)
            return
        self.arrive(cid, self.desk, cell, when, x.draws.complaint_need.item(i), math.inf, ref)

    def _complains_at_end(self, duration: float, team: Station, complaint: tuple) -> None:
        """Start the service (of ``duration``) of a customer who complains when it ends."""
        callbacks = Timeout(self.env, duration, complaint).callbacks
        callbacks.append(team.done)  # the server is free before its customer complains
        callbacks.append(self._filed_at_end)

    def _filed_at_end(self, event: Timeout) -> None:
        self._file(*event.value)

    def _handle(self, team: Station, cid: int, q: int, cell: int, filed: float, now: float, need: float,
                ref: tuple) -> None:  # fmt: skip
        """A handler of ``team`` takes a complaint."""
        team.account(now)
        team.busy += 1
        duration = need / team.speed
        self.env.timeout(duration).callbacks.append(team.done)
        self.handled(ref, team.index, now, now + duration)

    def handled(self, ref: tuple, team: int, start: float, end: float) -> None:
        """A handler of team ``team`` (its index) took complaint ``ref`` at ``start``; it is done at ``end``."""
        self.complaints.handled(ref, start, end, team, self.desk_success[team - self.first_handler])

    def _close_desk(self) -> None:
        """At the end of the run: the complaints still waiting were never handled."""
        for entry in self.queues[self.desk]:
            self.complaints.unhandled(entry[6])
        self.queues[self.desk].clear()
