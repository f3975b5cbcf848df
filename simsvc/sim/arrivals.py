"""A day's customers fed to the engine one SimPy ``Timeout`` each (:class:`ArrivalChain`), and their records.

The batch (:class:`simsvc.sim.demand.Batch`) is drawn in NumPy at the day's opening; the chain
keeps the batch's record columns, filled in as its customers are served or leave, and hands
them to the engine when the last one is done.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import simpy

from simsvc.sim.demand import Batch
from simsvc.sim.schema import SERVED
from simsvc.sim.trips import Trips

if TYPE_CHECKING:
    from simsvc.sim.engine import Engine

__all__ = ["ArrivalChain"]

_NAN = float("nan")


class ArrivalChain:
    """Feeds one interval's batch of customers to the engine, one Timeout each."""

    __slots__ = (
        "batch", "cells", "end", "engine", "env", "extra", "first", "klass", "left", "need", "outcome",
        "patience", "pos", "queue", "rows", "start", "switch", "team", "times", "trips", "wait",
    )  # fmt: skip

    def __init__(self, engine: Engine, batch: Batch, first_id: int):
        self.engine, self.env, self.first, self.pos = engine, engine.env, first_id, 0
        self.batch = batch
        assert batch.cell is not None
        self.cells = batch.cell.tolist()
        n = self.left = len(batch)  # customers not yet served or gone
        # The batch's records, filled in as its customers are served or leave (columns).
        self.wait, self.start, self.end = [_NAN] * n, [_NAN] * n, [_NAN] * n
        self.team, self.outcome = [-1] * n, [SERVED] * n
        self.extra = engine.prepare(batch)  # per-customer data a subclass needs (quality)
        self.times = batch.arrival.tolist()
        self.klass = batch.klass.tolist()
        self.need = engine.needs(batch, self.extra)
        self.patience = batch.patience.tolist()
        # Journey customers: their trips, and the queue of their first step (else their class's).
        self.trips: Trips | None = None
        self.rows: list[float] = []  # journey customers' step rows, flat (STEP_FIELDS less klass)
        self.queue = self.klass
        if engine.planner:
            self.trips = engine.planner.plan(batch.klass, batch.need, batch.patience)
            self.queue = self.trips.first_queues(self.klass)
        self.switch = None  # channel choice: the day's switching draws (simsvc.sim.channel_choice)
        feed = self.arrive
        if engine.channels is not None:
            self.switch = engine.channels.plan(batch, self.trips)
            feed = self.arrive_choosing
        self.env.timeout(max(0.0, self.times[0] - self.env.now)).callbacks.append(feed)

    def arrive(self, _event: simpy.Event) -> None:
        k = self.pos
        self.pos = k + 1
        if k + 1 < len(self.times):
            delay = self.times[k + 1] - self.env.now
            self.env.timeout(delay if delay > 0.0 else 0.0).callbacks.append(self.arrive)
        self.engine.arrive(
            self.first + k, self.queue[k], self.cells[k], self.times[k], self.need[k], self.patience[k], (self, k)
        )

    def arrive_choosing(self, _event: simpy.Event) -> None:
        """As :meth:`arrive`, for a batch with channel choice: a customer may switch as it arrives."""
        k = self.pos
        self.pos = k + 1
        if k + 1 < len(self.times):
            delay = self.times[k + 1] - self.env.now
            self.env.timeout(delay if delay > 0.0 else 0.0).callbacks.append(self.arrive_choosing)
        queue, need, patience, now = self.queue[k], self.need[k], self.patience[k], self.times[k]
        switched = self.engine.channels.switch(self, k, queue, now)
        if switched is not None:
            queue, need, patience = switched
        self.engine.arrive(self.first + k, queue, self.cells[k], now, need, patience, (self, k))
