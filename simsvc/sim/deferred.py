"""Deferred work in the engine: work arriving overnight, and contacts still open when the horizon ends.

A deferred-work team (``teams[].deferred``) is a station of the engine with the back-office
rota: no closing, so what waits at the end of its last shift of a day waits for its next one
(:func:`simsvc.sim.rota.day_events`); unlike the complaint desk its time is booked per interval,
as a front-line team's. :class:`DeferredMoves` adds the two things opening hours alone do not
have:

* **Overnight work.** At each day's closing but the last, the customers arriving before the next
  opening are drawn (:class:`Overnight`, the class's own ``overnight`` stream: the opening hours'
  customers are those of the same scenario without overnight work) and fed in at their real
  times; their cell is the next day's first interval. After the last closing nothing arrives.
* **Open at the end.** When the run ends, a contact still waiting is recorded with the outcome
  ``open``, its wait counted to the horizon's end (the last day's midnight), no team; the quality
  model judges it as unserved on that wait, and it files no complaint (the horizon is over).
"""

from __future__ import annotations

import numpy as np

from simsvc.distributions import stream
from simsvc.scenario.deferred import deferred_targets
from simsvc.scenario.models import Scenario
from simsvc.sim.demand import Batch, poisson_times
from simsvc.sim.experience import CustomerDraws, draw_customers
from simsvc.sim.schema import OPEN

__all__ = ["DeferredMoves", "Overnight", "horizon_end"]


def horizon_end(scenario: Scenario) -> float:
    """When the horizon ends (minutes since day 0, 00:00): the last day's midnight."""
    return scenario.horizon.days * 1440.0


class Overnight:
    """Draws the work arriving between a day's closing and the next opening, per class from its own stream."""

    def __init__(self, scenario: Scenario, seed: int, replication: int):
        self.scenario = scenario
        self.classes = [
            (k, cls, cls.arrivals.overnight_per_minute, stream(seed, replication, cls.name, "overnight"))
            for k, cls in enumerate(scenario.customer_classes) if cls.arrivals.overnight_per_hour > 0
        ]  # fmt: skip

    def batch(self, day: int) -> Batch:
        """The customers arriving after ``day``'s closing, before the next opening, in arrival order.

        Per class: Poisson times over the night (:func:`~simsvc.sim.demand.poisson_times`), then the
        needs (and the quality numbers) in arrival order, all from the class's ``overnight`` stream.
        """
        h = self.scenario.horizon
        start, end = h.night_after(day)
        night = end - start
        quality = self.scenario.quality.enabled
        parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        draws: list[CustomerDraws] = []
        for k, cls, rate, rng in self.classes:
            times = start + poisson_times(rng, rate, night, self.scenario.simulation.max_customers)
            parts.append((times, np.full(len(times), k, dtype=np.int64), cls.service_time.sample(rng, len(times))))
            if quality:
                draws.append(draw_customers(self.scenario, cls, rng, len(times), None, rng))
        arrival, klass, need = (np.concatenate(c) for c in zip(*parts, strict=True))
        order = np.argsort(arrival, kind="stable")
        n = len(arrival)
        cell = np.full(n, (day + 1) * h.n_intervals, dtype=np.int64)
        joined = CustomerDraws.concatenate(draws, order) if quality else None
        return Batch(arrival[order], klass[order], need[order], np.full(n, np.inf), np.zeros(n, dtype=bool),
                     joined, cell)  # fmt: skip


class DeferredMoves:
    """The deferred-work half of the engine (mixed into :class:`~simsvc.sim.engine.Engine`)."""

    def _add_deferred(self) -> None:
        """Set up overnight work and the deferred classes (after the teams)."""
        scenario = self.scenario
        self.deferred_classes = sorted(deferred_targets(scenario))
        night = any(c.arrivals.overnight_per_hour > 0 for c in scenario.customer_classes)
        self.overnight = Overnight(scenario, self.demand.seed, self.demand.replication) if night else None

    def _night_starts(self, day: int) -> None:
        """At ``day``'s closing: draw the work arriving before the next opening (none after the last day)."""
        if self.overnight is None or day + 1 >= self.days or self.truncated:
            return
        self._feed(self._within_cap(self.overnight.batch(day)))

    def _close_deferred(self) -> None:
        """At the end of the run: contacts still waiting are recorded as open, waiting until the horizon's end."""
        end = horizon_end(self.scenario)
        for k in self.deferred_classes:
            queue = self.queues[k]
            while queue:
                entry = queue.popleft()
                self.n_customers_waiting -= self.q_counted[k]
                chain, i = entry[6]
                chain.wait[i], chain.outcome[i] = end - entry[0], OPEN
                chain.left -= 1
                if not chain.left:
                    self._record(chain)
