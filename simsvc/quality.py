"""The service-quality model as pure functions, from expectations to loyalty.

The model is ``shared/domain/SERVICE_QUALITY.md``'s: expectations, perceptions, gaps,
satisfaction, recovery and loyalty. Every function works on NumPy arrays (or scalars) and takes its coefficients as
arguments, so the SimPy model, the optimizer and the analytic layer all judge a
customer's experience the same way. Scores are on the 1-7 SERVQUAL scale; the order of
dimensions is :data:`DIMENSIONS`; waits are in minutes.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from simsvc.scenario.quality_models import CATEGORIES, DIMENSIONS

__all__ = [
    "CATEGORIES",
    "DELIGHTED",
    "DIMENSIONS",
    "DISSATISFIED",
    "LOYALTY_OUTCOMES",
    "SATISFIED",
    "UNRESOLVED",
    "adapted_expectations",
    "adequate_wait_after_promise",
    "category",
    "demand_multiplier",
    "draw_expectations",
    "perceived_responsiveness",
    "recovered_gap",
    "recovery_probability",
    "return_share",
    "satisfaction_score",
    "weighted_gap",
]

DELIGHTED, SATISFIED, DISSATISFIED, UNRESOLVED = 0, 1, 2, 3
LOYALTY_OUTCOMES = ("delighted", "satisfied", "dissatisfied", "unresolved")
"""Categories after complaint handling: an unrecovered complaint is ``unresolved``."""
RESPONSIVENESS = DIMENSIONS.index("responsiveness")


def draw_expectations(
    rng: np.random.Generator,
    n: int,
    mean: ArrayLike,
    sd: float,
    promise_level: float = 0.0,
    promise_effect: float = 1.0,
) -> np.ndarray:
    """Expectations of ``n`` new customers, shape ``(n, 5)``, clipped to [1, 7].

    A promise level ``p`` raises every expectation by ``promise_effect * p`` points
    (over-promising raises the bar the service is judged against).
    """
    base = np.asarray(mean, dtype=float) + promise_effect * promise_level
    expected = rng.standard_normal((n, len(DIMENSIONS)))
    expected *= sd  # in place: this runs for every customer
    expected += base
    return np.clip(expected, 1.0, 7.0, out=expected)


def adequate_wait_after_promise(adequate_wait: float, promise_level: float, promise_wait_effect: float) -> float:
    """The adequate wait shrinks when the firm promises fast service."""
    return adequate_wait * (1.0 - promise_wait_effect * promise_level)


def perceived_responsiveness(
    wait: ArrayLike, desired: ArrayLike, adequate: ArrayLike, curve: str = "linear"
) -> np.ndarray:
    """Responsiveness score from the wait: 7 up to ``desired``, 1 from ``2 * adequate``.

    ``linear`` falls in a straight line between the two; ``logistic`` follows an S-curve
    centred between them (tolerant at first, then quickly unforgiving). A zone of
    tolerance shrunk to nothing (e.g. by a bold promise) leaves 7 or 1. ``desired`` and
    ``adequate`` may be arrays (one per wait).
    """
    w = np.asarray(wait, dtype=float)
    d = np.asarray(desired, dtype=float)
    worst = 2.0 * np.asarray(adequate, dtype=float)
    span = np.where(worst > d, worst - d, 1.0)  # any positive value where the zone is empty
    with np.errstate(over="ignore"):
        if curve == "logistic":
            score = 1.0 + 6.0 / (1.0 + np.exp((w - (d + worst) / 2.0) / (span / 8.0)))
        else:
            score = 7.0 - 6.0 * (w - d) / span
    return np.where(w <= d, 7.0, np.where(w >= worst, 1.0, score))


def weighted_gap(perceived: ArrayLike, expected: ArrayLike, weights: ArrayLike) -> np.ndarray:
    """``Q = sum_d w_d (P_d - E_d)``: positive when expectations were exceeded."""
    return (np.asarray(perceived) - np.asarray(expected)) @ np.asarray(weights, dtype=float)


def satisfaction_score(gap: ArrayLike, slope: float) -> np.ndarray:
    """Satisfaction in (0, 1), a logistic function of the weighted gap (0.5 at gap 0)."""
    return 1.0 / (1.0 + np.exp(-slope * np.asarray(gap, dtype=float)))


def category(gap: ArrayLike, delighted_above: float, dissatisfied_below: float) -> np.ndarray:
    """0 delighted (gap >= delighted_above), 2 dissatisfied (gap < dissatisfied_below), else 1."""
    g = np.asarray(gap, dtype=float)
    return np.where(g >= delighted_above, DELIGHTED, np.where(g < dissatisfied_below, DISSATISFIED, SATISFIED))


def recovery_probability(resolution_minutes: ArrayLike, success: ArrayLike, decay_minutes: float) -> np.ndarray:
    """Chance a complaint is recovered: the handler's success rate, decaying with delay."""
    return success * np.exp(-np.asarray(resolution_minutes, dtype=float) / decay_minutes)


def recovered_gap(gap: ArrayLike, paradox: float) -> np.ndarray:
    """Gap after a successful recovery: expectations met again (at least 0), plus the paradox.

    The recovery paradox: a well-handled failure can leave a customer happier than before.
    """
    return np.maximum(np.asarray(gap, dtype=float), 0.0) + paradox


def adapted_expectations(expected: ArrayLike, perceived: ArrayLike, adaptation: float) -> np.ndarray:
    """A returning customer's expectations move toward what it last perceived."""
    return (1.0 - adaptation) * np.asarray(expected) + adaptation * np.asarray(perceived)


def demand_multiplier(
    previous: float, outcome_counts: ArrayLike, word_of_mouth: ArrayLike, reference: ArrayLike | None = None
) -> float:
    """Tomorrow's new-customer demand factor from today's outcomes (word of mouth).

    Args:
        previous: today's factor.
        outcome_counts: customers per :data:`LOYALTY_OUTCOMES` today.
        word_of_mouth: change of demand per unit share of customers with each outcome.
        reference: the outcome shares at which the declared demand holds; word of mouth
            acts on the difference from them (None: from zero shares).
    """
    counts = np.asarray(outcome_counts, dtype=float)
    total = counts.sum()
    if total == 0:
        return previous
    shares = counts / total
    if reference is not None:
        shares = shares - np.asarray(reference, dtype=float)
    return max(0.0, previous * (1.0 + float(shares @ np.asarray(word_of_mouth))))


def return_share(outcome_shares: ArrayLike, return_probability: ArrayLike) -> float:
    """Share of arrivals who are returning customers when outcomes have these shares.

    In a steady state, each visit's customer comes back with its outcome's probability,
    so of all arrivals the share ``sum(share * p_return)`` are returns of earlier visits.
    """
    return float(np.asarray(outcome_shares, dtype=float) @ np.asarray(return_probability, dtype=float))
