"""The SimPy model of one replication: staffed teams, class queues, priorities, abandonment.

Design for speed (see ``benchmarks/``): customers are plain tuples, random numbers are
drawn in NumPy batches per interval (:mod:`simsvc.sim.demand`), and a customer costs at
most two SimPy events: its arrival and its service completion, both ``Timeout`` events
with callbacks rather than a process per customer. Abandonment needs an event only where
leaving changes the run at that moment (:mod:`simsvc.sim.patience`).

Rules (also in the README):

* **Routing** (default ``first_idle``; others in :mod:`simsvc.sim.routing`). An arriving
  customer goes to the first team, in scenario order, that serves its class and has an idle
  server; otherwise it joins its class's queue. A server that becomes free takes the waiting
  customer with the best (smallest) priority among the classes its team serves, and among
  equal priorities the one who arrived first. Service is non-preemptive.
* **Skills.** With ``serves`` as ``{class: skill priority}``, an arrival goes to the idle team
  with the best skill priority for its class (ties as the rule says), and a freed server takes
  the waiting customer of its best skill priority, then class priority, then first come. A
  list gives every class skill priority 1 (the rule above). ``overflow``: a secondary group
  takes a class's customer only once it has waited that long (:mod:`simsvc.sim.overflow`).
* **Shifts.** When a shift ends, a server busy with a customer finishes that customer
  and then leaves; idle servers leave at once.
* **Shrinkage.** Of a team's ``n`` rostered staff in an interval with shrinkage ``s``,
  ``floor(n * (1 - s))`` serve (:mod:`simsvc.sim.shrinkage`); all ``n`` are paid.
* **Closing.** No one arrives after closing. The staff on duty at closing (at least one
  per team that worked that day) stay until everyone inside has been served (or has
  abandoned). A team with nobody on duty during a day's opening hours serves nobody:
  customers still waiting at closing whom no team serves any more leave unserved then,
  counted as abandoned.
* **Abandonment.** A customer abandons when its waiting time exceeds its patience; one
  whose service could start exactly at that moment is served.
* **Balking.** With ``balk_at`` set, an arrival who finds that many customers of its
  class waiting leaves at once.
* **Journeys.** A queue belongs to a class's step (and, where the step chooses a station at
  random, to that station). When a customer's service at a step ends, its server is freed
  first, then the customer joins its next step (drawn in advance: :mod:`simsvc.sim.trips`)
  at that moment, with that step's need and patience. A customer reaching a station after
  its closing finds the staff who were on duty at closing (they stay for it); a station with
  nobody on duty at closing turns it away (counted as abandoned).
* **Self-service.** A self-service station (``teams[].self_service``) serves everyone at once,
  at any hour, with no staff: its customers never wait; those who fail (``failure_prob``) go on
  to their journey's next step, the others leave done. It books no time.
* **Channel choice.** A customer of a class with ``channel_choice`` who finds every server
  busy is told the announced wait; above its tolerance it switches to another class at that
  moment (:mod:`simsvc.sim.channel_choice`).
* **Chat concurrency.** An agent of a team with ``concurrency`` above 1 holds several
  contacts at once, each slowed by the load (:mod:`simsvc.sim.concurrency`).
* **Back office.** A back-office station (the complaint desk, :mod:`simsvc.sim.complaint_desk`)
  has no closing: its queue waits for its next shift, across days, and its time is booked per
  day. Its waiting do not count in the customers' queue length.
* **Deferred work.** A deferred-work team (``teams[].deferred``) has no closing either: what it has
  not started when its staff go off duty waits for its next shift, across nights; its time is booked
  per interval. Its classes may receive work overnight, and a contact still waiting when the horizon
  ends is recorded as ``open`` (:mod:`simsvc.sim.deferred`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from heapq import heapify, heappush
from typing import Any

import numpy as np
import simpy

from simsvc.scenario.journeys import is_self_service
from simsvc.scenario.models import Scenario, Staffed, Team
from simsvc.scenario.skills import LISTED
from simsvc.sim.agents import ConcurrentStation
from simsvc.sim.arrivals import ArrivalChain
from simsvc.sim.channel_choice import ChannelSwitches
from simsvc.sim.concurrency import ConcurrencyMoves
from simsvc.sim.deferred import DeferredMoves
from simsvc.sim.demand import Batch, Demand
from simsvc.sim.journey_moves import JourneyMoves
from simsvc.sim.overflow import OverflowMoves
from simsvc.sim.patience import PatienceMoves
from simsvc.sim.routing import Routing
from simsvc.sim.routing_moves import RoutingMoves
from simsvc.sim.schema import ABANDONED, BALKED
from simsvc.sim.shifts import ShiftMoves
from simsvc.sim.shrinkage import shrinkage_per_interval
from simsvc.sim.station import Station
from simsvc.sim.trips import TripPlanner

__all__ = ["Engine"]

_NAN = float("nan")
SELF_SERVICE_CAPACITY = 1 << 62
"""A self-service station's servers: more than customers can ever be inside at once."""


class Engine(DeferredMoves, ConcurrencyMoves, JourneyMoves, OverflowMoves, RoutingMoves, PatienceMoves, ShiftMoves):
    """One replication of a scenario. Call :meth:`run`; records go to ``sink`` by batch.

    Args:
        scenario: the validated scenario.
        demand: the replication's customers (its random streams).
        sink: called with the record columns of a batch (float arrays, :data:`RECORD_FIELDS`
            order) and the batch's extra data (see :meth:`prepare`) when every customer
            of the batch (a day's arrivals) has been served or has left.
        max_customers: arrivals stop after this many; :attr:`truncated` then says so.
        step_sink: called with the step rows (:data:`STEP_FIELDS`) of a batch's journey
            customers (classes of one step have none: their row is their only step).
        routing: rule objects by team name, replacing those teams' ``routing`` field.
    """

    def __init__(
        self,
        scenario: Scenario,
        demand: Demand,
        sink: Callable[[list[np.ndarray], Any], None],
        max_customers: int,
        step_sink: Callable[[np.ndarray], None] | None = None,
        routing: dict[str, Routing] | None = None,
    ):
        self.env = simpy.Environment()
        self.scenario, self.demand, self.sink, self.step_sink = scenario, demand, sink, step_sink
        self.max_customers, self.truncated = max_customers, False
        h = scenario.horizon
        self.n_intervals, self.days = h.n_intervals, h.days
        n_cells = h.days * h.n_intervals
        self.n_cells = n_cells
        self.priority: list[int] = []
        self.patient: list[bool] = []
        self.patient_classes: list[int] = []
        self.balk_at: list[int | None] = []
        self.queues: list[deque] = []
        self.deadlines: list[list] = []
        self.waiting: list[dict] = []  # patient classes: id -> entry
        self.max_queue: list[list[int]] = []
        self.class_teams: list[list[Station]] = []  # per queue: the teams that serve it, in order
        self.q_overflow: list[Any] = []  # per queue: its overflow groups (simsvc.sim.overflow), None if none
        self.q_class: list[int] = []  # per queue: its class
        self.q_journey: list[bool] = []  # per queue: its class takes several steps
        self.q_counted: list[int] = []  # per queue: 1 if its waiting count as customers in the queue
        self.q_serve: list[Callable[..., None]] = []  # per queue: how a server starts its customer (set by run)
        # Called with (queue, entry) when a patient customer joins a queue; None: nothing to do
        # (the quality model asks for a deadline event for who complains as it leaves).
        self.watch: Callable[[int, tuple], None] | None = None
        self.n_customers_waiting = 0
        self.max_queue_total = [0] * (n_cells + 1)
        self.next_id = 0
        self.teams: list[Station] = []
        self.skill: list[dict[int, int]] = []  # per team: its skill priority for each queue it serves
        self.rotas: list[tuple[Station, Staffed]] = []
        step_queues = self._add_queues(scenario)
        self.planner = TripPlanner(scenario, step_queues, demand.seed, demand.replication)
        names = self.class_names = [c.name for c in scenario.customer_classes]
        journeys = scenario.journeys
        for t, spec in enumerate(scenario.teams):
            served = [names.index(n) for n in spec.serves if journeys[names.index(n)].one_step]
            # A one-step journey that names its station, not listed in the team's serves.
            served += [
                k for k in range(len(names)) if journeys[k].one_step and k not in served and t in self._stations[k]
            ]
            served += [q for q in range(len(self.queues)) if self.q_journey[q] and t in self._stations[q]]
            skills = spec.skills  # of classes without a journey; a journey's steps take the default
            levels = {q: LISTED if self.q_journey[q] else skills.get(names[self.q_class[q]], LISTED) for q in served}
            self._add_team(spec, served, skills=levels)
        for q in range(len(self.queues)):  # a pool is tried in its own order, best skill priority first
            pool = [self.teams[t] for t in self._stations[q]]
            self.class_teams[q] = sorted(pool, key=lambda team: self.skill[team.index][q])
        self._set_routing(routing or {})
        self._add_overflow()
        self._add_deferred()
        self.channels = None  # channel choice, when a class has one (simsvc.sim.channel_choice)
        if any(c.channel_choice is not None for c in scenario.customer_classes):
            self.channels = ChannelSwitches(self, demand.seed, demand.replication)
        self.warmup_end = h.open_minute + scenario.simulation.warmup_minutes

    def _add_queue(self, patient: bool, balk_at: int | None, priority: int, counted: bool = True) -> int:
        """Add a queue; return its index (``counted``: its waiting count in the customers' queue length)."""
        k = len(self.queues)
        self.q_counted.append(int(counted))
        self.priority.append(priority)
        self.patient.append(patient)
        if patient:
            self.patient_classes.append(k)
        self.balk_at.append(balk_at)
        self.queues.append(deque())
        self.deadlines.append([])
        self.waiting.append({})
        self.max_queue.append([0] * (self.n_cells + 1))
        self.class_teams.append([])
        self.q_overflow.append(None)
        return k

    def _add_team(
        self, spec: Staffed, served: list[int], back_office: bool = False, skills: dict[int, int] | None = None
    ) -> Station:
        """Add a team serving queues ``served`` (``back_office``: see :attr:`Station.back_office`).

        ``skills``: the team's skill priority per queue (default :data:`LISTED` for each). Its
        queues are grouped by skill priority, then class priority, best first.
        """
        skill = skills or dict.fromkeys(served, LISTED)
        served = sorted(served, key=lambda k: (skill[k], self.priority[k]))
        groups: list[list[int]] = []
        for k in served:
            if groups and (skill[groups[-1][0]], self.priority[groups[-1][0]]) == (skill[k], self.priority[k]):
                groups[-1].append(k)
            else:
                groups.append([k])
        self.skill.append(skill)
        speed = self.scenario.training(spec.training_level).speed
        if isinstance(spec, Team) and spec.concurrent:  # chat: simsvc.sim.concurrency
            team: Station = ConcurrentStation(
                len(self.teams), speed, groups, self.n_cells, spec.slots, spec.concurrency_slowdown
            )
        else:
            team = Station(len(self.teams), speed, groups, self.n_cells)
        team.paid_area = [0.0] * self.days
        team.back_office = back_office
        team.deferred = isinstance(spec, Team) and spec.deferred is not None
        if isinstance(spec, Team) and spec.shrinkage:
            team.shrink = shrinkage_per_interval(spec.shrinkage, self.n_intervals).tolist()
            team.shrink_now = team.shrink[0]
        team.only = served[0] if len(served) == 1 else None
        team.done = self._completion_callback(team)
        self.teams.append(team)
        for k in served:
            self.class_teams[k].append(team)
        if is_self_service(spec):
            # Unlimited capacity and no rota: nobody ever waits for it. Its time is nobody's: no
            # busy, on-duty or paid minutes (a last account at +inf never adds any).
            team.sched = team.floor = team.cap = SELF_SERVICE_CAPACITY
            team.last = float("inf")
        else:
            self.rotas.append((team, spec))
        return team

    # -- running -------------------------------------------------------------------
    def run(self) -> None:
        """Simulate the whole horizon, then hand the remaining records to the sink."""
        self.q_serve = [self._server_start(q) for q in range(len(self.queues))]
        for team, spec in self.rotas:
            self.env.process(self._rota(team, spec))
        self.env.process(self._clock())
        self.env.run()
        self._close_deferred()
        for k in self.patient_classes:  # anyone left waiting has run out of patience
            self._purge(k, float("inf"))
        self._finish()

    def _server_start(self, q: int) -> Callable[..., None]:
        """How a server starts serving a customer of queue ``q`` (called as :meth:`_start`)."""
        serve = self._serve_step if self.q_journey[q] else self._start
        if any(type(t) is ConcurrentStation for t in self.class_teams[q] + self.overflow_teams(q)):
            return self._concurrent_serve(serve)
        return serve

    def _finish(self) -> None:
        """Called when no event is left, before the last records are flushed."""

    def _day_started(self, day: int, now: float) -> None:
        """Called as each day's first interval opens (at ``now``), before its customers are drawn."""

    def time_accounts(self) -> list[Station]:
        """The teams' busy, on-duty and paid server-minutes: front line first, then any others.

        Each has ``busy_area`` and ``duty_area`` per cell and ``paid_area`` per day.
        """
        return self.teams

    # -- customers -----------------------------------------------------------------
    def arrive(self, cid: int, k: int, cell: int, now: float, need: float, patience: float, ref: Any = None) -> None:
        """A customer of class ``k`` arrives at ``now`` (its exact generated time).

        ``ref`` travels with the customer to :meth:`_start` (the quality model uses it).
        """
        pick = self.pick[k]
        if pick is None:  # first_idle, inline
            for team in self.class_teams[k]:
                if team.busy < team.cap:
                    self.q_serve[k](team, cid, k, cell, now, now, need, ref)
                    return
        else:
            idle = [team for team in self.class_teams[k] if team.busy < team.cap]
            if idle:
                self.q_serve[k](pick(idle, now), cid, k, cell, now, now, need, ref)
                return
        over = self.q_overflow[k]
        if over is not None and self._overflow_at_arrival(over, cid, k, cell, now, need, ref):
            return
        if self.q_journey[k] and self._closed_to(k, cid, cell, now, need, patience, ref):
            return
        for p in self.patient_classes:
            heap = self.deadlines[p]
            if heap and heap[0][0] < now:
                self._purge(p, now)
        waiting = len(self.waiting[k]) if self.patient[k] else len(self.queues[k])
        limit = self.balk_at[k]
        if limit is not None and waiting >= limit:
            if self.q_journey[k]:
                self._leave_step(k, (now, cid, k, cell, need, now, ref), now, BALKED)
            else:
                self._balk(cid, k, cell, now, ref)
            return
        entry = (now, cid, k, cell, need, now + patience, ref)
        self.queues[k].append(entry)
        if over is not None:
            self._overflow_timers(over, entry)
        if self.patient[k]:
            self.waiting[k][cid] = entry
            heap = self.deadlines[k]
            heappush(heap, (now + patience, cid))
            if len(heap) > 2 * len(self.waiting[k]) + 1024:  # drop entries of served customers
                heap[:] = [(e[5], e[1]) for e in self.waiting[k].values()]
                heapify(heap)
            if self.watch is not None:
                self.watch(k, entry)
        if waiting + 1 > self.max_queue[k][cell]:
            self.max_queue[k][cell] = waiting + 1
        if self.q_counted[k]:
            self.n_customers_waiting += 1
            if self.n_customers_waiting > self.max_queue_total[cell]:
                self.max_queue_total[cell] = self.n_customers_waiting

    def prepare(self, batch: Batch) -> Any:
        """Per-batch data for :meth:`_start`; the core model needs none."""
        return None

    def needs(self, batch: Batch, extra: Any) -> list[float]:
        """The batch's service needs at speed 1, passed to :meth:`_start` (``extra``: :meth:`prepare`'s)."""
        return self.need_array(batch, extra).tolist()

    def need_array(self, batch: Batch, extra: Any) -> np.ndarray:
        """:meth:`needs` as an array (the compiled kernel's arena takes them so, without a list between)."""
        return batch.need

    def _start(
        self, team: Station, cid: int, k: int, cell: int, arrival: float, now: float, need: float, ref: Any
    ) -> None:
        """Start serving a customer (its record is complete now: its end is known)."""
        self._serve_last(team, now, need, now - arrival, ref)

    def _serve_last(self, team: Station, now: float, need: float, wait: float, ref: Any) -> None:
        """A customer's last (or only) service starts: its row is complete, ``wait`` its total wait."""
        team.account(now)
        team.busy += 1
        duration = need / team.speed
        self.env.timeout(duration).callbacks.append(team.done)
        chain, i = ref
        chain.wait[i], chain.start[i], chain.end[i], chain.team[i] = wait, now, now + duration, team.index
        chain.left -= 1
        if not chain.left:
            self._record(chain)

    def _balk(self, cid: int, k: int, cell: int, now: float, ref: Any) -> None:
        chain, i = ref
        chain.outcome[i] = BALKED
        chain.left -= 1
        if not chain.left:
            self._record(chain)

    def _abandon(self, cid: int, k: int, cell: int, arrival: float, deadline: float, ref: Any) -> None:
        chain, i = ref
        chain.wait[i], chain.outcome[i] = deadline - arrival, ABANDONED
        chain.left -= 1
        if not chain.left:
            self._record(chain)

    def _completion_callback(self, team: Station, track_idle: bool = False) -> Callable[[simpy.Event], None]:
        def done(_event: simpy.Event) -> None:
            now = self.env.now
            team.account(now)
            team.busy -= 1
            if team.busy < team.cap:
                self._dispatch(team, now)
            if team.draining:
                self._maybe_end_drain(team)

        def done_tracking(event: simpy.Event) -> None:  # for rules that read idle_since
            done(event)
            if team.busy < team.cap:
                team.idle_since = self.env.now

        return done_tracking if track_idle else done

    def _dispatch(self, team: Station, now: float) -> None:
        """Give idle servers of ``team`` the best waiting customers, while any wait."""
        if team.overflow is not None:
            self._dispatch_with_overflow(team, now)
            return
        if team.pick_customer is not None:
            self._dispatch_by_rule(team, now)
            return
        only = team.only
        if only is not None and not self.patient[only]:  # one queue, nobody leaves it: its head
            queue = self.queues[only]
            while queue and team.busy < team.cap:
                self._take(team, only, now)
            return
        while team.busy < team.cap:
            k = self._best_waiting(team, now)
            if k is None:
                return
            self._take(team, k, now)

    def _best_waiting(self, team: Station, now: float) -> int | None:
        """The queue whose head a freed server of ``team`` takes: its best group, then first come (None: nobody)."""
        queues, best = self.queues, None
        for group in team.groups:
            for k in group:
                if not queues[k]:  # cheap test first: most of the time nobody waits
                    continue
                head = self._head(k, now)
                if head is not None and (best is None or head[0] < best[0]):
                    best = head
            if best is not None:
                return best[2]
        return None

    def _take(self, team: Station, k: int, now: float) -> None:
        """A server of ``team`` takes the customer at the head of queue ``k`` (still waiting)."""
        best = self.queues[k].popleft()
        if self.patient[k]:
            del self.waiting[k][best[1]]
        self.n_customers_waiting -= self.q_counted[k]
        self.q_serve[k](team, best[1], k, best[3], best[0], now, best[4], best[6])

    # -- records -------------------------------------------------------------------
    def _columns(self, chain: ArrivalChain) -> list[np.ndarray]:
        """A finished batch's record columns, in :data:`RECORD_FIELDS` order."""
        b, n = chain.batch, len(chain.batch)
        return [
            np.arange(chain.first, chain.first + n, dtype=np.float64),
            b.klass.astype(np.float64),
            b.cell.astype(np.float64),
            b.arrival,
            np.array(chain.wait),
            np.array(chain.start),
            np.array(chain.end),
            np.array(chain.team, dtype=np.float64),
            np.array(chain.outcome, dtype=np.float64),
        ]

    def _record(self, chain: ArrivalChain) -> None:
        """Hand a batch whose customers have all been served or have left to the sink."""
        self.sink(self._columns(chain), chain.extra)
        if chain.trips is not None:
            self._step_rows(chain)
