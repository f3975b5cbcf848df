"""A station: one team's pool of servers as the engine runs it, and its time accounting.

One implementation for every station (greeter, counters, advisors, back offices) and the
complaint desk: how many servers the rota, shrinkage and closing allow now, how many are
busy, and the busy, on-duty and paid server-minutes per reporting cell and per day. The
queues a station serves are the engine's (:class:`simsvc.sim.engine.Engine`), grouped here
by priority; its shift process is :mod:`simsvc.sim.shifts`.
"""

from __future__ import annotations

from collections.abc import Callable

import simpy

__all__ = ["Station"]


class Station:
    """A team's servers: ``sched`` is the rota, ``floor`` those not lost to shrinkage, ``cap`` who may serve now.

    ``groups``: the queues it serves, best priority first; ``done``: the SimPy callback of a
    service's end (frees a server, which takes the next customer).
    """

    __slots__ = (
        "back_office",
        "busy",
        "busy_area",
        "cap",
        "cell",
        "closed_with",
        "closing_cap",
        "deferred",
        "done",
        "draining",
        "duty_area",
        "floor",
        "groups",
        "idle_since",
        "index",
        "last",
        "only",
        "overflow",
        "overtime",
        "paid_area",
        "paid_day",
        "pick_customer",
        "sched",
        "shrink",
        "shrink_now",
        "speed",
    )  # fmt: skip

    def __init__(self, index: int, speed: float, groups: list[list[int]], n_cells: int):
        self.index, self.speed, self.groups = index, speed, groups
        # A back-office team (the complaint desk) has no closing: its queue waits for its next
        # shift, across days; its time is booked per day, to the day's first cell.
        self.back_office = False
        # A deferred-work team (simsvc.sim.deferred) has no closing either, its time booked per interval.
        self.deferred = False
        self.sched = self.cap = self.busy = self.floor = 0
        self.shrink: list[float] | None = None  # shrinkage per interval of a day (None: none)
        self.shrink_now = 0.0
        self.draining, self.closing_cap = False, 0
        self.closed_with: int | None = None  # since today's closing: the staff on duty then
        self.last, self.cell = 0.0, n_cells  # the last cell collects time outside intervals
        self.overtime = False  # after closing only busy servers count as on duty
        self.busy_area = [0.0] * (n_cells + 1)
        self.duty_area = [0.0] * (n_cells + 1)
        # Paid server-minutes per calendar day (shift time, plus time finishing customers
        # beyond it), whether or not the operation is open.
        self.paid_area: list[float] = []
        self.paid_day = 0
        self.done: Callable[[simpy.Event], None] | None = None
        self.idle_since = 0.0  # when a server last became free (kept for rules that read it)
        self.pick_customer: Callable | None = None  # a custom rule's choice of waiting customer (None: priority)
        self.only: int | None = None  # the one queue the team serves, if it serves one
        # A secondary group's overflow queues: (queue, minutes a contact must have waited), best class first.
        self.overflow: list[tuple[int, float]] | None = None

    def account(self, now: float) -> None:
        """Add busy and on-duty server-minutes since the last change to the current cell."""
        dt = now - self.last
        if dt > 0.0:
            busy = self.busy
            self.busy_area[self.cell] += busy * dt
            paid = self.sched if self.sched > busy else busy
            duty = self.floor if self.floor > busy else busy  # shrinkage: paid but not on the floor
            self.duty_area[self.cell] += (busy if self.overtime else duty) * dt
            self.paid_area[self.paid_day] += paid * dt
            self.last = now
