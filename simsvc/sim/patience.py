"""Abandonment at its own time (:class:`PatienceMoves`), so results never depend on when it is noticed.

Mixed into :class:`simsvc.sim.engine.Engine`. Each queue of patient customers keeps a heap of
deadlines; a customer whose patience runs out leaves at its deadline, which is what its
records say whenever the engine removes it (the next time its queue is looked at). That costs
no event, and it is exact for everything an abandonment changes only by its records.

Where leaving changes the run at that moment (a customer who complains as it leaves: its
complaint enters the desk then), the engine asks for a *deadline event*: a SimPy event at the
deadline, processed after every ordinary event of that moment (priority :data:`LATE`), so a
server that becomes free at exactly that moment still serves the customer, as the rule says.
"""

from __future__ import annotations

import math
from heapq import heappop
from typing import TYPE_CHECKING

from simpy.events import Event

from simsvc.sim.schema import ABANDONED

if TYPE_CHECKING:
    import simpy

__all__ = ["LATE", "PatienceMoves"]

LATE = 2
"""SimPy event priority after ``URGENT`` (0) and ``NORMAL`` (1): last at its moment."""


class PatienceMoves:
    """The abandonment half of the engine (it supplies ``env``, the queues and the leaving moves)."""

    env: simpy.Environment
    queues: list
    deadlines: list[list]
    waiting: list[dict]
    patient: list[bool]
    q_journey: list[bool]
    n_customers_waiting: int

    def _deadline_event(self, q: int, deadline: float) -> None:
        """At ``deadline``, after every other event then, whoever of queue ``q`` is still waiting past it leaves."""
        if deadline == math.inf:
            return
        event = Event(self.env)
        event._ok, event._value = True, q
        event.callbacks.append(self._deadline_passed)
        self.env.schedule(event, LATE, deadline - self.env.now)  # type: ignore[arg-type]

    def _deadline_passed(self, event: Event) -> None:
        now = self.env.now
        self._purge(event.value, math.nextafter(now, math.inf))  # deadlines up to and including now

    def _has_waiting(self, k: int) -> bool:
        return self._head(k, self.env.now) is not None

    def _head(self, k: int, now: float) -> tuple | None:
        """The first customer still waiting in queue ``k``, or None."""
        queue = self.queues[k]
        if not self.patient[k]:
            return queue[0] if queue else None
        self._purge(k, now)
        waiting = self.waiting[k]
        while queue and queue[0][1] not in waiting:
            queue.popleft()  # abandoned earlier; removed from the deque lazily
        return queue[0] if queue else None

    def _purge(self, k: int, now: float) -> None:
        """Record the abandonment, at its deadline, of every queue-``k`` customer whose deadline is before ``now``."""
        heap, waiting = self.deadlines[k], self.waiting[k]
        while heap and heap[0][0] < now:
            deadline, cid = heappop(heap)
            entry = waiting.get(cid)
            # Its wait here now, not an earlier visit's (a journey may bring it back to this queue).
            if entry is not None and entry[5] == deadline:
                del waiting[cid]
                self.n_customers_waiting -= 1
                if self.q_journey[k]:
                    self._leave_step(k, entry, deadline, ABANDONED)
                else:
                    self._abandon(cid, k, entry[3], entry[0], deadline, entry[6])
