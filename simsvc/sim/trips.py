"""Each journey customer's trip through its steps, drawn when its day's customers are drawn.

A customer's whole path (the steps it visits, the station it chooses where a step offers a
choice) and the service need and patience of each visit after the first are drawn for a
day's batch at once, from named streams: ``routing`` per class, ``service`` and ``patience``
per class and step. The batch is drawn before any of its customers arrives, in customer
order, so a customer's trip does not depend on the order of events in the run (nor on the
staffing: common random numbers). The first visit's need and patience are the customer's
own from :mod:`simsvc.sim.demand`.
"""

from __future__ import annotations

import numpy as np

from simsvc.distributions import stream
from simsvc.scenario.journeys import EXIT_STEP, CompiledStep, Journey
from simsvc.scenario.models import Scenario

__all__ = ["ClassTrips", "TripPlanner", "Trips", "step_stream_name"]


class Trips:
    """A batch's journey customers' visits, flat, and where each customer is on them.

    ``queues``, ``steps``, ``needs`` (at speed 1) and ``patience`` have one entry per visit,
    a customer's visits contiguous and in order (no list or object per customer); customer
    ``i``'s are ``start[i]:end[i]`` (-1 for a one-step class's customer), ``pos[i]`` is the
    visit under way (its visit number ``pos[i] - start[i]``), ``prior[i]`` the waits of the
    visits before it (minutes).
    """

    __slots__ = ("end", "needs", "patience", "pos", "prior", "queues", "start", "steps")

    def __init__(self, flat: list[np.ndarray], start: np.ndarray, end: np.ndarray):
        self.queues, self.steps, self.needs, self.patience = (c.tolist() for c in flat)
        self.start, self.end = start.tolist(), end.tolist()
        self.pos = list(self.start)
        self.prior = [0.0] * len(self.start)

    def first_queues(self, own: list[int]) -> list[int]:
        """Each customer's first queue: its first step's (``own``, its class's, for one step)."""
        queues = self.queues
        return [q if s < 0 else queues[s] for q, s in zip(own, self.start, strict=True)]


def step_stream_name(class_name: str, step_name: str) -> str:
    """The name keying a step's own streams (a class's step, not another class's)."""
    return f"{class_name}\x1f{step_name}"


def _choose(rng: np.random.Generator, step: CompiledStep, n: int) -> np.ndarray:
    """Which of a step's stations each of ``n`` entries takes (all 0 for a pool)."""
    if step.weights is None:
        return np.zeros(n, dtype=np.int64)
    cum = np.cumsum(step.weights)
    return np.minimum(np.searchsorted(cum, rng.random(n) * cum[-1], side="right"), len(cum) - 1)


class ClassTrips:
    """Draws the trips of one journey class's customers."""

    def __init__(
        self, scenario: Scenario, journey: Journey, queues: list[list[int]], seed: int, replication: int,
        key: str | None = None,
    ):  # fmt: skip
        # ``key`` names the streams (default the class's): customers who switch into the class draw from their own.
        key = key or scenario.customer_classes[journey.klass].name
        self.journey, self.queues = journey, queues
        self.routing = stream(seed, replication, key, "routing")
        names = [step_stream_name(key, s.name) for s in journey.steps]
        self.service = [stream(seed, replication, n, "service") for n in names]
        self.patience = [stream(seed, replication, n, "patience") for n in names]
        self.cum = [np.cumsum(s.next_probs) for s in journey.steps]
        width = max(len(q) for q in queues)  # each step's queue per station, padded
        self.table = np.array([q + [-1] * (width - len(q)) for q in queues], dtype=np.int64)

    def draw(self, need0: np.ndarray, patience0: np.ndarray) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
        """The visits (queue, step, need, patience), customer by customer, and each one's start and end."""
        steps, rng = self.journey.steps, self.routing
        n = len(need0)
        # The path: per round, the customers still inside, their next step and station; a
        # customer's visit v is drawn in round v (arrays, not a list per customer).
        who, at_step, option = [np.arange(n)], [np.zeros(n, dtype=np.int64)], [_choose(rng, steps[0], n)]
        current = np.zeros(n, dtype=np.int64)
        active = np.arange(n)
        while len(active):
            u = rng.random(len(active))
            at = current[active]
            nxt = np.empty(len(active), dtype=np.int64)
            for s in np.unique(at).tolist():
                rows = at == s
                cum = self.cum[s]
                j = np.minimum(np.searchsorted(cum, u[rows] * cum[-1], side="right"), len(cum) - 1)
                nxt[rows] = np.asarray(steps[s].next_steps)[j]
            stay = nxt != EXIT_STEP
            active, nxt = active[stay], nxt[stay]
            current[active] = nxt
            chosen = np.zeros(len(active), dtype=np.int64)
            for s in np.unique(nxt).tolist():
                rows = nxt == s
                chosen[rows] = _choose(rng, steps[s], int(rows.sum()))
            who.append(active)
            at_step.append(nxt)
            option.append(chosen)
        # Flat, in (customer, visit) order: rounds are in visit order, so a stable sort by customer.
        customer = np.concatenate(who)
        order = np.argsort(customer, kind="stable")
        step = np.concatenate(at_step)[order]
        opt = np.concatenate(option)[order]
        visits = np.bincount(customer, minlength=n)
        ends = np.cumsum(visits)
        starts = ends - visits
        first = np.zeros(len(order), dtype=bool)
        first[starts] = True
        # Needs and patience of the later visits: per step, in (customer, visit) order.
        needs = np.empty(len(order))
        waits = np.full(len(order), np.inf)
        needs[first], waits[first] = need0, patience0
        for s, st in enumerate(steps):
            where = ~first & (step == s)
            count = int(where.sum())
            if count:
                needs[where] = st.service_time.sample(self.service[s], count)
                if st.patience is not None:
                    waits[where] = st.patience.sample(self.patience[s], count)
        return [self.table[step, opt], step, needs, waits], starts, ends


class TripPlanner:
    """The trips of every journey class's customers in a batch (one-step classes need none).

    Args:
        scenario: the scenario.
        queues: per class, per step, the engine's queue for each of the step's stations
            (one shared queue for a pool).
        seed: the run's seed.
        replication: the replication's number.
    """

    def __init__(self, scenario: Scenario, queues: list[list[list[int]]], seed: int, replication: int):
        self.queues = queues
        self.classes = {
            j.klass: ClassTrips(scenario, j, queues[j.klass], seed, replication)
            for j in scenario.journeys
            if not j.one_step
        }

    def __bool__(self) -> bool:
        return bool(self.classes)

    def plan(self, klass: np.ndarray, need: np.ndarray, patience: np.ndarray) -> Trips:
        """The trips of a batch's customers (a one-step class's customer has none)."""
        return Trips(*self.draw(klass, need, patience))

    def draw(
        self, klass: np.ndarray, need: np.ndarray, patience: np.ndarray
    ) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
        """:meth:`plan` as arrays: the visits' (queue, step, need, patience), each customer's start and end.

        A one-step class's customer has start and end -1.
        """
        start, end = np.full(len(klass), -1, dtype=np.int64), np.full(len(klass), -1, dtype=np.int64)
        parts: list[list[np.ndarray]] = []
        offset = 0
        for k, planner in self.classes.items():
            idx = np.flatnonzero(klass == k)
            if len(idx):
                flat, starts, ends = planner.draw(need[idx], patience[idx])
                start[idx], end[idx] = starts + offset, ends + offset
                parts.append(flat)
                offset += len(flat[0])
        columns = [np.concatenate([p[c] for p in parts]) if parts else np.empty(0) for c in range(4)]
        return columns, start, end
