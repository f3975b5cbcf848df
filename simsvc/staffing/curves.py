"""Performance curves: predicted KPIs of one team in one interval as a function of its staff.

Each interval of each day is an Erlang A queue (Erlang C without patience) with the
interval's arrival rate, the training level's service rate (speed, and the second service
after a failure that needs rework) and the classes' patience; the share of customers left
dissatisfied comes from the same quality functions the simulation uses
(:mod:`simsvc.staffing.perception`). A team's arrivals are each class's visits to it (the
traffic equations of the journeys, :func:`~simsvc.scenario.journeys.station_visits`; a class
served by several teams without a journey is split evenly between them), with the mean
service and patience of the steps it serves. Targets hold per step: each station's wait is
judged as if it were the whole journey's, which is optimistic for a journey of several steps
(its total wait is longer, and it abandons if any step does); the simulation of the whole
journey checks the plan and the correction rounds add staff where it falls short. Staff are
rostered staff: shrinkage takes its share off the floor first (:mod:`simsvc.sim.shrinkage`,
the simulation's rule). A chat agent holding up to ``c`` contacts counts as ``c`` servers, each at
the rate of a full agent's contact (:func:`concurrency_servers`). Stationary, interval by interval: the
simulate-and-correct loop checks what this misses (queues carried over between intervals, priorities, word of mouth).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from simsvc.queueing import wait_profile
from simsvc.scenario.journeys import station_means, station_visits
from simsvc.scenario.models import Scenario, Team, contact_rate
from simsvc.sim.capacity import arrivals_per_minute
from simsvc.sim.shrinkage import on_floor, paid_for, shrinkage_per_interval
from simsvc.staffing.perception import WaitJudgement, wait_judgements

__all__ = ["Prediction", "TeamDemand", "class_rates", "concurrency_servers", "demand_of", "team_demand"]


@dataclass(frozen=True)
class Prediction:
    """Predicted KPIs of a team in an interval with ``staff`` on duty."""

    staff: int  # rostered (those on the floor: TeamDemand.serving)
    service_level: float
    abandonment: float
    satisfied: float  # 1 - P(dissatisfied); NaN without the quality model


@dataclass(frozen=True)
class TeamDemand:
    """One team's demand per cell (day × interval) and how its customers judge waits, at one level."""

    team: str
    level: int
    rate: np.ndarray  # arrivals per minute, per cell
    share: np.ndarray  # (cells, classes): share of the cell's arrivals per class
    mean_service: float  # minutes per customer at this level (speed, rework)
    patience_rate: np.ndarray  # per cell: arrival-weighted 1 / mean patience (0: never abandons)
    within: np.ndarray  # service-level target wait per class, minutes
    judgements: list[WaitJudgement | None]  # per class (None: not served, or no quality model)
    shrinkage: np.ndarray | None = None  # per cell: share of rostered staff not on the floor (None: none)
    slots: int = 1  # servers per agent on the floor (chat concurrency: concurrency_servers)

    def serving(self, cell: int, staff: int) -> int:
        """Of ``staff`` rostered in ``cell``, those on the floor (:func:`~simsvc.sim.shrinkage.on_floor`)."""
        return staff if self.shrinkage is None else on_floor(staff, float(self.shrinkage[cell]))

    def on_floor(self, on_duty: np.ndarray) -> np.ndarray:
        """Per cell, those on the floor of a plan's staff on duty (whole people: the float's floor)."""
        return np.array([self.serving(c, int(np.floor(n + 1e-9))) for c, n in enumerate(on_duty)], dtype=np.int64)

    def rostered(self, cell: int, serving: int) -> int:
        """The least staff to roster in ``cell`` for ``serving`` on the floor."""
        return serving if self.shrinkage is None else paid_for(serving, float(self.shrinkage[cell]))

    def predict(self, cell: int, staff: int) -> Prediction:
        """The KPIs of ``cell`` with ``staff`` rostered (after shrinkage; none on the floor: nobody served)."""
        lam = float(self.rate[cell])
        if lam <= 0.0:
            return Prediction(staff, 1.0, 0.0, 1.0 if any(self.judgements) else math.nan)
        rostered, staff = staff, self.serving(cell, staff)
        if staff <= 0:
            return Prediction(rostered, 0.0, 1.0, 0.0)
        mu, theta = 1.0 / self.mean_service, float(self.patience_rate[cell])
        staff *= self.slots
        shares = self.share[cell]
        served = [k for k in range(len(shares)) if shares[k] > 0]
        grids = [self.judgements[k].waits for k in served if self.judgements[k] is not None]
        points = np.concatenate([self.within[served], *grids])
        within, p_ab = wait_profile(lam, mu, theta, staff, points)
        if theta == 0.0 and lam / mu >= staff:  # overloaded without patience: the excess is never served
            p_ab = 1.0 - staff * mu / lam
        sl = float(shares[served] @ within[: len(served)])
        satisfied = math.nan
        if grids:
            dissatisfied, at = 0.0, len(served)
            for k in served:
                judgement = self.judgements[k]
                assert judgement is not None
                size = len(judgement.waits)
                dissatisfied += shares[k] * judgement.expected(within[at : at + size], p_ab)
                at += size
            satisfied = float(1.0 - dissatisfied)
        return Prediction(rostered, sl, p_ab, satisfied)

    def offered_load(self, cell: int) -> float:
        """Erlangs offered in ``cell``, in agents' worth (an agent holding several contacts is worth ``slots``)."""
        return float(self.rate[cell]) * self.mean_service / self.slots


def class_rates(scenario: Scenario) -> np.ndarray:
    """Arrivals per minute in each cell of the horizon (rows) and class (columns), as demand sees them.

    With the quality model on, the promise's effect on demand is in.
    """
    h = scenario.horizon
    rates = arrivals_per_minute(scenario).reshape(h.days * h.n_intervals, len(scenario.customer_classes))
    return rates * scenario.quality.promise_demand_multiplier if scenario.quality.enabled else rates


def team_demand(scenario: Scenario, team: Team, level: int, seed: int) -> TeamDemand:
    """The demand ``team`` faces at training ``level`` in every cell of the horizon."""
    # Each class's visits to this team per arrival (the traffic equations of its journey; a class
    # without a journey splits evenly over the teams that serve it), and its steps' mean there.
    t = [x.name for x in scenario.teams].index(team.name)
    visits = station_visits(scenario)[:, t]
    need = station_means(scenario, lambda s: s.service_time.mean)[:, t]
    theta = station_means(scenario, lambda s: 0.0 if s.patience is None else 1.0 / s.patience.mean)[:, t]
    judgements = wait_judgements(scenario, team, level, seed) if scenario.quality.enabled else None
    return demand_of(scenario, team, level, visits, need, theta, judgements)


def demand_of(
    scenario: Scenario,
    team: Team,
    level: int,
    visits: np.ndarray,
    need: np.ndarray,
    theta: np.ndarray,
    judgements: list[WaitJudgement | None] | None,
    shrinkage: bool = True,
) -> TeamDemand:
    """The demand of class visits ``visits`` (per arrival, per class) served by ``team``'s agents at ``level``.

    ``need`` and ``theta`` are the visits' mean service time (speed 1) and 1 / mean patience per
    class; ``judgements`` how each class judges waits (None: no quality model). ``team`` gives the
    speed's level, concurrency and (unless ``shrinkage`` is False) shrinkage. A team's own demand
    (:func:`team_demand`) and a pool of teams' (:mod:`simsvc.staffing.pooling`) both come from here.
    """
    h = scenario.horizon
    classes = scenario.customer_classes
    rates = class_rates(scenario)
    q = scenario.quality
    per_class = rates * visits
    rate = per_class.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(rate[:, None] > 0, per_class / rate[:, None], 0.0)
    spec = scenario.training(level)
    mean_need = np.where(visits > 0, need, [c.service_time.mean for c in classes])
    # A failed service is done again with rework_probability: as the engine does, for classes
    # without a journey (a journey's steps have their own service times, without rework).
    rework = 1.0 + (spec.failure_prob * q.rework_probability if q.enabled else 0.0)
    mean_need = mean_need * np.where([j.one_step for j in scenario.journeys], rework, 1.0)
    weights = per_class.sum(axis=0)
    mean_service = float(weights @ mean_need / weights.sum()) if weights.sum() > 0 else float(mean_need.mean())
    slots, slot_speed = concurrency_servers(team)
    return TeamDemand(
        team=team.name,
        level=level,
        rate=rate,
        share=share,
        mean_service=mean_service / (spec.speed * slot_speed),
        patience_rate=share @ theta,
        within=np.array([scenario.target_wait(c) for c in classes]),
        judgements=judgements or [None] * len(classes),
        shrinkage=None
        if not (shrinkage and team.shrinkage)
        else np.tile(shrinkage_per_interval(team.shrinkage, h.n_intervals), h.days),
        slots=slots,
    )


def concurrency_servers(team: Team) -> tuple[int, float]:
    """How the curves see an agent of ``team``: ``(servers, speed of each)``.

    An agent holding up to ``c`` contacts is ``c`` servers, each at the rate of a full agent's
    contact (:func:`~simsvc.scenario.models.contact_rate`). Exact for a slowdown of 0 (``c``
    independent servers); otherwise conservative: an agent with fewer contacts works each faster.
    Without concurrency, one server at speed 1.
    """
    if not team.concurrent:
        return 1, 1.0
    if team.slots == math.inf:
        raise ValueError(
            f"team {team.name!r}: the optimizer plans agents with a whole number of contacts at once "
            "(concurrency 'unlimited' has no Erlang curve); give a number"
        )
    c = int(team.slots)
    return c, contact_rate(c, team.concurrency_slowdown)
