"""How the engine serves a team whose agents hold several contacts at once (:class:`ConcurrencyMoves`).

Mixed into :class:`simsvc.sim.engine.Engine`; only queues that a concurrent team serves take
this path (chosen when the run starts, :meth:`ConcurrencyMoves._concurrent_serve`), so
scenarios without concurrency never come here. The team is a
:class:`~simsvc.sim.agents.ConcurrentStation`.

Rules (also in the README, 'Chat concurrency'):

* A contact that joins a concurrent team goes to its least loaded agent on duty with room
  (ties: lowest index); the team is chosen as for any team (its ``busy < cap`` says an agent
  has room). A slot freed takes the next waiting contact by the team's usual rule.
* With ``k`` contacts at an agent each progresses at ``speed / (1 + s (k - 1))`` (``s``:
  ``concurrency_slowdown``). Rates change whenever the agent's ``k`` changes; the agent's
  pending completion is then rescheduled. SimPy timeouts cannot be cancelled: each agent
  carries a version number, and a completion event with an older one is ignored.
* Records: ``wait`` and ``start`` are known when the contact joins its agent, ``end`` only
  when its work is done: the row is completed then (a batch is handed on when all its
  customers are done). A journey's step row likewise; its next step starts at completion,
  after the agent's slot is freed. The quality model's judgement needs only the wait and the
  team, known at the start; a complaint is filed at the actual end.
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappop, heappush
from typing import Any

from simpy.events import Timeout

from simsvc.sim.agents import Agent, ConcurrentStation
from simsvc.sim.schema import SERVED
from simsvc.sim.trips import Trips

__all__ = ["ConcurrencyMoves"]


class ConcurrencyMoves:
    """The concurrent-service half of the engine (it supplies ``env``, the queues, dispatch and records)."""

    def _concurrent_serve(self, serve: Callable[..., None]) -> Callable[..., None]:
        """A queue's ``q_serve`` when a concurrent team serves it: that team's contacts go to its agents."""
        concurrent = self._concurrent_start

        def start(team, cid, q, cell, arrival, now, need, ref) -> None:
            if type(team) is ConcurrentStation:
                concurrent(team, cid, q, cell, arrival, now, need, ref)
            else:
                serve(team, cid, q, cell, arrival, now, need, ref)

        return start

    def _concurrent_start(
        self, team: ConcurrentStation, cid: int, q: int, cell: int, arrival: float, now: float, need: float, ref: Any
    ) -> None:
        """A contact of queue ``q`` joins an agent of ``team`` (``arrival``: when it joined the queue)."""
        if not self.q_journey[q]:
            self._concurrent_last(team, cid, q, cell, arrival, now, need, now - arrival, ref, None)
            return
        chain, i = ref
        trips: Trips = chain.trips
        v = trips.pos[i]
        wait, need = now - arrival, trips.needs[v]
        step = (cid, v - trips.start[i], trips.steps[v], team.index, arrival, wait, now)
        prior = trips.prior[i] = trips.prior[i] + wait
        if v + 1 == trips.end[i]:  # its last step: its record is complete when this ends
            self._concurrent_last(team, cid, self.q_class[q], cell, chain.times[i], now, need, prior, ref, step)
        else:
            self._concurrent_add(team, now, need, self._concurrent_step_done, (ref, step))

    def _concurrent_last(
        self, team: ConcurrentStation, cid: int, k: int, cell: int, arrival: float, now: float, need: float,
        wait: float, ref: Any, step: tuple | None,
    ) -> None:  # fmt: skip
        """A customer's last (or only) service starts at an agent; ``wait`` is its total wait."""
        chain, i = ref
        chain.wait[i], chain.start[i], chain.team[i] = wait, now, team.index
        need, complaint = self._judged_at_start(team, cid, k, cell, arrival, need, wait, ref, step is not None)
        self._concurrent_add(team, now, need, self._concurrent_last_done, (ref, step, complaint))

    def _judged_at_start(
        self, team: ConcurrentStation, cid: int, k: int, cell: int, arrival: float, need: float, wait: float,
        ref: Any, journey: bool,
    ) -> tuple[float, tuple | None]:  # fmt: skip
        """The need to serve and the complaint to file at the end (None); the quality engine judges here."""
        return need, None

    def _concurrent_last_done(self, data: tuple, now: float) -> None:
        ref, step, complaint = data
        chain, i = ref
        chain.end[i] = now
        if step is not None:
            chain.rows.extend((*step, now, SERVED))
        chain.left -= 1
        if not chain.left:
            self._record(chain)
        if complaint is not None:
            self._file(*complaint)

    def _concurrent_step_done(self, data: tuple, now: float) -> None:
        """A step (not the last) ended at an agent: its row is complete, the customer joins its next step."""
        ref, step = data
        chain, i = ref
        chain.rows.extend((*step, now, SERVED))
        trips: Trips = chain.trips
        v = trips.pos[i] = trips.pos[i] + 1
        self.arrive(chain.first + i, trips.queues[v], chain.cells[i], now, trips.needs[v], trips.patience[v], ref)

    # -- an agent's contacts ------------------------------------------------------------
    def _concurrent_add(
        self, team: ConcurrentStation, now: float, need: float, done: Callable[[tuple, float], None], data: tuple
    ) -> None:
        """Give the least loaded agent a contact of ``need`` (work at speed 1); ``done(data, end)`` at its end."""
        agent = team.least_loaded()
        team.account(now)
        if agent.k:
            agent.work += (now - agent.last) * team.rate(agent.k)
        agent.last = now
        entry = (agent.work + need, team.seq, done, data)
        heappush(agent.heap, entry)
        team.seq += 1
        busy = agent.k
        team.hold(agent)
        if busy and not team.slowdown and agent.heap[0] is not entry:
            return  # no slowdown: the rate is the same, the pending completion still stands
        self._concurrent_next(team, agent, now)

    def _concurrent_next(self, team: ConcurrentStation, agent: Agent, now: float) -> None:
        """(Re)schedule ``agent``'s next completion at its current rate; any earlier event goes stale."""
        agent.version += 1
        if not agent.heap:
            agent.work = 0.0  # empty: start counting afresh (keeps the numbers small)
            return
        delay = (agent.heap[0][0] - agent.work) / team.rate(agent.k)
        event = Timeout(self.env, delay if delay > 0.0 else 0.0, (team, agent, agent.version))
        event.callbacks.append(self._concurrent_due)

    def _concurrent_due(self, event: Timeout) -> None:
        """An agent's next contact may be done: unless the event is stale, free its slot, then finish it."""
        team, agent, version = event.value
        if version != agent.version:
            return  # the agent's load changed since: a later event stands for it
        now = self.env.now
        team.account(now)
        agent.work += (now - agent.last) * team.rate(agent.k)
        agent.last = now
        finish, _, done, data = heappop(agent.heap)
        if agent.work < finish:  # rounding: the contact is done now
            agent.work = finish
        team.release(agent)
        self._concurrent_next(team, agent, now)
        if team.busy < team.cap:
            self._dispatch(team, now)
            if team.busy < team.cap:
                team.idle_since = now
        if team.draining:
            self._maybe_end_drain(team)
        done(data, now)
