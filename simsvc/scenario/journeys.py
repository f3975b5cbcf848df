"""Journeys compiled for the engine, their checks, and the flows they put on the stations.

Every class has a journey: the steps it declares (``journey:``), or one step served by the
teams whose ``serves`` lists it (the first idle in scenario order). Both compile to the same
frozen form, so the engine has one path. :func:`journey_problems` reports what is wrong with
a declared journey, with field paths; :func:`compile_journeys` runs once a scenario is
consistent. :func:`station_visits` and :func:`routing_matrix` give the traffic the journeys
put on each station (the optimizer's demand, the Jackson network checks).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from simsvc.distributions import DistributionSpec
from simsvc.queueing_network import traffic_rates
from simsvc.scenario.base import Staffed
from simsvc.scenario.journey_models import EXIT, Step

if TYPE_CHECKING:  # the scenario runs these checks and compiles its journeys
    from simsvc.scenario.models import CustomerClass, Scenario

__all__ = [
    "EXIT_STEP",
    "PROBABILITY_TOLERANCE",
    "CompiledStep",
    "Journey",
    "compile_journeys",
    "has_staff",
    "is_self_service",
    "journey_problems",
    "probability_sum_problem",
    "routing_matrix",
    "self_service_exits",
    "station_arrival_rates",
    "station_means",
    "station_visits",
]

EXIT_STEP = -1
"""The next-step index of leaving the journey."""
PROBABILITY_TOLERANCE = 1e-9
"""How far routing probabilities may sum from 1."""
Problem = tuple[str, str]


@dataclass(frozen=True)
class CompiledStep:
    """One step as the engine runs it; stations and steps by index.

    Attributes:
        name: the step's name.
        stations: indices of the teams (in ``scenario.teams``) that serve it.
        weights: None for a pool (the first idle in order, else one shared queue); else the
            probability of each station, chosen on entry (each its own queue).
        service_time: service time at speed 1 (minutes).
        patience: time before abandoning (minutes); None = waits.
        next_steps: possible next steps (indices into the journey; :data:`EXIT_STEP` = leave).
        next_probs: their probabilities (summing to 1).
    """

    name: str
    stations: tuple[int, ...]
    weights: tuple[float, ...] | None
    service_time: DistributionSpec
    patience: DistributionSpec | None
    next_steps: tuple[int, ...]
    next_probs: tuple[float, ...]


@dataclass(frozen=True)
class Journey:
    """A class's journey: its steps, the first being where it arrives."""

    klass: int
    steps: tuple[CompiledStep, ...]

    @property
    def one_step(self) -> bool:
        """Served once and gone (every class without a declared journey, and some with one)."""
        return len(self.steps) == 1 and self.steps[0].next_steps == (EXIT_STEP,)

    def transitions(self) -> np.ndarray:
        """``P[s, t]``: the probability of going from step ``s`` to step ``t`` (the rest exits)."""
        n = len(self.steps)
        p = np.zeros((n, n))
        for s, step in enumerate(self.steps):
            for t, prob in zip(step.next_steps, step.next_probs, strict=True):
                if t != EXIT_STEP:
                    p[s, t] += prob
        return p

    def visits(self) -> np.ndarray:
        """Expected visits to each step per arrival: ``v = e_0 + P^T v`` (the traffic equations)."""
        entry = np.zeros(len(self.steps))
        entry[0] = 1.0
        return traffic_rates(entry, self.transitions(), [s.name for s in self.steps])


def has_staff(team: Staffed) -> bool:
    """Whether ``team`` has anyone on duty at some time (a shift or an interval with staff; self-service always)."""
    if is_self_service(team):
        return True
    return any(s.staff for s in team.shifts) if team.shifts is not None else any(team.staff or ())


def is_self_service(team: Staffed) -> bool:
    """Whether ``team`` is a self-service station (unlimited capacity, no staff)."""
    return getattr(team, "self_service", None) is not None


def self_service_exits(next_steps: tuple[int, ...], next_probs: tuple[float, ...], failure_prob: float):
    """A self-service step's next steps: those who succeed exit, those who fail go on as declared.

    Returns ``(next_steps, next_probs)`` with the exit first: ``1 - failure_prob`` plus the failures' own
    exit share (a declared ``exit`` after a failure: the customer gives up).
    """
    out = {EXIT_STEP: 1.0 - failure_prob}
    for t, p in zip(next_steps, next_probs, strict=True):
        out[t] = out.get(t, 0.0) + failure_prob * p
    return tuple(out), tuple(out.values())


def probability_sum_problem(path: str, shares: dict[str, float]) -> list[Problem]:
    """A problem at ``path`` when the probabilities ``shares`` do not sum to 1 (within the tolerance)."""
    total = sum(shares.values())
    if abs(total - 1.0) > PROBABILITY_TOLERANCE:
        return [(path, f"probabilities sum to {total:.12g}, not 1")]
    return []


def _station_problems(path: str, step: Step, scenario: Scenario) -> list[Problem]:
    teams = {t.name: t for t in scenario.teams}
    known = ", ".join(teams)
    station = step.station
    if isinstance(station, str):
        named = [(path, station)]
    elif isinstance(station, tuple):
        named = [(f"{path}[{m}]", name) for m, name in enumerate(station)]
    else:
        named = [(f"{path}.{name}", name) for name in station]
    problems = [(p, f"unknown team {name!r} (teams: {known})") for p, name in named if name not in teams]
    if problems:
        return problems
    if isinstance(station, dict):
        problems += probability_sum_problem(path, station)
        problems += [
            (p, f"team {name!r} has no staff at any time: customers sent to it would never be served")
            for p, name in named
            if station[name] > 0 and not has_staff(teams[name])
        ]
    elif not any(has_staff(teams[name]) for _, name in named):
        problems.append((path, "no team of this station has staff at any time: its customers would never be served"))
    if isinstance(station, tuple):
        problems += [(path, f"team {n!r} is listed more than once") for n, c in Counter(station).items() if c > 1]
    if not isinstance(station, str):
        problems += [
            (p, f"{name!r} is a self-service station: it must be its step's only station (its failures "
                "go to the step's next)")
            for p, name in named
            if is_self_service(teams[name])
        ]  # fmt: skip
    return problems


def _next_of(steps: tuple[Step, ...], s: int) -> dict[str, float]:
    """Step ``s``'s next steps by name with their probabilities (the defaults filled in)."""
    nxt = steps[s].next
    if nxt is None:
        return {steps[s + 1].name or "": 1.0} if s + 1 < len(steps) else {EXIT: 1.0}
    return {nxt: 1.0} if isinstance(nxt, str) else dict(nxt)


def _class_problems(path: str, cls: CustomerClass, scenario: Scenario) -> list[Problem]:
    steps = cls.journey or ()
    problems: list[Problem] = []
    if not steps:
        return [(path, "must list at least one step")]
    names = [s.name for s in steps]
    for j, step in enumerate(steps):
        if step.name is None:
            problems.append((f"{path}[{j}].step", "give the step a name: its station is a pool or a choice"))
        problems += _station_problems(f"{path}[{j}].station", step, scenario)
    problems += [(path, f"duplicate step name {n!r}") for n, c in Counter(names).items() if n is not None and c > 1]
    if problems:
        return problems
    known = ", ".join([*(n or "" for n in names), EXIT])
    edges: dict[int, list[int]] = {}
    for j, step in enumerate(steps):
        where = f"{path}[{j}].next"
        nxt = _next_of(steps, j)
        for name in nxt:
            if name != EXIT and name not in names:
                problems.append((where if isinstance(step.next, str) else f"{where}.{name}",
                                 f"unknown step {name!r} (steps: {known})"))  # fmt: skip
        if isinstance(step.next, dict):
            problems += probability_sum_problem(where, step.next)
        edges[j] = [EXIT_STEP if n == EXIT else names.index(n) for n, p in nxt.items() if p > 0 and n in (*names, EXIT)]
    if problems:
        return problems
    # Steps from which the exit can be reached: grow backwards from the exit.
    leaves = {j for j, out in edges.items() if EXIT_STEP in out}
    grew = True
    while grew:
        more = {j for j, out in edges.items() if j not in leaves and leaves.intersection(out)}
        grew = bool(more)
        leaves |= more
    for j in range(len(steps)):
        if j not in leaves:
            problems.append((f"{path}[{j}].next", f"from step {names[j]!r} the journey never reaches 'exit' "
                                                  "(a loop with no way out)"))  # fmt: skip
    return problems


def journey_problems(scenario: Scenario) -> list[Problem]:
    """Every problem of the declared journeys (an empty list when they are consistent)."""
    problems: list[Problem] = []
    for i, cls in enumerate(scenario.customer_classes):
        if cls.journey is not None:
            problems += _class_problems(f"customer_classes[{i}].journey", cls, scenario)
    return problems


def _compile_step(steps: tuple[Step, ...], j: int, cls: CustomerClass, scenario_teams: tuple) -> CompiledStep:
    teams = [t.name for t in scenario_teams]
    step = steps[j]
    station = step.station
    weights = None
    if isinstance(station, str):
        stations = (teams.index(station),)
    elif isinstance(station, tuple):
        stations = tuple(teams.index(n) for n in station)
    else:
        stations, weights = tuple(teams.index(n) for n in station), tuple(float(p) for p in station.values())
    names = [s.name for s in steps]
    nxt = _next_of(steps, j)
    assert step.name is not None  # checked
    next_steps = tuple(EXIT_STEP if n == EXIT else names.index(n) for n in nxt)
    next_probs = tuple(float(p) for p in nxt.values())
    own = scenario_teams[stations[0]]
    if is_self_service(own):  # its only station (checked)
        next_steps, next_probs = self_service_exits(next_steps, next_probs, own.self_service.failure_prob)
    return CompiledStep(
        name=step.name,
        stations=stations,
        weights=weights,
        service_time=step.service_time or cls.service_time,
        patience=step.patience or cls.patience,
        next_steps=next_steps,
        next_probs=next_probs,
    )


def compile_journeys(scenario: Scenario) -> tuple[Journey, ...]:
    """Each class's journey, in class order (a consistent scenario: :func:`journey_problems` found nothing)."""
    teams = scenario.teams
    out = []
    for k, cls in enumerate(scenario.customer_classes):
        if cls.journey is None:
            serving = tuple(i for i, t in enumerate(teams) if cls.name in t.serves)
            step = CompiledStep(cls.name, serving, None, cls.service_time, cls.patience, (EXIT_STEP,), (1.0,))
            out.append(Journey(k, (step,)))
        else:
            out.append(Journey(k, tuple(_compile_step(cls.journey, j, cls, teams) for j in range(len(cls.journey)))))
    return tuple(out)


def _shares(step: CompiledStep, n_teams: int) -> np.ndarray:
    """How a step's visits split over the teams: by the choice's weights; a pool evenly.

    A pool's real split depends on who is idle (its first team takes what it can); an even
    split is what a flow needs when the staffing is not yet known.
    """
    share = np.zeros(n_teams)
    weights = step.weights or (1.0 / len(step.stations),) * len(step.stations)
    for t, w in zip(step.stations, weights, strict=True):
        share[t] += w
    return share


def station_visits(scenario: Scenario) -> np.ndarray:
    """``V[k, t]``: expected visits to team ``t`` per arrival of class ``k`` (feedback counts each visit)."""
    n = len(scenario.teams)
    out = np.zeros((len(scenario.customer_classes), n))
    for journey in scenario.journeys:
        visits = journey.visits()
        for s, step in enumerate(journey.steps):
            out[journey.klass] += visits[s] * _shares(step, n)
    return out


def station_means(scenario: Scenario, of: Callable[[CompiledStep], float]) -> np.ndarray:
    """``M[k, t]``: the mean of ``of(step)`` over class ``k``'s visits to team ``t`` (0 where it never goes).

    Each step counts by its expected visits and the share of them the team takes (as in
    :func:`station_visits`); e.g. ``of=lambda s: s.service_time.mean`` is a team's mean service
    time per visit for that class, whatever the steps it serves.
    """
    n = len(scenario.teams)
    total = np.zeros((len(scenario.customer_classes), n))
    for journey in scenario.journeys:
        visits = journey.visits()
        for s, step in enumerate(journey.steps):
            total[journey.klass] += visits[s] * _shares(step, n) * of(step)
    weight = station_visits(scenario)
    return np.divide(total, weight, out=np.zeros_like(total), where=weight > 0)


def station_arrival_rates(scenario: Scenario, class_rates: np.ndarray) -> np.ndarray:
    """Arrival rate at each team (external plus routed) for arrival rates ``class_rates`` per class."""
    return np.asarray(class_rates, dtype=float) @ station_visits(scenario)


def routing_matrix(scenario: Scenario, class_rates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The journeys as an open network between teams, for arrival rates ``class_rates`` per class.

    Returns:
        ``(external, P)``: the external arrival rate at each team, and ``P[i, j]``, the share
        of team ``i``'s departures that go on to team ``j`` (the rest leave), mixed over the
        classes by their flows. The traffic equations ``lam = external + P.T @ lam`` give
        :func:`station_arrival_rates`.
    """
    n = len(scenario.teams)
    rates = np.asarray(class_rates, dtype=float)
    external, flow = np.zeros(n), np.zeros((n, n))
    for journey in scenario.journeys:
        lam = rates[journey.klass]
        visits = journey.visits()
        shares = [_shares(step, n) for step in journey.steps]
        external += lam * shares[0]
        for s, step in enumerate(journey.steps):
            for t, prob in zip(step.next_steps, step.next_probs, strict=True):
                if t != EXIT_STEP:
                    flow += lam * visits[s] * prob * np.outer(shares[s], shares[t])
    through = external + flow.sum(axis=0)  # each team's arrivals = its departures
    p = np.divide(flow, through[:, None], out=np.zeros_like(flow), where=through[:, None] > 0)
    return external, p
