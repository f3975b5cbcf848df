"""Channel choice: a customer told a long wait switches to another channel (:class:`ChannelSwitches`).

The rule (README 'Channel choice'), for a class with ``channel_choice``: an arriving customer
who finds every server of its queue busy is told the announced wait (:func:`announced_wait`),
and one told more than its own tolerance (drawn per customer) switches: it becomes, at that
moment, a customer of the class drawn from ``to`` (e.g. from the phone line to chat or the
portal), with that class's service need, patience and journey. It keeps its record row (its
number and arrival time) and its expectations; its class is the one it was served in. A
customer served at once, or told a wait within its tolerance, stays.

Everything random is drawn when its day is drawn, from the source class's ``channel``
stream (tolerance, target class, then per target its need and patience) and, for a target
with a journey, its trip from that class's steps under streams of their own: the choice
changes nobody else's numbers, and the same seed gives the same switches anywhere.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from simsvc.distributions import stream
from simsvc.sim.agents import ConcurrentStation
from simsvc.sim.trips import ClassTrips, Trips

if TYPE_CHECKING:
    from simsvc.sim.demand import Batch
    from simsvc.sim.engine import Engine
    from simsvc.sim.station import Station

__all__ = ["ChannelSwitches", "SwitchPlan", "announced_wait"]


def announced_wait(ahead: int, service_rate: float) -> float:
    """The wait announced to an arrival with ``ahead`` customers before it and every server busy.

    The expected wait of an M/M/n queue's ``(ahead + 1)``-th in line: ``ahead + 1`` services
    must end, at ``service_rate`` (per minute, all servers on duty together), so
    ``(ahead + 1) / service_rate``; infinite with nobody on duty. (A concurrent team's agent
    counts as the work it does when full: ``Team.servers_worth``.)
    """
    return (ahead + 1) / service_rate if service_rate > 0 else math.inf


class SwitchPlan:
    """A day's switching draws, per customer of the batch: ``tolerance`` is inf for those who never switch."""

    __slots__ = ("end", "need", "patience", "start", "target", "tolerance")

    def __init__(self, n: int):
        self.tolerance = np.full(n, np.inf)
        self.target = np.full(n, -1, dtype=np.int64)
        self.need, self.patience = np.full(n, np.nan), np.full(n, np.inf)
        # A journey target's visits in the batch's trips (``start:end``; -1 for a one-step target).
        self.start, self.end = np.full(n, -1, dtype=np.int64), np.full(n, -1, dtype=np.int64)

    def as_lists(self) -> SwitchPlan:
        """The same plan with list columns (read one customer at a time)."""
        for name in self.__slots__:
            setattr(self, name, getattr(self, name).tolist())
        return self


class ChannelSwitches:
    """The channel choices of one replication's classes (built by the engine when a class has one)."""

    def __init__(self, engine: Engine, seed: int, replication: int):
        scenario = engine.scenario
        self.engine = engine
        self.worth = [spec.servers_worth for spec in scenario.teams]  # a full agent's servers' worth, per team
        classes, journeys = scenario.customer_classes, scenario.journeys
        names = [c.name for c in classes]
        self.sources: dict[int, tuple] = {}
        self.alt_trips: dict[tuple[int, int], ClassTrips] = {}
        self.mean_need: dict[int, float] = {}
        for k, cls in enumerate(classes):
            choice = cls.channel_choice
            if choice is None:
                continue
            targets = np.array([names.index(n) for n in choice.to], dtype=np.int64)
            cum = np.cumsum(list(choice.to.values()))
            self.sources[k] = (choice.tolerance, stream(seed, replication, cls.name, "channel"), targets, cum)
            self.mean_need[k] = journeys[k].steps[0].service_time.mean
            for j in targets.tolist():
                if not journeys[j].one_step:
                    key = f"{cls.name}\x1fchannel\x1f{names[j]}"
                    queues = engine.planner.queues[j]
                    self.alt_trips[k, j] = ClassTrips(scenario, journeys[j], queues, seed, replication, key=key)

    def _servers(self, team: Station) -> float:
        """Servers' worth on duty at ``team``: its servers, or a concurrent team's agents at full load."""
        if isinstance(team, ConcurrentStation):
            return team.n_on * self.worth[team.index]
        return team.cap

    def plan(self, batch: Batch, trips: Trips | None) -> SwitchPlan:
        """Draw the day's switching numbers; a journey target's trips are appended to ``trips``."""
        plan = SwitchPlan(len(batch))
        journeys = self.engine.scenario.journeys
        for k, (tolerance, rng, targets, cum) in self.sources.items():
            idx = np.flatnonzero(batch.klass == k)
            if not len(idx):
                continue
            plan.tolerance[idx] = tolerance.sample(rng, len(idx))
            pick = np.minimum(np.searchsorted(cum, rng.random(len(idx)) * cum[-1], side="right"), len(cum) - 1)
            plan.target[idx] = targets[pick]
            for j in targets.tolist():
                who = idx[plan.target[idx] == j]
                first = journeys[j].steps[0]
                plan.need[who] = first.service_time.sample(rng, len(who))
                if first.patience is not None:
                    plan.patience[who] = first.patience.sample(rng, len(who))
                if (k, j) in self.alt_trips and len(who):
                    assert trips is not None  # a journey class exists: the engine plans trips
                    flat, starts, ends = self.alt_trips[k, j].draw(plan.need[who], plan.patience[who])
                    offset = len(trips.queues)
                    for column, values in zip((trips.queues, trips.steps, trips.needs, trips.patience), flat,
                                              strict=True):  # fmt: skip
                        column.extend(values.tolist())
                    plan.start[who], plan.end[who] = starts + offset, ends + offset
        return plan.as_lists()

    def switch(self, chain, i: int, queue: int, now: float) -> tuple[int, float, float] | None:
        """Customer ``i`` of ``chain`` arrives at ``queue``: its new (queue, need, patience) if it switches."""
        plan = chain.switch
        tolerance = plan.tolerance[i]
        if tolerance == math.inf:
            return None
        engine = self.engine
        teams = engine.class_teams[queue]
        if any(t.busy < t.cap for t in teams):
            return None  # served at once: nothing to announce
        for p in engine.patient_classes:  # who has already left does not count ahead of it
            heap = engine.deadlines[p]
            if heap and heap[0][0] < now:
                engine._purge(p, now)
        ahead = len(engine.waiting[queue]) if engine.patient[queue] else len(engine.queues[queue])
        rate = sum(self._servers(t) * t.speed for t in teams) / self.mean_need[engine.q_class[queue]]
        if announced_wait(ahead, rate) <= tolerance:
            return None
        j = plan.target[i]
        chain.batch.klass[i] = j  # its record's class: the channel it is served in
        start = plan.start[i]
        if start < 0:
            return j, plan.need[i], plan.patience[i]
        trips = chain.trips
        trips.start[i], trips.end[i], trips.pos[i] = start, plan.end[i], start
        return trips.queues[start], trips.needs[start], trips.patience[start]
