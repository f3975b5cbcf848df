"""Pre-drawn experience of each customer, turned into what the engine needs per team.

Everything about a customer's experience that does not depend on its wait is drawn in
NumPy when the customer is created (expectations, service-to-service variability,
failure, voice, recovery and return draws), from the class's own streams, so two
staffing plans judge the same customers (common random numbers). The engine then only
adds the responsiveness term, which depends on the wait:
``Q = base[team] + w_responsiveness * P_responsiveness(wait)``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from simsvc import quality
from simsvc.scenario.models import CustomerClass, Scenario

__all__ = ["CustomerDraws", "Experience", "draw_customers", "experience", "of_team"]

_R = quality.DIMENSIONS.index("reliability")
_S = quality.DIMENSIONS.index("responsiveness")
_A = quality.DIMENSIONS.index("assurance")
_E = quality.DIMENSIONS.index("empathy")
_T = quality.DIMENSIONS.index("tangibles")
GAP_DIMENSIONS = ("reliability", "assurance", "empathy", "tangibles")
"""Dimensions whose gap is known before service starts (responsiveness needs the wait)."""


@dataclass(frozen=True)
class CustomerDraws:
    """Random draws for ``n`` customers of one class (arrays of length ``n``)."""

    expected: np.ndarray  # (n, 5)
    noise: np.ndarray  # (n, 4): reliability, assurance, empathy, tangibles
    u_fail: np.ndarray
    u_rework: np.ndarray
    u_voice: np.ndarray
    u_recover: np.ndarray
    u_return: np.ndarray
    u_return_time: np.ndarray
    return_days: np.ndarray
    complaint_need: np.ndarray

    @staticmethod
    def concatenate(parts: list[CustomerDraws], order: np.ndarray | None = None) -> CustomerDraws:
        """Join draws, reordered like the merged batch (``order`` None: already in order).

        Skipping the identity reordering matters: a fancy-indexed copy of every field costs
        more than drawing the numbers.
        """
        if len(parts) == 1 and order is None:
            return parts[0]  # the arrays are never written to
        joined = {f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(CustomerDraws)}
        return CustomerDraws(**(joined if order is None else {name: a[order] for name, a in joined.items()}))

    def head(self, n: int) -> CustomerDraws:
        """The draws of the first ``n`` customers."""
        return CustomerDraws(**{f.name: getattr(self, f.name)[:n] for f in fields(CustomerDraws)})


def draw_customers(
    scenario: Scenario,
    cls: CustomerClass,
    rng: np.random.Generator,
    n: int,
    expected: np.ndarray | None = None,
    loyalty_rng: np.random.Generator | None = None,
) -> CustomerDraws:
    """Draw the experience of ``n`` customers; ``expected`` is given for returning ones.

    The return draws come from ``loyalty_rng`` (default ``rng``) and only when the scenario
    declares loyalty (else NaN): a scenario with and one without loyalty then judge the
    same customers with the same numbers.
    """
    q = scenario.quality
    if expected is None:
        e = cls.expectations
        expected = quality.draw_expectations(rng, n, e.mean.as_tuple(), e.sd, q.promise_level, q.promise_effect)
    noise = rng.standard_normal((n, 4))
    noise *= q.perception_noise
    u_fail, u_rework, u_voice, u_recover = rng.random(n), rng.random(n), rng.random(n), rng.random(n)
    complaint_need = scenario.complaints.handling_time.sample(rng, n)
    loyalty = scenario.loyalty
    if loyalty is None:
        u_return = u_return_time = return_days = np.full(n, np.nan)
    else:
        lr = rng if loyalty_rng is None else loyalty_rng
        u_return, u_return_time = lr.random(n), lr.random(n)
        return_days = loyalty.return_after_days.sample(lr, n)
    return CustomerDraws(
        expected=expected,
        noise=noise,
        u_fail=u_fail,
        u_rework=u_rework,
        u_voice=u_voice,
        u_recover=u_recover,
        u_return=u_return,
        u_return_time=u_return_time,
        return_days=return_days,
        complaint_need=complaint_need,
    )


@dataclass(frozen=True)
class Experience:
    """Per-customer engine inputs, for each front-line team (``(n, teams)`` arrays)."""

    need: np.ndarray  # service need incl. rework after a failure, at speed 1
    base: np.ndarray  # weighted gap without the responsiveness perception
    gaps: np.ndarray  # (n, teams, 4): GAP_DIMENSIONS
    abandon_gap: np.ndarray  # (n,) weighted gap of a customer who leaves unserved
    expected_responsiveness: np.ndarray  # (n,)


def experience(scenario: Scenario, klass: np.ndarray, need: np.ndarray, draws: CustomerDraws) -> Experience:
    """Turn a merged batch's draws into per-team engine inputs."""
    q = scenario.quality
    table = np.array([c.expectations.weights.as_tuple() for c in scenario.customer_classes])
    weights = table[klass] if len(table) > 1 else table  # one class: one row, broadcast
    e = draws.expected
    n, teams = len(need), len(scenario.teams)
    needs = np.empty((n, teams))
    base = np.empty((n, teams))
    gaps = np.empty((n, teams, 4))
    # Shared by the teams (this runs for every customer: no copies per team).
    expected_other, weights_other = e[:, [_R, _A, _E, _T]], weights[:, [_R, _A, _E, _T]]
    responsiveness_term = weights[:, _S] * e[:, _S]
    for t, team in enumerate(scenario.teams):
        level = scenario.training(team.training_level)
        failed = draws.u_fail < level.failure_prob
        rework = failed & (draws.u_rework < q.rework_probability)
        needs[:, t] = need * np.where(rework, 2.0, 1.0)
        site = q.tangibles if team.tangibles is None else team.tangibles
        perceived = draws.noise + np.array([q.reliable_score, level.assurance, level.empathy, site])
        perceived[failed, 0] = draws.noise[failed, 0] + q.failure_score
        np.clip(perceived, 1.0, 7.0, out=perceived)
        g = gaps[:, t]
        np.subtract(perceived, expected_other, out=g)
        gw = g * weights_other
        # The weighted sum over the four dimensions, in order (what .sum(axis=1) does,
        # ten times faster on a short axis).
        base[:, t] = ((gw[:, 0] + gw[:, 1]) + gw[:, 2]) + gw[:, 3] - responsiveness_term
    site_tangibles = np.clip(q.tangibles + draws.noise[:, 3], 1.0, 7.0)
    abandon_gap = weights[:, _S] * (1.0 - e[:, _S]) + weights[:, _T] * (site_tangibles - e[:, _T])
    return Experience(needs, base, gaps, abandon_gap, e[:, _S].copy())


def of_team(values: np.ndarray, team: np.ndarray) -> np.ndarray:
    """Each customer's entry of a per-team array, for the team that served it; a new array.

    ``values`` is ``(n, teams, ...)``; ``team`` -1 (not served) takes the first team's.
    """
    if values.shape[1] == 1:
        return values[:, 0].copy()
    return values[np.arange(len(team)), np.where(team >= 0, team, 0)]
