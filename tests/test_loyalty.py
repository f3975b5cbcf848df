"""Loyalty is opt-in, and with it the declared demand is the total at the reference outcome mix.

The expectations are exact: with every customer judged alike (no noise, no waiting), the
expected arrivals of each day follow a recursion over the return delay that the tests
compute by hand, and the simulation must agree within a 99 % confidence interval over
seeded replications (:mod:`tests.confidence`).
"""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np
import pytest
from scipy import stats

import simsvc
from simsvc import distributions as dist
from simsvc import queueing
from tests.confidence import assert_exact_in_ci

RATE, HOURS = 30.0, 8  # arrivals per hour, opening hours: 240 declared arrivals a day
PER_DAY = RATE * HOURS


def alike(days: int, loyalty: dict[str, Any] | None) -> dict[str, Any]:
    """Every customer perceives the same service: no noise, no failures, no waiting.

    With the default expectations the weighted gap is 0.25 x (7 - 5.5) = 0.375 for
    everyone: all customers are *satisfied*, nobody complains.
    """
    spec: dict[str, Any] = {
        "name": "alike",
        "horizon": {"days": days, "open": "09:00", "close": "17:00", "interval_minutes": 60},
        "customer_classes": [
            {
                "name": "c",
                "arrivals": {"per_hour": RATE},
                "service_time": {"dist": "deterministic", "value": 5},
                "expectations": {"sd": 0.0},
            }
        ],
        "teams": [{"name": "t", "serves": ["c"], "staff": 30}],
        "training_levels": [{"level": 0, "failure_prob": 0.0}],
        "quality": {"perception_noise": 0.0},
        "simulation": {"replications": 40, "seed": 5, "keep_records": False},
    }
    if loyalty is not None:
        spec["loyalty"] = loyalty
    return spec


def day_arrivals(res: simsvc.SimResult, day: int) -> np.ndarray:
    k = res.kpis
    rows = k[(k["group"] == "day") & (k["key"] == str(day)) & (k["kpi"] == "arrivals")]
    return rows.sort_values("replication")["value"].to_numpy(dtype=float)


def overall(res: simsvc.SimResult, kpi: str) -> np.ndarray:
    k = res.kpis
    rows = k[(k["group"] == "overall") & (k["kpi"] == kpi)]
    return rows.sort_values("replication")["value"].to_numpy(dtype=float)


def expected_by_day(days: int, reference_return: float, p_return: float, delay: int, growth: float = 1.0):
    """Expected arrivals per day: new, returns of visits before the horizon, returns of visits in it.

    New customers: ``(1 - R)`` of the declared, times word of mouth's ``growth ** day``;
    earlier visits' returns: ``R`` of the declared while their delay has not passed; every
    visit of day ``d - delay`` comes back with ``p_return``.
    """
    out: list[float] = []
    for d in range(days):
        value = PER_DAY * (1 - reference_return) * growth**d + (PER_DAY * reference_return if d < delay else 0.0)
        if d >= delay:
            value += p_return * out[d - delay]
        out.append(value)
    return out


RETURNS = {"delighted": 0.6, "satisfied": 0.3, "dissatisfied": 0.1, "unresolved": 0.02}
NO_WORD_OF_MOUTH = {"delighted": 0.0, "satisfied": 0.0, "dissatisfied": 0.0, "unresolved": 0.0}


def test_at_the_reference_mix_every_day_gets_the_declared_demand() -> None:
    loyalty = {
        "return_probability": RETURNS,
        "return_after_days": {"dist": "deterministic", "value": 2},
        "reference": {"delighted": 0.0, "satisfied": 1.0, "dissatisfied": 0.0, "unresolved": 0.0},
    }
    res = simsvc.simulate(simsvc.load_scenario(alike(8, loyalty)))
    assert (overall(res, "satisfaction") > 0).all()
    assert overall(res, "complaint_rate").max() == 0.0
    for day in range(1, 9):
        assert_exact_in_ci(f"arrivals on day {day}", day_arrivals(res, day), PER_DAY, max_rel_half=0.05)
    # A share R = 0.3 of them are returning customers: before the horizon, then its own.
    assert_exact_in_ci("returning share", overall(res, "returning_share"), 0.3, max_rel_half=0.05)
    assert_exact_in_ci("demand change", overall(res, "demand_change"), 0.0, max_rel_half=0.02, scale=1.0)


def test_a_mix_better_than_the_reference_raises_demand_as_the_recursion_says() -> None:
    # Reference: half satisfied (return 0.3), half dissatisfied (0.1): R = 0.2. Everyone
    # is in fact satisfied, so 0.3 of each day's customers come back two days later.
    loyalty = {
        "return_probability": RETURNS,
        "return_after_days": {"dist": "deterministic", "value": 2},
        "word_of_mouth": NO_WORD_OF_MOUTH,
        "reference": {"delighted": 0.0, "satisfied": 0.5, "dissatisfied": 0.5, "unresolved": 0.0},
    }
    res = simsvc.simulate(simsvc.load_scenario(alike(8, loyalty)))
    exact = expected_by_day(8, 0.2, 0.3, 2)
    assert exact[2] == pytest.approx(1.1 * PER_DAY) and exact[4] == pytest.approx(1.13 * PER_DAY)
    for day in range(1, 9):
        assert_exact_in_ci(f"arrivals on day {day}", day_arrivals(res, day), exact[day - 1], max_rel_half=0.05)


def test_word_of_mouth_acts_on_the_difference_from_the_reference() -> None:
    # Nobody returns (R = 0); the satisfied share is 1 against a reference of 0.5, so new
    # demand grows by 0.1 x (1 - 0.5) = 5 % a day, compounded.
    loyalty = {
        "return_probability": dict.fromkeys(RETURNS, 0.0),
        "word_of_mouth": {**NO_WORD_OF_MOUTH, "satisfied": 0.1},
        "reference": {"delighted": 0.0, "satisfied": 0.5, "dissatisfied": 0.5, "unresolved": 0.0},
    }
    res = simsvc.simulate(simsvc.load_scenario(alike(6, loyalty)))
    for day in range(1, 7):
        exact = PER_DAY * 1.05 ** (day - 1)
        assert_exact_in_ci(f"arrivals on day {day}", day_arrivals(res, day), exact, max_rel_half=0.05)


def test_without_a_loyalty_block_the_quality_layer_leaves_the_queue_as_declared() -> None:
    """The issue's case: 8 days of M/M/10 at load 0.95, quality defaults on, no loyalty block."""
    spec = {
        "name": "M/M/10",
        "horizon": {"days": 8, "open": "00:00", "close": "24:00", "interval_minutes": 60},
        "customer_classes": [
            {"name": "c", "arrivals": {"per_hour": 570}, "service_time": {"dist": "exponential", "mean": 1}}
        ],
        "teams": [{"name": "t", "serves": ["c"], "staff": 10}],
        "simulation": {"replications": 12, "seed": 3, "keep_records": False},
    }
    with_quality = simsvc.simulate(simsvc.load_scenario(spec))
    plain = simsvc.load_scenario({**spec, "quality": {"enabled": False}})
    without = simsvc.simulate(plain, replications=3)
    # The same customers, served at the same moments: every queue KPI is identical.
    for kpi in ("arrivals", "served", "mean_wait", "p95_wait", "service_level", "utilization", "max_queue"):
        np.testing.assert_array_equal(overall(with_quality, kpi)[:3], overall(without, kpi), err_msg=kpi)
    days = 8 * 24 * 570
    assert_exact_in_ci("arrivals", overall(with_quality, "arrivals"), days, max_rel_half=0.01)
    exact = queueing.mmc_metrics(9.5, 1.0, 10, 0.0)["mean_wait"]
    assert exact == pytest.approx(1.65, abs=0.01)
    # At load 0.95 one replication's mean wait is noisy (relative SE ~ 40 / sqrt(N), 12 %
    # at 110,000 customers): the 99 % interval over 12 replications is about 20 % wide,
    # enough to tell 1.65 from the 4.7 minutes that default loyalty used to produce.
    assert_exact_in_ci("mean wait", overall(with_quality, "mean_wait"), exact, max_rel_half=0.25)
    for kpi in ("retention", "lost_customers", "returning_share"):
        assert np.isnan(overall(with_quality, kpi)).all(), f"{kpi} is not applicable without loyalty"


def test_records_say_returns_are_not_modelled_without_loyalty() -> None:
    spec = alike(1, None)
    spec["simulation"] = {"replications": 2, "seed": 1}
    res = simsvc.simulate(simsvc.load_scenario(spec))
    assert res.customers["returns"].isna().all()
    assert not res.customers["returning"].any()
    loyal = alike(1, {})
    loyal["simulation"] = {"replications": 2, "seed": 1}
    res = simsvc.simulate(simsvc.load_scenario(loyal))
    assert res.customers["returns"].notna().all()
    # One day: the same arrival instants as without loyalty; some are earlier visits' returns.
    assert 0 < res.customers["returning"].mean() < 1


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        ({"costs": {"lost_customer_value": 50}}, "costs.lost_customer_value", "needs a loyalty block"),
        ({"loyalty": {}, "quality": {"enabled": False}}, "loyalty", "needs the quality model"),
        (
            {"loyalty": {"reference": {"delighted": 0.5, "satisfied": 0.5, "dissatisfied": 0.5, "unresolved": 0}}},
            "loyalty.reference",
            "sum to 1",
        ),
    ],
)
def test_loyalty_mistakes_are_refused_with_the_field(change, path, message) -> None:
    spec = alike(2, None)
    spec.update(copy.deepcopy(change))
    with pytest.raises(simsvc.ScenarioError) as err:
        simsvc.load_scenario(spec)
    assert path in str(err.value) and message in str(err.value)


def test_a_trace_over_several_days_cannot_be_moved_by_loyalty() -> None:
    spec = alike(2, {})
    spec["customer_classes"][0]["arrivals"] = {"trace": [1.0, 2.0, 3.0]}
    with pytest.raises(simsvc.ScenarioError, match=r"customer_classes\[0\]\.arrivals\.trace: loyalty over several"):
        simsvc.load_scenario(spec)


SPECS = [
    (dist.Exponential(dist="exponential", mean=7.0), stats.expon(scale=7.0)),
    (dist.Uniform(dist="uniform", low=1.0, high=4.0), stats.uniform(1.0, 3.0)),
    (dist.Triangular(dist="triangular", low=1.0, mode=2.0, high=6.0), stats.triang(0.2, loc=1.0, scale=5.0)),
    (
        dist.Lognormal(dist="lognormal", mean=5.0, cv=0.8),
        stats.lognorm(math.sqrt(math.log1p(0.64)), scale=5.0 / math.sqrt(1.64)),
    ),
    (dist.Gamma(dist="gamma", mean=6.0, cv=0.5), stats.gamma(4.0, scale=1.5)),
    (dist.Erlang(dist="erlang", mean=6.0, k=3), stats.gamma(3, scale=2.0)),
]


@pytest.mark.parametrize(("spec", "reference"), SPECS, ids=[s.__class__.__name__ for s, _ in SPECS])
def test_survival_functions_agree_with_scipy(spec, reference) -> None:
    for x in (-1.0, 0.0, 0.5, 1.0, 2.5, 4.0, 7.0, 15.0):
        assert spec.survival(x) == pytest.approx(float(reference.sf(x)), abs=1e-12), x


def test_survival_of_discrete_specs() -> None:
    fixed = dist.Deterministic(dist="deterministic", value=2.0)
    assert [fixed.survival(x) for x in (1.0, 1.999, 2.0, 3.0)] == [1.0, 1.0, 0.0, 0.0]
    observed = dist.Empirical(dist="empirical", samples=(1.0, 2.0, 2.0, 5.0))
    assert [observed.survival(x) for x in (0.0, 1.0, 2.0, 4.9, 5.0)] == [1.0, 0.75, 0.25, 0.25, 0.0]


def test_demand_change_interval_may_go_below_zero() -> None:
    from simsvc.metrics import kpi_range

    assert kpi_range("demand_change") == (-1.0, math.inf)
    assert kpi_range("returning_share") == (0.0, 1.0)
    res = simsvc.simulate(simsvc.load_scenario(alike(1, None)), replications=10)
    row = res.summary().loc["demand_change"]
    assert row["ci_low"] < 0 < row["ci_high"]  # Poisson noise around the declared demand
