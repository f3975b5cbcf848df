"""The complaint tolerance the engine compares waits with is the exact boundary of the pure functions.

For random customers, on both responsiveness curves and with zones of tolerance from wide to
empty: at its tolerance a customer is not dissatisfied by :mod:`simsvc.quality`'s judgement,
and one ulp later it is (so ``wait > tolerance`` decides exactly as the pure functions do).
"""

from __future__ import annotations

import numpy as np
import pytest

import simsvc
from simsvc import quality
from simsvc.sim.judging import Judge

WEIGHTS = {"reliability": 0.1, "responsiveness": 0.6, "assurance": 0.1, "empathy": 0.1, "tangibles": 0.1}


def scenario(curve: str, desired: float, adequate: float, promise: float = 0.0) -> simsvc.Scenario:
    return simsvc.load_scenario({
        "name": "judging",
        "horizon": {"days": 1, "open": "09:00", "close": "10:00", "interval_minutes": 60},
        "customer_classes": [
            {"name": "a", "arrivals": {"per_hour": 1}, "service_time": {"dist": "exponential", "mean": 1},
             "expectations": {"desired_wait": desired, "adequate_wait": adequate}},
            {"name": "b", "arrivals": {"per_hour": 1}, "service_time": {"dist": "exponential", "mean": 1},
             "expectations": {"desired_wait": 0.0, "adequate_wait": 0.5, "weights": WEIGHTS}},
        ],
        "teams": [{"name": "t", "serves": ["a", "b"], "staff": 1}],
        "quality": {"responsiveness_curve": curve, "promise_level": promise, "promise_wait_effect": 0.9},
    })  # fmt: skip


def judged_dissatisfied(judge: Judge, base: np.ndarray, k: np.ndarray, wait: np.ndarray) -> np.ndarray:
    """The pure functions' verdict, written from simsvc.quality directly (not through Judge)."""
    sc = judge.scenario
    classes = sc.customer_classes
    q = sc.quality
    desired = np.array([c.expectations.desired_wait for c in classes])[k]
    adequate = np.array([
        quality.adequate_wait_after_promise(c.expectations.adequate_wait, q.promise_level, q.promise_wait_effect)
        for c in classes
    ])[k]  # fmt: skip
    weight = np.array([c.expectations.weights.responsiveness for c in classes])[k]
    perceived = quality.perceived_responsiveness(wait, desired, adequate, q.responsiveness_curve)
    gap = base + weight * perceived
    return quality.category(gap, q.delighted_above, q.dissatisfied_below) == quality.DISSATISFIED


@pytest.mark.parametrize("curve", ["linear", "logistic"])
@pytest.mark.parametrize(("desired", "adequate", "promise"), [(1.0, 6.0, 0.0), (0.3, 40.0, 0.0), (2.0, 3.0, 1.0)])
def test_tolerance_is_the_exact_boundary(curve: str, desired: float, adequate: float, promise: float) -> None:
    judge = Judge(scenario(curve, desired, adequate, promise))
    rng = np.random.default_rng(11)
    n = 20_000
    base = rng.uniform(-5.0, 1.0, n)
    k = rng.integers(0, 2, n)
    tol = judge.tolerance(base, k, np.ones(n, dtype=bool))
    finite = np.isfinite(tol)
    assert 0.2 * n < finite.sum() < n  # most need their boundary; some are never or always dissatisfied
    at, after = tol[finite], np.nextafter(tol[finite], np.inf)
    assert not judged_dissatisfied(judge, base[finite], k[finite], at).any()
    assert judged_dissatisfied(judge, base[finite], k[finite], after).all()
    for wait in (0.0, 1e6):  # the infinite tolerances too
        verdict = judged_dissatisfied(judge, base[~finite], k[~finite], np.full((~finite).sum(), wait))
        assert (verdict == (tol[~finite] == -np.inf) | (wait > 0) & (tol[~finite] < np.inf)).all()
    assert np.isnan(judge.tolerance(base[:5], k[:5], np.zeros(5, dtype=bool))).all()  # never voices
