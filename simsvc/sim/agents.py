"""A team whose agents each handle several contacts at once (chat): :class:`ConcurrentStation`.

A plain :class:`~simsvc.sim.station.Station` counts anonymous servers. With concurrency an
agent's load matters (an arrival goes to the least loaded), so this station keeps its agents
(:class:`Agent`) and their contacts, while it still answers the engine's two counts with the
meaning the engine relies on everywhere (dispatch, shifts, closing, draining):

* ``busy``: contacts held by the agents on duty;
* ``cap``: contact slots of the agents on duty (``agents x concurrency``; infinite for
  'unlimited'), so ``busy < cap`` says that an agent on duty has room. The shift code writes
  ``cap`` as a number of *agents* (as for any station); the property turns that into agents
  taking work. An agent taken off duty (its shift ends) keeps its contacts until they are
  done, takes no new ones, and leaves with its last: the least loaded leave first (idle ones
  at once), ties the highest index; agents coming on duty are those still finishing first
  (most loaded first), then idle ones (lowest index).

Time accounting (``busy_area``/``duty_area``/``paid_area``) is in agents: an agent with ``k``
contacts counts ``k / concurrency`` busy (with 'unlimited': 1 while it holds any), so
utilization stays at most 1 and concurrency 1 would give a plain station's; an agent still
finishing after its shift counts on duty and paid, as a plain station's busy server does.
"""

from __future__ import annotations

import math

from simsvc.scenario.models import contact_rate
from simsvc.sim.station import Station

__all__ = ["Agent", "ConcurrentStation"]


class Agent:
    """One agent: its contacts in a heap by finishing work, and the work each has had so far.

    All of an agent's contacts progress at the same rate, so one number, ``work`` (the work
    per contact done at this agent since it was last empty, at speed 1), tells each contact's
    remaining work: its finishing work less ``work``. That is the same as recomputing every
    contact's remaining work whenever the agent's load changes, at O(log k) per change.
    """

    __slots__ = ("heap", "index", "k", "last", "on", "version", "work")

    def __init__(self, index: int):
        self.index, self.k, self.on = index, 0, False
        self.heap: list[tuple] = []  # (finishing work, sequence, then what to do when done)
        self.work, self.last = 0.0, 0.0
        self.version = 0  # its pending completion event is stale unless it carries this number


class ConcurrentStation(Station):
    """A :class:`Station` of agents that hold up to ``limit`` contacts each, slowed by ``slowdown``."""

    __slots__ = ("agents", "busy_off", "busy_on", "held_off", "limit", "n_on", "seq", "slots_cap", "slowdown")

    def __init__(self, index: int, speed: float, groups: list[list[int]], n_cells: int, limit: float, slowdown: float):
        self.agents: list[Agent] = []
        self.limit, self.slowdown = limit, slowdown
        self.n_on = 0  # agents on duty
        self.slots_cap = 0.0
        self.held_off = 0  # contacts of agents off duty, still finishing them
        self.busy_on = self.busy_off = 0  # agents on (off) duty that hold any contact
        self.seq = 0  # ties between equal finishing work: first started, first done
        super().__init__(index, speed, groups, n_cells)

    # The engine's count of servers who may serve, read as contact slots, written as agents.
    @property  # type: ignore[override]
    def cap(self) -> float:
        return self.slots_cap

    @cap.setter
    def cap(self, n: int) -> None:
        self._put_on_duty(n)

    def rate(self, k: int) -> float:
        """Work per minute of each of ``k`` contacts at one agent."""
        return contact_rate(k, self.slowdown, self.speed)

    def least_loaded(self) -> Agent:
        """The agent on duty with room and the fewest contacts (ties: lowest index); call when busy < cap."""
        best = None
        for agent in self.agents:
            if agent.on and agent.k < self.limit and (best is None or agent.k < best.k):
                best = agent
                if not agent.k:
                    break
        assert best is not None
        return best

    def hold(self, agent: Agent) -> None:
        """Count one more contact at ``agent``."""
        if not agent.k:
            if agent.on:
                self.busy_on += 1
            else:
                self.busy_off += 1
        agent.k += 1
        if agent.on:
            self.busy += 1
        else:
            self.held_off += 1

    def release(self, agent: Agent) -> None:
        """Count one contact fewer at ``agent``."""
        agent.k -= 1
        if agent.on:
            self.busy -= 1
        else:
            self.held_off -= 1
        if not agent.k:
            if agent.on:
                self.busy_on -= 1
            else:
                self.busy_off -= 1

    def _switch(self, agent: Agent, on: bool) -> None:
        """Put ``agent`` on duty or off, its contacts moving between the two counts."""
        k, held = agent.k, 1 if agent.k else 0
        if agent.on:
            self.busy, self.busy_on = self.busy - k, self.busy_on - held
        else:
            self.held_off, self.busy_off = self.held_off - k, self.busy_off - held
        agent.on = on
        if on:
            self.busy, self.busy_on = self.busy + k, self.busy_on + held
        else:
            self.held_off, self.busy_off = self.held_off + k, self.busy_off + held

    def _put_on_duty(self, n: int) -> None:
        """Make ``n`` agents take work (see the module's docstring for who comes and goes)."""
        on = [a for a in self.agents if a.on]
        if n < len(on):
            for agent in sorted(on, key=lambda a: (a.k, -a.index))[: len(on) - n]:
                self._switch(agent, False)
        elif n > len(on):
            more = n - len(on)
            finishing = sorted((a for a in self.agents if not a.on and a.k), key=lambda a: (-a.k, a.index))
            for agent in finishing[:more] + [a for a in self.agents if not a.on and not a.k]:
                if not more:
                    break
                self._switch(agent, True)
                more -= 1
            while more:
                agent = Agent(len(self.agents))
                self.agents.append(agent)
                agent.on = True
                more -= 1
        self.n_on = n
        self.slots_cap = n * self.limit if n else 0

    def account(self, now: float) -> None:
        """Add busy, on-duty and paid agent-minutes since the last change to the current cell."""
        dt = now - self.last
        if dt > 0.0:
            on, off = self.busy_on, self.busy_off
            busy = on + off if self.limit == math.inf else (self.busy + self.held_off) / self.limit
            self.busy_area[self.cell] += busy * dt
            paid = (self.sched if self.sched > on else on) + off
            duty = (on if self.overtime else self.floor if self.floor > on else on) + off
            self.duty_area[self.cell] += duty * dt
            self.paid_area[self.paid_day] += paid * dt
            self.last = now
