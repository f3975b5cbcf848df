"""How customers of a class would judge their wait, predicted with the simulation's own quality model.

For the optimizer's performance curves: the share of customers left dissatisfied depends on
the wait only through the responsiveness they perceive, so it is tabulated once per class and
training level on a grid of waits, over a fixed sample of customers drawn exactly as the
simulation draws them (:func:`simsvc.sim.experience.draw_customers` and
:func:`~simsvc.sim.experience.experience`, which call :mod:`simsvc.quality`), and then
averaged over the Erlang A wait distribution.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel

from simsvc import quality
from simsvc.distributions import stream
from simsvc.scenario.journeys import station_visits
from simsvc.scenario.models import Scenario, Team
from simsvc.sim.experience import draw_customers, experience

__all__ = ["WaitJudgement", "wait_judgements"]

GRID_POINTS = 9
"""Waits tabulated inside the zone of tolerance (responsiveness is flat outside it)."""
SAMPLE = 4000
"""Customers per class and level in the fixed sample (standard error of a share ≤ 0.8 %)."""


@dataclass(frozen=True)
class WaitJudgement:
    """P(dissatisfied) for one class at one training level, as a function of the wait."""

    waits: np.ndarray  # grid from the desired wait to the worst wait, minutes
    dissatisfied: np.ndarray  # P(dissatisfied | served after each grid wait)
    dissatisfied_unserved: float  # P(dissatisfied | left without service)

    def expected(self, served_within: np.ndarray, p_abandon: float) -> float:
        """Expected P(dissatisfied) given P(served within each grid wait) and P(abandon)."""
        d = self.dissatisfied
        mass = np.diff(served_within)  # served with a wait in each grid segment
        served = 1.0 - p_abandon
        late = max(served - served_within[-1], 0.0)  # served after the worst wait
        value = served_within[0] * d[0] + float(mass @ ((d[:-1] + d[1:]) / 2.0)) + late * d[-1]
        return value + p_abandon * self.dissatisfied_unserved


def wait_judgements(scenario: Scenario, team: Team, level: int, seed: int) -> list[WaitJudgement | None]:
    """One judgement per customer class (None for the classes that never visit ``team``).

    The sample comes from the class's own ``quality`` stream of replication 0 of ``seed``,
    so it is fixed for a scenario and seed (reproducible predictions).
    """
    q = scenario.quality
    # A probe with this one team, not a valid scenario (other classes and teams are missing), so it
    # is copied without the scenario's validation.
    at_level = BaseModel.model_copy(scenario, update={"teams": (team.model_copy(update={"training_level": level}),)})
    out: list[WaitJudgement | None] = []
    visits = station_visits(scenario)[:, [t.name for t in scenario.teams].index(team.name)]
    for k, cls in enumerate(scenario.customer_classes):
        if not visits[k] > 0:
            out.append(None)
            continue
        draws = draw_customers(scenario, cls, stream(seed, 0, cls.name, "quality"), SAMPLE)
        x = experience(at_level, np.full(SAMPLE, k), np.ones(SAMPLE), draws)
        e = cls.expectations
        desired = e.desired_wait
        adequate = quality.adequate_wait_after_promise(e.adequate_wait, q.promise_level, q.promise_wait_effect)
        worst = max(2.0 * adequate, desired)
        waits = np.linspace(desired, worst, GRID_POINTS) if worst > desired else np.array([desired, desired])
        perceived = quality.perceived_responsiveness(waits, desired, adequate, q.responsiveness_curve)
        gaps = x.base[:, :1] + e.weights.responsiveness * perceived[None, :]
        lo = q.dissatisfied_below
        out.append(
            WaitJudgement(waits, (gaps < lo).mean(axis=0), float((x.abandon_gap < lo).mean()))
        )
    return out
