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

__all__ = ["Trip", "TripPlanner", "step_stream_name"]


class Trip:
    """One customer's visits (queue, step, need at speed 1, patience) and where it is on them.

    ``pos`` is the visit under way, ``prior`` the waits of the visits before it (minutes),
    ``rows`` the step records made so far (see :data:`simsvc.sim.schema.STEP_FIELDS`).
    """

    __slots__ = ("needs", "patience", "pos", "prior", "queues", "rows", "steps")

    def __init__(self, queues: list[int], steps: list[int], needs: list[float], patience: list[float]):
        self.queues, self.steps, self.needs, self.patience = queues, steps, needs, patience
        self.pos, self.prior = 0, 0.0
        self.rows: list[tuple] = []


def step_stream_name(class_name: str, step_name: str) -> str:
    """The name keying a step's own streams (a class's step, not another class's)."""
    return f"{class_name}\x1f{step_name}"


def _choose(rng: np.random.Generator, step: CompiledStep, n: int) -> np.ndarray:
    """Which of a step's stations each of ``n`` entries takes (all 0 for a pool)."""
    if step.weights is None:
        return np.zeros(n, dtype=np.int64)
    cum = np.cumsum(step.weights)
    return np.minimum(np.searchsorted(cum, rng.random(n) * cum[-1], side="right"), len(cum) - 1)


class _ClassTrips:
    """Draws the trips of one journey class's customers."""

    def __init__(self, scenario: Scenario, journey: Journey, queues: list[list[int]], seed: int, replication: int):
        cls = scenario.customer_classes[journey.klass]
        self.journey, self.queues = journey, queues
        self.routing = stream(seed, replication, cls.name, "routing")
        names = [step_stream_name(cls.name, s.name) for s in journey.steps]
        self.service = [stream(seed, replication, n, "service") for n in names]
        self.patience = [stream(seed, replication, n, "patience") for n in names]
        self.cum = [np.cumsum(s.next_probs) for s in journey.steps]

    def draw(self, need0: np.ndarray, patience0: np.ndarray) -> list[Trip]:
        steps, rng = self.journey.steps, self.routing
        n = len(need0)
        path: list[list[int]] = [[0] for _ in range(n)]
        option: list[list[int]] = [[c] for c in _choose(rng, steps[0], n).tolist()]
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
            for i, s, c in zip(active.tolist(), nxt.tolist(), chosen.tolist(), strict=True):
                path[i].append(s)
                option[i].append(c)
        # Needs and patience of the later visits: per step, in (customer, visit) order.
        needs = [[float(need0[i])] + [0.0] * (len(p) - 1) for i, p in enumerate(path)]
        waits = [[float(patience0[i])] + [0.0] * (len(p) - 1) for i, p in enumerate(path)]
        visits: dict[int, list[tuple[int, int]]] = {}
        for i, p in enumerate(path):
            for v in range(1, len(p)):
                visits.setdefault(p[v], []).append((i, v))
        for s, where in visits.items():
            step = steps[s]
            drawn = step.service_time.sample(self.service[s], len(where)).tolist()
            patient = (
                step.patience.sample(self.patience[s], len(where)).tolist()
                if step.patience is not None
                else [float("inf")] * len(where)
            )
            for (i, v), need, wait in zip(where, drawn, patient, strict=True):
                needs[i][v], waits[i][v] = need, wait
        return [
            Trip([self.queues[s][c] for s, c in zip(p, o, strict=True)], p, needs[i], waits[i])
            for i, (p, o) in enumerate(zip(path, option, strict=True))
        ]


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
        self.classes = {
            j.klass: _ClassTrips(scenario, j, queues[j.klass], seed, replication)
            for j in scenario.journeys
            if not j.one_step
        }

    def __bool__(self) -> bool:
        return bool(self.classes)

    def plan(self, klass: np.ndarray, need: np.ndarray, patience: np.ndarray) -> list[Trip | None]:
        """Per customer of a batch, its trip (None for a one-step class)."""
        trips: list[Trip | None] = [None] * len(klass)
        for k, planner in self.classes.items():
            idx = np.flatnonzero(klass == k)
            if len(idx):
                for i, trip in zip(idx.tolist(), planner.draw(need[idx], patience[idx]), strict=True):
                    trips[i] = trip
        return trips
