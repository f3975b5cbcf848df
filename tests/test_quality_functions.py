"""Unit tests of the pure service-quality functions in :mod:`simsvc.quality`.

Exact values are worked out by hand next to each expectation; Hypothesis checks the
properties the domain model (``shared/domain/SERVICE_QUALITY.md`` §2) requires of them:
responsiveness falls with the wait inside the zone of tolerance, satisfaction rises with
the gap, recovery chances fall with delay, and so on. Pure NumPy: the file runs in ~2 s.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from simsvc import quality as q

DIMS = q.DIMENSIONS
WEIGHTS = (0.30, 0.25, 0.20, 0.15, 0.10)  # the default Weights, in DIMENSIONS order
FAST = settings(max_examples=100, deadline=None)

finite = st.floats(min_value=-50, max_value=50, allow_nan=False, allow_infinity=False)
waits = st.floats(min_value=0, max_value=500, allow_nan=False, allow_infinity=False)
curves = st.sampled_from(["linear", "logistic"])


@st.composite
def zones(draw) -> tuple[float, float]:
    """A valid zone of tolerance (``Expectations`` requires adequate > desired >= 0)."""
    desired = draw(st.floats(min_value=0, max_value=30, allow_nan=False))
    width = draw(st.floats(min_value=0.01, max_value=60, allow_nan=False))
    return desired, desired + width


# ----------------------------------------------------------------------- exact values
def test_dimension_and_category_order() -> None:
    assert DIMS == ("reliability", "responsiveness", "assurance", "empathy", "tangibles")
    assert q.CATEGORIES == ("delighted", "satisfied", "dissatisfied")
    assert q.LOYALTY_OUTCOMES == ("delighted", "satisfied", "dissatisfied", "unresolved")
    assert (q.DELIGHTED, q.SATISFIED, q.DISSATISFIED, q.UNRESOLVED) == (0, 1, 2, 3)


def test_draw_expectations_exact() -> None:
    mean = np.array([6.0, 5.5, 5.5, 5.0, 5.0])
    # sd 0: the mean shifted by promise_effect * promise_level, clipped at 7.
    got = q.draw_expectations(np.random.default_rng(0), 3, mean, 0.0, promise_level=1.0, promise_effect=1.0)
    assert got.shape == (3, 5)
    np.testing.assert_array_equal(got, np.tile([7.0, 6.5, 6.5, 6.0, 6.0], (3, 1)))
    got = q.draw_expectations(np.random.default_rng(0), 1, mean, 0.0, promise_level=0.5, promise_effect=3.0)
    np.testing.assert_array_equal(got, [[7.0, 7.0, 7.0, 6.5, 6.5]])  # +1.5 each, clipped
    # sd > 0: mean + sd * standard normals from the generator, in that order, clipped to [1, 7].
    z = np.random.default_rng(7).standard_normal((4, 5))
    got = q.draw_expectations(np.random.default_rng(7), 4, mean, 2.0, promise_level=0.4, promise_effect=1.0)
    np.testing.assert_allclose(got, np.clip(mean + 0.4 + 2.0 * z, 1, 7), rtol=0, atol=1e-12)
    # No promise by default.
    got = q.draw_expectations(np.random.default_rng(7), 4, mean, 2.0)
    np.testing.assert_allclose(got, np.clip(mean + 2.0 * z, 1, 7), rtol=0, atol=1e-12)


def test_adequate_wait_after_promise_exact() -> None:
    assert q.adequate_wait_after_promise(6.0, 0.0, 0.5) == 6.0
    assert q.adequate_wait_after_promise(6.0, 1.0, 0.5) == 3.0
    assert q.adequate_wait_after_promise(6.0, 0.4, 0.5) == pytest.approx(4.8, abs=1e-12)  # 6 * (1 - 0.2)


def test_perceived_responsiveness_linear_exact() -> None:
    # desired 1, adequate 6: 7 up to 1 minute, 1 from 12 minutes, a straight line between.
    w = [0.0, 1.0, 3.2, 6.5, 12.0, 20.0]
    expected = [7.0, 7.0, 7 - 6 * 2.2 / 11, 7 - 6 * 5.5 / 11, 1.0, 1.0]  # 5.8, 4.0
    np.testing.assert_allclose(q.perceived_responsiveness(w, 1.0, 6.0), expected, rtol=0, atol=1e-12)
    assert q.perceived_responsiveness(3.2, 1.0, 6.0) == pytest.approx(5.8, abs=1e-12)


def test_perceived_responsiveness_logistic_exact() -> None:
    # desired 1, worst 12: centre 6.5, scale 11 / 8 = 1.375; 1 + 6 / (1 + e^x).
    mid, scale = 6.5, 1.375
    w = [0.0, 1.0, mid, mid + scale * math.log(2.0), mid - scale * math.log(2.0), 12.0, 30.0]
    expected = [7.0, 7.0, 4.0, 3.0, 5.0, 1.0, 1.0]
    got = q.perceived_responsiveness(w, 1.0, 6.0, curve="logistic")
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)


def test_weighted_gap_exact() -> None:
    perceived = [6.0, 7.0, 5.0, 5.0, 5.0]
    expected = [7.0] * 5
    # 0.3 (-1) + 0.25 (0) + 0.2 (-2) + 0.15 (-2) + 0.1 (-2) = -1.2
    assert float(q.weighted_gap(perceived, expected, WEIGHTS)) == pytest.approx(-1.2, abs=1e-12)
    rows = np.array([perceived, expected])
    np.testing.assert_allclose(q.weighted_gap(rows, [7.0] * 5, WEIGHTS), [-1.2, 0.0], atol=1e-12)
    one_dim = np.eye(5)  # a gap of +1 on one dimension weighs that dimension's weight
    np.testing.assert_allclose(q.weighted_gap(one_dim, np.zeros(5), WEIGHTS), WEIGHTS, atol=1e-15)


def test_satisfaction_score_exact() -> None:
    assert float(q.satisfaction_score(0.0, 2.0)) == 0.5
    assert float(q.satisfaction_score(1.0, 2.0)) == pytest.approx(1 / (1 + math.exp(-2)), abs=1e-15)
    assert float(q.satisfaction_score(1.0, 2.0)) == pytest.approx(0.8807970779778823, abs=1e-15)
    assert float(q.satisfaction_score(-0.5, 4.0)) == pytest.approx(1 / (1 + math.exp(2)), abs=1e-15)


def test_category_thresholds_exact() -> None:
    gaps = [0.6, 0.6 - 1e-12, 0.0, -1e-12, -3.0, 5.0]
    expected = [q.DELIGHTED, q.SATISFIED, q.SATISFIED, q.DISSATISFIED, q.DISSATISFIED, q.DELIGHTED]
    np.testing.assert_array_equal(q.category(gaps, 0.6, 0.0), expected)
    # Delighted at or above its threshold; dissatisfied strictly below its own.
    np.testing.assert_array_equal(q.category([-0.1, -0.1 - 1e-12], 0.6, -0.1), [q.SATISFIED, q.DISSATISFIED])


def test_recovery_probability_exact() -> None:
    assert float(q.recovery_probability(0.0, 0.85, 2880.0)) == 0.85
    assert float(q.recovery_probability(2880.0, 0.85, 2880.0)) == pytest.approx(0.85 / math.e, abs=1e-15)
    np.testing.assert_allclose(
        q.recovery_probability([60.0, 1440.0], 0.6, 480.0), 0.6 * np.exp([-0.125, -3.0]), rtol=1e-15
    )


def test_recovered_gap_exact() -> None:
    np.testing.assert_allclose(q.recovered_gap([-1.5, 0.0, 0.4], 0.0), [0.0, 0.0, 0.4])
    np.testing.assert_allclose(q.recovered_gap([-1.5, 0.0, 0.4], 0.3), [0.3, 0.3, 0.7], atol=1e-15)


def test_adapted_expectations_exact() -> None:
    got = q.adapted_expectations([5.0, 7.0, 3.0], [7.0, 1.0, 3.0], 0.3)
    np.testing.assert_allclose(got, [5.6, 5.2, 3.0], atol=1e-12)  # 0.7 E + 0.3 P
    np.testing.assert_array_equal(q.adapted_expectations([5.0], [7.0], 0.0), [5.0])
    np.testing.assert_array_equal(q.adapted_expectations([5.0], [7.0], 1.0), [7.0])


def test_demand_multiplier_exact() -> None:
    wom = (0.08, 0.0, -0.08, -0.3)  # the default word of mouth
    # 10 delighted, 20 satisfied, 5 dissatisfied, 5 unresolved: (0.8 - 0.4 - 1.5) / 40 = -0.0275
    assert q.demand_multiplier(1.0, [10, 20, 5, 5], wom) == pytest.approx(0.9725, abs=1e-12)
    assert q.demand_multiplier(2.0, [10, 20, 5, 5], wom) == pytest.approx(1.945, abs=1e-12)
    assert q.demand_multiplier(1.3, [40, 0, 0, 0], wom) == pytest.approx(1.3 * 1.08, abs=1e-12)
    assert q.demand_multiplier(1.3, [0, 0, 0, 0], wom) == 1.3  # no customers: unchanged
    assert q.demand_multiplier(1.0, [0, 0, 0, 4], (0, 0, 0, -2.0)) == 0.0  # never negative


# ------------------------------------------------------------------------- properties
@FAST
@given(zone=zones(), w1=waits, w2=waits, curve=curves)
def test_responsiveness_monotone_in_wait(zone, w1, w2, curve) -> None:
    desired, adequate = zone
    lo, hi = sorted((w1, w2))
    with np.errstate(over="ignore"):  # logistic: exp overflows far beyond a narrow zone (harmless, -> 1)
        p_lo, p_hi = q.perceived_responsiveness([lo, hi], desired, adequate, curve)
    assert 1.0 <= p_hi <= p_lo <= 7.0


@FAST
@given(zone=zones(), frac=st.floats(0, 1), beyond=st.floats(0, 500), curve=curves)
def test_responsiveness_ends_of_the_zone(zone, frac, beyond, curve) -> None:
    desired, adequate = zone
    with np.errstate(over="ignore"):
        best = float(q.perceived_responsiveness(desired * frac, desired, adequate, curve))
        worst = float(q.perceived_responsiveness(2 * adequate + beyond, desired, adequate, curve))
    assert best == 7.0
    # The linear branch computes 7 - 6 (w - d) / (worst - d): at w = worst that is 1 up to rounding.
    assert worst == pytest.approx(1.0, abs=1e-12)


@FAST
@given(
    zone=zones(),
    promise=st.floats(0, 1),
    wait_effect=st.floats(0, 1),
    w1=waits,
    w2=waits,
    curve=curves,
)
# A valid scenario (Expectations: desired 1 < adequate 6; QualityModel: promise_level 1,
# promise_wait_effect 1) makes the adequate wait 0: the zone of tolerance collapses.
@example(zone=(1.0, 6.0), promise=1.0, wait_effect=1.0, w1=0.0, w2=5.0, curve="linear")
def test_responsiveness_after_promise_stays_monotone(zone, promise, wait_effect, w1, w2, curve) -> None:
    """Over every scenario the loader accepts, including a promise that shrinks the zone.

    The engine (``QualityEngine._responsiveness``) gives 7 at ``wait <= desired`` and 1
    beyond, whatever the promise; the pure function must judge the same way (the module
    promises "the SimPy model, the optimizer and the analytic layer all judge a
    customer's experience the same way").
    """
    desired, adequate = zone
    shrunk = q.adequate_wait_after_promise(adequate, promise, wait_effect)
    lo, hi = sorted((w1, w2))
    with np.errstate(divide="ignore", invalid="ignore"):
        p_lo, p_hi = q.perceived_responsiveness([lo, hi], desired, shrunk, curve)
        at_desired = float(q.perceived_responsiveness(desired, desired, shrunk, curve))
    assert at_desired == 7.0, f"wait = desired wait {desired:g} perceived {at_desired} (adequate now {shrunk:g})"
    assert 1.0 <= p_hi <= p_lo <= 7.0, f"wait {lo:g} -> {p_lo}, wait {hi:g} -> {p_hi} (adequate now {shrunk:g})"


@FAST
@given(g1=finite, g2=finite, slope=st.floats(0.05, 10))
def test_satisfaction_monotone_and_symmetric(g1, g2, slope) -> None:
    lo, hi = sorted((g1, g2))
    s_lo, s_hi = q.satisfaction_score([lo, hi], slope)
    assert 0.0 <= s_lo <= s_hi <= 1.0
    assert float(q.satisfaction_score(0.0, slope)) == 0.5
    assert float(q.satisfaction_score(-g1, slope)) == pytest.approx(
        1 - float(q.satisfaction_score(g1, slope)), abs=1e-12
    )
    if abs(slope * g1) < 30:
        assert 0.0 < float(q.satisfaction_score(g1, slope)) < 1.0


@FAST
@given(gap=finite, lo=st.floats(-3, 3), width=st.floats(0.001, 3), g2=finite)
def test_category_definition_and_order(gap, lo, width, g2) -> None:
    hi = lo + width
    got = int(q.category(gap, hi, lo))
    expected = q.DELIGHTED if gap >= hi else q.DISSATISFIED if gap < lo else q.SATISFIED
    assert got == expected
    a, b = sorted((gap, g2))  # a larger gap never gives a worse category (codes fall)
    assert int(q.category(b, hi, lo)) <= int(q.category(a, hi, lo))


@FAST
@given(t1=st.floats(0, 1e5), t2=st.floats(0, 1e5), success=st.floats(0, 1), decay=st.floats(1, 1e5))
def test_recovery_probability_decreases_with_time(t1, t2, success, decay) -> None:
    lo, hi = sorted((t1, t2))
    p_lo, p_hi = q.recovery_probability([lo, hi], success, decay)
    assert 0.0 <= p_hi <= p_lo <= success
    assert float(q.recovery_probability(0.0, success, decay)) == success


@FAST
@given(gap=finite, paradox=st.floats(0, 3))
def test_recovered_gap_nonnegative_plus_paradox(gap, paradox) -> None:
    got = float(q.recovered_gap(gap, paradox))
    assert got >= 0.0
    assert got >= paradox
    assert got >= gap
    assert got == pytest.approx(max(gap, 0.0) + paradox, abs=1e-12)
    if gap < 0:  # a recovered dissatisfied customer ends exactly at the paradox bonus
        assert got == paradox


@FAST
@given(
    previous=st.floats(0, 10),
    counts=st.lists(st.integers(0, 10_000), min_size=4, max_size=4),
    wom=st.lists(st.floats(-5, 5), min_size=4, max_size=4),
)
def test_demand_multiplier_nonnegative(previous, counts, wom) -> None:
    got = q.demand_multiplier(previous, counts, wom)
    assert got >= 0.0
    total = sum(counts)
    if total == 0:
        assert got == previous
    else:
        assert got == pytest.approx(max(0.0, previous * (1 + np.dot(counts, wom) / total)), rel=1e-9, abs=1e-12)
    if all(w >= 0 for w in wom):
        assert got >= previous - 1e-12
    if all(w <= 0 for w in wom):
        assert got <= previous + 1e-12


@FAST
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(0, 30),
    mean=st.lists(st.floats(1, 7), min_size=5, max_size=5),
    sd=st.floats(0, 3),
    promise=st.floats(0, 1),
    effect=st.floats(0, 3),
)
def test_draw_expectations_clipped_and_shifted(seed, n, mean, sd, promise, effect) -> None:
    plain = q.draw_expectations(np.random.default_rng(seed), n, mean, sd)
    promised = q.draw_expectations(np.random.default_rng(seed), n, mean, sd, promise, effect)
    assert plain.shape == promised.shape == (n, 5)
    assert ((plain >= 1) & (plain <= 7)).all() and ((promised >= 1) & (promised <= 7)).all()
    assert (promised >= plain).all()  # a promise never lowers an expectation
    shift = promise * effect
    # Same draws: where neither is clipped, the promise adds exactly promise_effect * promise_level.
    free = (plain > 1) & (plain < 7) & (promised < 7)
    np.testing.assert_allclose(promised[free] - plain[free], shift, atol=1e-9)
    raw = np.asarray(mean) + sd * np.random.default_rng(seed).standard_normal((n, 5))
    np.testing.assert_allclose(promised, np.clip(raw + shift, 1, 7), atol=1e-9)


@FAST
@given(
    e=st.lists(st.floats(1, 7), min_size=5, max_size=5),
    p=st.lists(st.floats(1, 7), min_size=5, max_size=5),
    a=st.floats(0, 1),
)
def test_adapted_expectations_between(e, p, a) -> None:
    got = q.adapted_expectations(e, p, a)
    lo, hi = np.minimum(e, p), np.maximum(e, p)
    assert ((got >= lo - 1e-12) & (got <= hi + 1e-12)).all()


@FAST
@given(
    e=st.lists(st.floats(1, 7), min_size=5, max_size=5),
    c=st.floats(-3, 3),
    raw=st.lists(st.floats(0.01, 1), min_size=5, max_size=5),
)
def test_weighted_gap_uniform_shift(e, c, raw) -> None:
    w = np.asarray(raw) / sum(raw)  # weights sum to 1: a uniform gap of c weighs c
    assert float(q.weighted_gap(np.asarray(e) + c, e, w)) == pytest.approx(c, abs=1e-9)
