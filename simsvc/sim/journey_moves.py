"""How the engine moves a journey's customers from step to step (:class:`JourneyMoves`).

Mixed into :class:`simsvc.sim.engine.Engine`: the queues per class step, a step's service,
the move to the next step when it ends, leaving unserved at a step, a station reached after
its closing, and the step records. Classes of one step never come here: their queue is their
class's and their path is the single-station engine's, record for record.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from simpy.events import Timeout

from simsvc.scenario.models import Scenario
from simsvc.sim.schema import ABANDONED, SERVED, STEP_FIELDS
from simsvc.sim.trips import Trips

if TYPE_CHECKING:
    from simsvc.sim.station import Station

__all__ = ["JourneyMoves"]

_NAN = float("nan")


class JourneyMoves:
    """The journey half of the engine (it supplies ``env``, the queues and ``arrive``)."""

    def _add_queues(self, scenario: Scenario) -> list[list[list[int]]]:
        """A queue per class's step (per station where a step chooses one); queue ``k`` is class ``k``'s first.

        Returns per class, per step, the queue of each of the step's stations (one for a pool).
        """
        self._stations: list[tuple[int, ...]] = []
        layout: list[list[list[int]]] = []
        later: list[tuple[int, int, int]] = []
        for journey in scenario.journeys:
            k = journey.klass
            layout.append([[-1] * (1 if s.weights is None else len(s.stations)) for s in journey.steps])
            later += [(k, s, c) for s, opts in enumerate(layout[k]) for c in range(len(opts)) if (s, c) != (0, 0)]
        for k, s, c in [(k, 0, 0) for k in range(len(layout))] + later:
            cls, journey = scenario.customer_classes[k], scenario.journeys[k]
            step = journey.steps[s]
            layout[k][s][c] = self._add_queue(step.patience is not None, cls.balk_at, cls.priority)
            self._stations.append(step.stations if step.weights is None else (step.stations[c],))
            self.q_class.append(k)
            self.q_journey.append(not journey.one_step)
        return layout

    def _serve_step(
        self, team: Station, cid: int, q: int, cell: int, arrival: float, now: float, need: float, ref: Any
    ) -> None:
        """Start a journey customer's service at its current step (its need is its trip's)."""
        chain, i = ref
        trips: Trips = chain.trips
        v = trips.pos[i]
        wait, need = now - arrival, trips.needs[v]
        duration = need / team.speed
        chain.rows.extend(
            (cid, v - trips.start[i], trips.steps[v], team.index, arrival, wait, now, now + duration, SERVED)
        )
        prior = trips.prior[i] = trips.prior[i] + wait
        if v + 1 == trips.end[i]:  # its last step: the customer's record is complete
            self._start_last(team, cid, self.q_class[q], cell, chain.times[i], now, need, prior, ref)
            return
        team.account(now)
        team.busy += 1
        callbacks = Timeout(self.env, duration, ref).callbacks
        callbacks.append(team.done)  # the server is free before its customer moves on
        callbacks.append(self._step_done)

    def _step_done(self, event: Timeout) -> None:
        """A step's service ended (``event``'s value: the customer's ``ref``): it joins its next step."""
        ref = event.value
        chain, i = ref
        trips: Trips = chain.trips
        v = trips.pos[i] = trips.pos[i] + 1
        self.arrive(
            chain.first + i, trips.queues[v], chain.cells[i], self.env.now, trips.needs[v], trips.patience[v], ref
        )

    def _start_last(
        self, team: Station, cid: int, k: int, cell: int, arrival: float, now: float, need: float, wait: float, ref: Any
    ) -> None:
        """Start a journey's last service (``arrival``: the first; ``wait``: the journey's total)."""
        self._serve_last(team, now, need, wait, ref)

    def _leave_step(self, q: int, entry: tuple, when: float, outcome: int) -> None:
        """A journey customer leaves unserved at its current step (abandons at ``when``, or balks)."""
        chain, i = entry[6]
        trips: Trips = chain.trips
        wait = when - entry[0] if outcome == ABANDONED else _NAN
        v = trips.pos[i]
        chain.rows.extend((entry[1], v - trips.start[i], trips.steps[v], -1, entry[0], wait, _NAN, _NAN, outcome))
        k = self.q_class[q]
        if outcome == ABANDONED:  # its record's wait is the journey's: as if it arrived that much earlier
            self._abandon(entry[1], k, entry[3], entry[0] - trips.prior[i], when, entry[6])
        else:
            if trips.pos[i] > trips.start[i]:
                chain.wait[i] = trips.prior[i]
            self._balk(entry[1], k, entry[3], when, entry[6])

    def _closed_to(self, q: int, cid: int, cell: int, now: float, need: float, patience: float, ref: Any) -> bool:
        """After closing, a station's closing staff stay for a journey customer; with none, it is turned away.

        Returns whether the customer was dealt with (served now, or turned away).
        """
        teams = self.class_teams[q]
        for t in teams:  # a loop, not any(): this runs for every journey customer who waits
            if t.cap:
                return False  # open: it waits
        if all(t.closed_with is None for t in teams):
            return False  # between shifts: it waits
        for team in teams:
            if team.closed_with and not team.draining:
                team.account(now)
                team.draining, team.closing_cap = True, team.closed_with
                team.cap = max(team.floor, team.closing_cap)
        for team in teams:
            if team.busy < team.cap:
                self.q_serve[q](team, cid, q, cell, now, now, need, ref)
                return True
        if any(t.cap for t in teams):
            return False
        self._leave_step(q, (now, cid, q, cell, need, now + patience, ref), now, ABANDONED)
        return True

    def class_max_queue(self) -> list[list[int]]:
        """Per class and cell, the longest queue of its steps (a one-step class: its queue)."""
        n = len(self.scenario.customer_classes)
        out = [list(m) for m in self.max_queue[:n]]
        for q in range(n, len(self.queues)):
            k = self.q_class[q]
            if k < 0:  # the complaint desk's
                continue
            out[k] = [max(a, b) for a, b in zip(out[k], self.max_queue[q], strict=True)]
        return out

    def _step_rows(self, chain: Any) -> None:
        """Hand a finished batch's journey-step rows to the step sink, by customer then visit."""
        if not chain.rows or self.step_sink is None:
            return
        flat = np.array(chain.rows, dtype=np.float64).reshape(-1, len(STEP_FIELDS) - 1)
        flat = flat[np.argsort(flat[:, 0], kind="stable")]  # a customer's rows were made in visit order
        klass = chain.batch.klass[flat[:, 0].astype(np.int64) - chain.first].astype(np.float64)
        self.step_sink(np.insert(flat, 1, klass, axis=1))
