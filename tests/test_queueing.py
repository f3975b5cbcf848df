"""Tests for simsvc.queueing: published values, brute force, birth-death chains."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.linalg import expm
from scipy.special import gammaln, logsumexp

from simsvc.queueing import (
    erlang_a_metrics,
    erlang_b,
    erlang_c,
    mmc_metrics,
    required_servers,
    service_level_curve,
    square_root_staffing,
)

# Published example: 100 calls / 30 min, 3 min handling, 14 agents, 20 s target.
LAM, MU, AGENTS, TARGET = 100 / 30, 1 / 3, 14, 1 / 3


# ---------------------------------------------------------------- independent oracles
def brute_erlang_b(n: int, load: Fraction) -> Fraction:
    terms = [load**k / math.factorial(k) for k in range(n + 1)]
    return terms[-1] / sum(terms)


def brute_erlang_c(n: int, load: Fraction) -> Fraction:
    terms = [load**k / math.factorial(k) for k in range(n)]
    tail = load**n / math.factorial(n) * n / (n - load)
    return tail / (sum(terms) + tail)


def log_space_erlang_b(n: int, load: float) -> float:
    k = np.arange(n + 1)
    log_terms = k * math.log(load) - gammaln(k + 1)
    return float(math.exp(log_terms[-1] - logsumexp(log_terms)))


def birth_death(lam, mu, theta, n, t, queue_cap=400):
    """M/M/n+M truncated at n + queue_cap, solved as a linear system.

    Returns (P(wait), P(abandon) from the tagged customer's fate, mean wait,
    P(start service within t)), all computed without the closed forms.
    """
    size = n + queue_cap + 1
    gen = np.zeros((size, size))
    for k in range(size):
        if k + 1 < size:
            gen[k, k + 1] = lam
        if k > 0:
            gen[k, k - 1] = min(k, n) * mu + max(k - n, 0) * theta
        gen[k, k] = -gen[k].sum()
    lhs = np.vstack([gen.T, np.ones(size)])
    rhs = np.zeros(size + 1)
    rhs[-1] = 1.0
    pi = np.linalg.lstsq(lhs, rhs, rcond=None)[0]
    queue = np.maximum(np.arange(size) - n, 0)
    mean_wait = float(pi @ queue) / lam
    # Tagged arrival (PASTA) in state n + k has k customers ahead in the queue.
    # Transient states: k ahead (0..cap-1); absorbing: served, abandoned.
    cap = queue_cap
    tag = np.zeros((cap + 2, cap + 2))
    served, gone = cap, cap + 1
    for k in range(cap):
        tag[k, k - 1 if k > 0 else served] = n * mu + k * theta
        tag[k, gone] = theta
        tag[k, k] = -tag[k].sum()
    start = np.zeros(cap + 2)
    start[:cap] = pi[n : n + cap]
    p_ab = float(start @ expm(tag * 1e4)[:, gone])
    served_by_t = float(start @ expm(tag * t)[:, served])
    p_wait = float(pi[n:].sum())
    return p_wait, p_ab, mean_wait, 1.0 - p_wait + served_by_t


# ------------------------------------------------------------------ published values
def test_published_erlang_c():
    m = mmc_metrics(LAM, MU, AGENTS, TARGET)
    assert m["p_wait"] == pytest.approx(0.17413, abs=5e-6)
    assert m["service_level"] == pytest.approx(0.88835, abs=5e-6)
    assert erlang_c(AGENTS, LAM / MU) == pytest.approx(0.17413, abs=5e-6)
    assert m["occupancy"] == pytest.approx(10 / 14)
    assert m["mean_wait"] == pytest.approx(m["p_wait"] / (AGENTS * MU - LAM))
    assert m["mean_queue_length"] == pytest.approx(LAM * m["mean_wait"])
    assert m["mean_response"] == pytest.approx(m["mean_wait"] + 3.0)


def test_published_erlang_a():
    m = erlang_a_metrics(LAM, MU, 0.2, AGENTS, TARGET)
    assert m["p_abandon"] == pytest.approx(0.013984, abs=1e-6)
    assert m["service_level"] == pytest.approx(0.916792, abs=1e-6)


def test_published_erlang_a_matches_birth_death_chain():
    m = erlang_a_metrics(LAM, MU, 0.2, AGENTS, TARGET)
    p_wait, p_ab, mean_wait, sl = birth_death(LAM, MU, 0.2, AGENTS, TARGET)
    assert m["p_wait"] == pytest.approx(p_wait, abs=1e-10)
    assert m["p_abandon"] == pytest.approx(p_ab, abs=1e-10)
    assert m["mean_wait"] == pytest.approx(mean_wait, abs=1e-10)
    assert m["service_level"] == pytest.approx(sl, abs=1e-10)


# ---------------------------------------------------------------------- Erlang B / C
@pytest.mark.parametrize("load", [0.3, 1.0, 2.5, 7.0])
def test_textbook_closed_forms(load):
    assert erlang_b(1, load) == pytest.approx(load / (1 + load), rel=1e-14)
    assert erlang_b(2, load) == pytest.approx(load**2 / 2 / (1 + load + load**2 / 2), rel=1e-14)
    if load < 2:
        assert erlang_c(2, load) == pytest.approx(load**2 / (2 + load), rel=1e-14)
    if load < 1:
        assert erlang_c(1, load) == pytest.approx(load, rel=1e-14)  # M/M/1: P(wait) = rho


def test_textbook_table_values():
    assert erlang_b(10, 5.0) == pytest.approx(0.0183846, abs=5e-8)
    assert erlang_b(5, 5.0) == pytest.approx(0.284868, abs=5e-7)
    assert erlang_c(10, 5.0) == pytest.approx(0.036105, abs=5e-7)


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8, 13, 21, 34])
@pytest.mark.parametrize("load", [Fraction(1, 4), Fraction(3, 2), Fraction(9, 1), Fraction(67, 2)])
def test_erlang_b_c_against_exact_fractions(n, load):
    assert erlang_b(n, float(load)) == pytest.approx(float(brute_erlang_b(n, load)), rel=1e-12)
    expected_c = 1.0 if load >= n else float(brute_erlang_c(n, load))
    assert erlang_c(n, float(load)) == pytest.approx(expected_c, rel=1e-12)


def test_zero_load():
    assert erlang_b(3, 0.0) == 0.0
    assert erlang_c(3, 0) == 0.0
    m = erlang_a_metrics(0.0, 1.0, 0.5, 3, 0.1)
    assert m["p_wait"] == 0.0 and m["service_level"] == 1.0 and m["p_abandon"] == 0.0


def test_unstable_mmc_is_capped_not_raised():
    assert erlang_c(10, 10.0) == 1.0
    m = mmc_metrics(4.0, 0.25, 16, 1.0)  # load 16 == servers
    assert m["p_wait"] == 1.0 and m["service_level"] == 0.0 and m["occupancy"] == 1.0
    assert math.isinf(m["mean_wait"]) and math.isinf(m["mean_queue_length"])


# ---------------------------------------------------------------------------- Erlang A
def test_erlang_a_tends_to_erlang_c_as_patience_grows():
    c = mmc_metrics(LAM, MU, AGENTS, TARGET)
    a = erlang_a_metrics(LAM, MU, 1e-9, AGENTS, TARGET)
    for key in (
        "p_wait",
        "mean_wait",
        "service_level",
        "occupancy",
        "mean_queue_length",
    ):
        assert a[key] == pytest.approx(c[key], rel=1e-7), key
    assert 0.0 < a["p_abandon"] < 1e-9
    zero = erlang_a_metrics(LAM, MU, 0.0, AGENTS, TARGET)
    assert zero["p_abandon"] == 0.0 and zero["service_level"] == c["service_level"]


def test_erlang_a_tends_to_erlang_b_as_patience_vanishes():
    b = erlang_b(AGENTS, LAM / MU)
    a = erlang_a_metrics(LAM, MU, 1e7, AGENTS, TARGET)
    assert a["p_abandon"] == pytest.approx(b, rel=1e-6)
    assert a["service_level"] == pytest.approx(1 - b, rel=1e-6)


@pytest.mark.parametrize(
    ("lam", "mu", "theta", "n", "t"),
    [
        (5.0, 1.0, 0.5, 4, 0.5),  # overloaded: lam > n mu
        (2.0, 0.5, 2.0, 3, 1.0),  # impatient: theta > mu
        (20.0, 1.0, 0.05, 22, 0.1),  # patient, heavy traffic
        (0.7, 0.1, 0.3, 9, 0.0),  # t = 0: service level = 1 - P(wait)
    ],
)
def test_erlang_a_against_birth_death_chain(lam, mu, theta, n, t):
    m = erlang_a_metrics(lam, mu, theta, n, t)
    p_wait, p_ab, mean_wait, sl = birth_death(lam, mu, theta, n, t)
    assert m["p_wait"] == pytest.approx(p_wait, abs=1e-9)
    assert m["p_abandon"] == pytest.approx(p_ab, abs=1e-9)
    assert m["mean_wait"] == pytest.approx(mean_wait, rel=1e-8)
    assert m["service_level"] == pytest.approx(sl, abs=1e-9)
    # Exact for exponential patience: abandonment rate theta E[Q] = lam P(abandon).
    assert m["p_abandon"] == pytest.approx(theta * m["mean_wait"], rel=1e-12)
    assert m["occupancy"] == pytest.approx(lam * (1 - p_ab) / (n * mu), rel=1e-8)
    if t == 0:
        assert m["service_level"] == pytest.approx(1 - m["p_wait"], abs=1e-12)


# --------------------------------------------------------------------------- stability
@pytest.mark.parametrize("load", [1999.5, 1999.0, 1950.0, 1000.0])
def test_large_systems_are_finite_and_accurate(load):
    b, c = erlang_b(2000, load), erlang_c(2000, load)
    assert 0.0 <= b <= c <= 1.0 and math.isfinite(c)
    assert b == pytest.approx(log_space_erlang_b(2000, load), rel=1e-10)
    for theta in (1e-9, 0.01, 0.2, 5.0):
        m = erlang_a_metrics(load, 1.0, theta, 2000, 1 / 3)
        for key in ("p_wait", "service_level", "occupancy", "p_abandon"):
            assert 0.0 <= m[key] <= 1.0 and math.isfinite(m[key]), (theta, key)
        assert math.isfinite(m["mean_wait"])
    near_c = erlang_a_metrics(load, 1.0, 1e-9, 2000, 1 / 3)
    assert near_c["p_wait"] == pytest.approx(c, rel=1e-6)


def test_large_systems_monotone_in_servers():
    for load in (1999.5, 1950.0, 1000.0):
        bs = [erlang_b(n, load) for n in range(1000, 2101, 50)]
        cs = [erlang_c(n, load) for n in range(1000, 2101, 50)]
        assert all(x >= y for x, y in itertools.pairwise(bs))
        assert all(x >= y for x, y in itertools.pairwise(cs))
        sls = [erlang_a_metrics(load, 1.0, 0.2, n, 1 / 3)["service_level"] for n in (1990, 2000, 2010)]
        assert sls == sorted(sls)


def test_overloaded_erlang_a_is_stable():
    m = erlang_a_metrics(2100.0, 1.0, 0.2, 2000, 1 / 3)
    assert m["p_abandon"] >= 1 - 2000 / 2100  # at least the excess must leave
    assert 0.0 <= m["service_level"] <= 1.0 and m["occupancy"] <= 1.0


# ------------------------------------------------------------------------ properties
loads = st.floats(min_value=0.0, max_value=300.0, allow_nan=False)
small_n = st.integers(min_value=1, max_value=300)


@settings(max_examples=150, deadline=None)
@given(n=small_n, load=loads)
def test_erlang_b_c_bounds_and_monotonicity(n, load):
    b, c = erlang_b(n, load), erlang_c(n, load)
    assert 0.0 <= b <= 1.0 and 0.0 <= c <= 1.0
    assert c >= b * (1 - 1e-12)
    assert erlang_b(n + 1, load) <= b * (1 + 1e-12)
    assert erlang_c(n + 1, load) <= c * (1 + 1e-12)


@settings(max_examples=60, deadline=None)
@given(
    lam=st.floats(min_value=0.05, max_value=40.0),
    mu=st.floats(min_value=0.1, max_value=2.0),
    t=st.floats(min_value=0.0, max_value=2.0),
    goal=st.floats(min_value=0.0, max_value=0.99),
    theta=st.one_of(st.none(), st.floats(min_value=0.01, max_value=3.0)),
)
def test_required_servers_is_minimal(lam, mu, t, goal, theta):
    n = required_servers(lam, mu, t, goal, patience_rate=theta)

    def level(k: int) -> float:
        if theta is None:
            return mmc_metrics(lam, mu, k, t)["service_level"]
        return erlang_a_metrics(lam, mu, theta, k, t)["service_level"]

    assert level(n) >= goal
    if theta is None:
        assert n > lam / mu  # stable
    if n > 1 and (theta is not None or n - 1 > lam / mu):
        assert level(n - 1) < goal


def test_required_servers_published_and_square_root_rule():
    assert required_servers(LAM, MU, TARGET, 0.79) == 13  # SL(13) = 0.7956
    assert required_servers(LAM, MU, TARGET, 0.8) == 14  # SL(14) = 0.88835
    assert required_servers(LAM, MU, TARGET, 0.9) == 15  # SL(15) = 0.9415
    assert required_servers(LAM, MU, TARGET, 0.85, patience_rate=0.2) == 13  # 0.8582
    assert required_servers(LAM, MU, TARGET, 0.9, patience_rate=0.2) == 14  # 0.916792
    assert required_servers(0.0, 1.0, 0.1, 0.9) == 1
    assert square_root_staffing(100.0, 1.0) == 110
    assert square_root_staffing(0.0, -1.0) == 1


# -------------------------------------------------------------------------- validation
@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: erlang_b(0, 1.0), "servers"),
        (lambda: erlang_b(2.5, 1.0), "servers"),
        (lambda: erlang_b(True, 1.0), "servers"),
        (lambda: erlang_b(3, -1.0), "load"),
        (lambda: erlang_c(3, float("nan")), "load"),
        (lambda: erlang_c(3, math.inf), "load"),
        (lambda: mmc_metrics(-1.0, 1.0, 2, 0.1), "arrival_rate"),
        (lambda: mmc_metrics(1.0, 0.0, 2, 0.1), "service_rate"),
        (lambda: mmc_metrics(1.0, 1.0, -2, 0.1), "servers"),
        (lambda: mmc_metrics(1.0, 1.0, 2, -0.1), "target_wait"),
        (lambda: erlang_a_metrics(1.0, 1.0, -0.2, 2, 0.1), "patience_rate"),
        (lambda: erlang_a_metrics(1.0, 1.0, 0.2, 0, 0.1), "servers"),
        (lambda: erlang_a_metrics(1.0, "1", 0.2, 2, 0.1), "service_rate"),
        (lambda: required_servers(1.0, 1.0, 0.1, 1.0), "service_level"),
        (lambda: required_servers(1.0, 1.0, 0.1, -0.5), "service_level"),
        (
            lambda: required_servers(1.0, 1.0, 0.1, 0.8, patience_rate=-1),
            "patience_rate",
        ),
        (lambda: square_root_staffing(-1.0, 1.0), "load"),
        (lambda: square_root_staffing(4.0, math.nan), "beta"),
    ],
)
def test_invalid_arguments_raise_value_error(call, name):
    with pytest.raises(ValueError, match=rf"\b{name}\(="):
        call()


@pytest.mark.parametrize(
    ("lam", "mu", "theta", "n"),
    [(9.5, 1.0, 0.2, 10), (100 / 30, 1 / 3, 0.2, 14), (300.0, 1.0, 0.01, 310), (50.0, 0.25, 0.001, 205),
     (0.1, 1.0, 2.0, 3), (9.5, 1.0, 0.0, 10), (12.0, 1.0, 0.0, 10)],
)  # fmt: skip
def test_service_level_curve_matches_the_single_wait_formula(lam, mu, theta, n):
    waits = [0.0, 0.1, 0.5, 1.0, 2.0, 5.0, 20.0]
    curve = service_level_curve(lam, mu, theta, n, waits)
    single = [erlang_a_metrics(lam, mu, theta, n, w)["service_level"] for w in waits]
    assert curve == pytest.approx(single, rel=1e-9, abs=1e-12)
    assert (np.diff(curve) >= -1e-15).all()  # a distribution function of the wait


def test_service_level_curve_rejects_negative_waits():
    with pytest.raises(ValueError, match="waits"):
        service_level_curve(1.0, 1.0, 0.1, 2, [-1.0])
