"""Behaviour of the service-quality layer: the trade-offs ``SERVICE_QUALITY.md`` §3 promises.

Rules (the project's statistical style, as in ``tests/test_theory.py``):

* Every comparison is PAIRED: two scenarios that differ in one field only, simulated with
  the same FIXED seed, so replication ``r`` of both sees the same customers (common random
  numbers); the per-replication difference ``alternative - base`` gets a Student-t
  interval at the 99 % level, which must exclude 0 on the predicted side. No margin is
  hand-picked: the interval alone decides. The seed being fixed, the outcome is
  reproducible; a correct simulator fails a given check with probability about 0.5 %.
* Checks of an exact value ask a confidence interval to contain it (calibration), or an
  identity to hold to rounding error (judgement formulas, costs).
* Each test prints its measured effect (``pytest -s`` shows them).

The scenario below pins every quality coefficient the tests rely on, so that later
re-calibration of the defaults cannot silently change what is tested; only
``test_calibration_defaults`` uses the defaults, on purpose.
"""

from __future__ import annotations

import copy
import json
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import simsvc
from simsvc import quality as q
from tests.helpers import SCENARIOS

LEVEL = 0.99
SEED = 20261123
REPS = 30
WEIGHTS = {"reliability": 0.30, "responsiveness": 0.25, "assurance": 0.20, "empathy": 0.15, "tangibles": 0.10}
W = np.array([WEIGHTS[d] for d in q.DIMENSIONS])
GAP_COLUMNS = [f"gap_{d}" for d in q.DIMENSIONS]

# Level 1 is level 0 trained: fewer failures, better assurance and empathy, better
# recoveries; both work at the same speed, so training changes judgement, not waits.
LEVELS = [
    {"level": 0, "speed": 1.0, "wage_per_hour": 18, "failure_prob": 0.10, "assurance": 4.5, "empathy": 4.5,
     "recovery_success": 0.6, "training_cost_per_person": 0},
    {"level": 1, "speed": 1.0, "wage_per_hour": 22, "failure_prob": 0.03, "assurance": 5.8, "empathy": 5.5,
     "recovery_success": 0.9, "training_cost_per_person": 1000},
]  # fmt: skip
QUALITY = {
    "promise_level": 0.0, "promise_effect": 1.0, "promise_wait_effect": 0.5, "promise_demand_effect": 0.2,
    "perception_noise": 0.6, "reliable_score": 6.0, "failure_score": 2.0, "rework_probability": 0.0,
    "tangibles": 5.0, "responsiveness_curve": "linear", "satisfaction_slope": 2.0,
    "delighted_above": 0.6, "dissatisfied_below": 0.0,
}  # fmt: skip
EXPECTATIONS = {
    "mean": {"reliability": 6, "responsiveness": 5.5, "assurance": 5.5, "empathy": 5, "tangibles": 5},
    "sd": 0.7, "weights": WEIGHTS, "desired_wait": 1, "adequate_wait": 6,
}  # fmt: skip
LOYALTY = {
    "return_probability": {"delighted": 0.6, "satisfied": 0.3, "dissatisfied": 0.1, "unresolved": 0.02},
    "return_after_days": {"dist": "exponential", "mean": 7},
    "adaptation": 0.3,
    "word_of_mouth": {"delighted": 0.08, "satisfied": 0.0, "dissatisfied": -0.08, "unresolved": -0.3},
}


# ------------------------------------------------------------------------------- helpers
def base() -> dict[str, Any]:
    """One class at 30 an hour (exponential 6-minute service, patience 10), 4 trained staff."""
    return copy.deepcopy(
        {
            "name": "quality behaviour",
            "horizon": {"days": 1, "open": "09:00", "close": "17:00", "interval_minutes": 60},
            "customer_classes": [
                {
                    "name": "c",
                    "arrivals": {"per_hour": 30},
                    "service_time": {"dist": "exponential", "mean": 6},
                    "patience": {"dist": "exponential", "mean": 10},
                    "expectations": EXPECTATIONS,
                }
            ],
            "teams": [{"name": "t", "serves": ["c"], "staff": 4, "training_level": 1}],
            "training_levels": LEVELS,
            "quality": QUALITY,
            "complaints": {
                "voice_probability": 0.4,
                "handling_time": {"dist": "exponential", "mean": 20},
                "teams": [
                    {"name": "desk", "training_level": 1, "shifts": [{"start": "09:00", "end": "18:00", "staff": 1}]}
                ],
                "recovery_decay_minutes": 2880,
                "paradox": 0.0,
                "sla_minutes": 1440,
                "cost_per_complaint": 10,
            },
            "loyalty": LOYALTY,
            "costs": {"training_amortization_days": 250, "lost_customer_value": 50},
            "simulation": {"replications": REPS, "seed": SEED},
        }
    )


_RUNS: dict[str, simsvc.SimResult] = {}


def run(spec: dict[str, Any], replications: int = REPS, seed: int = SEED, records: bool = True) -> simsvc.SimResult:
    """Simulate ``spec``; a scenario run again (the base plan, in several tests) is simulated once.

    ``records`` False streams the KPIs only, for tests that read no customer table.
    """
    key = json.dumps([spec, replications, seed, records], sort_keys=True)
    if key not in _RUNS:
        scenario = simsvc.load_scenario(spec)
        _RUNS[key] = simsvc.simulate(scenario, replications=replications, seed=seed, keep_records=records)
    return _RUNS[key]


def per_replication(res: simsvc.SimResult, kpi: str, group: str = "overall", key: str = "all") -> np.ndarray:
    """One value of ``kpi`` per replication, in replication order."""
    k = res.kpis
    rows = k[(k["group"] == group) & (k["key"] == key) & (k["kpi"] == kpi)].sort_values("replication")
    assert len(rows) == res.replications
    return rows["value"].to_numpy(dtype=float)


def by_replication(res: simsvc.SimResult, frame: pd.DataFrame, values: pd.Series) -> np.ndarray:
    """Mean of ``values`` (aligned with ``frame``) per replication, every replication present."""
    out = values.groupby(frame["replication"]).mean().reindex(range(res.replications))
    assert out.notna().all()
    return out.to_numpy(dtype=float)


def t_interval(values: np.ndarray, level: float = LEVEL) -> tuple[float, float, float]:
    """Mean and Student-t interval ``(mean, low, high)`` over independent replications."""
    values = np.asarray(values, dtype=float)
    n = len(values)
    assert n >= 2 and np.isfinite(values).all()
    half = stats.t.ppf(0.5 + level / 2, n - 1) * values.std(ddof=1) / math.sqrt(n)
    mean = float(values.mean())
    return mean, mean - half, mean + half


def assert_paired(label: str, before: np.ndarray, after: np.ndarray, direction: int) -> tuple[float, float, float]:
    """The paired difference ``after - before`` is significantly positive (+1) or negative (-1)."""
    mean, low, high = t_interval(np.asarray(after) - np.asarray(before))
    print(
        f"{label}: {np.mean(before):.4g} -> {np.mean(after):.4g}; paired difference {mean:+.4g}, "
        f"{LEVEL:.0%} CI [{low:+.4g}, {high:+.4g}] (n={len(before)})"
    )
    if direction > 0:
        assert low > 0, f"{label}: expected an increase; {LEVEL:.0%} CI of the difference [{low:.4g}, {high:.4g}]"
    else:
        assert high < 0, f"{label}: expected a decrease; {LEVEL:.0%} CI of the difference [{low:.4g}, {high:.4g}]"
    return mean, low, high


def served_in_both(a: pd.DataFrame, b: pd.DataFrame) -> np.ndarray:
    """Rows (same customers, same order) served in both runs."""
    assert a[["replication", "customer"]].equals(b[["replication", "customer"]])
    return ((a["outcome"] == "served") & (b["outcome"] == "served")).to_numpy()


@pytest.fixture(scope="module")
def staffing_pair() -> tuple[simsvc.SimResult, simsvc.SimResult]:
    """The base plan (4 staff) and the same plan with one more person (5 staff)."""
    more = base()
    more["teams"][0]["staff"] = 5
    return run(base()), run(more)


# ------------------------------------------------------- 1. more staff, shorter waits
def test_more_staff_improves_responsiveness_and_satisfaction(staffing_pair) -> None:
    four, five = staffing_pair
    assert_paired(
        "gap_responsiveness, 4 -> 5 staff",
        per_replication(four, "gap_responsiveness"),
        per_replication(five, "gap_responsiveness"),
        +1,
    )
    assert_paired(
        "dissatisfied_share, 4 -> 5 staff",
        per_replication(four, "dissatisfied_share"),
        per_replication(five, "dissatisfied_share"),
        -1,
    )


# ------------------------------------------------------------- 2. training levels
def test_training_lowers_failures_and_raises_assurance_and_empathy() -> None:
    untrained = base()
    untrained["teams"][0]["training_level"] = 0
    r0, r1 = run(untrained), run(base())
    # Same speed: the queue is the same, only the judgement changes.
    np.testing.assert_array_equal(per_replication(r0, "mean_wait"), per_replication(r1, "mean_wait"))

    def failure_share(res: simsvc.SimResult) -> np.ndarray:
        # A failure is perceived 2 against an expected ~6 (gap ~ -4 +- 0.9); a normal
        # service 6 against ~6 (gap ~ 0 +- 0.9): a gap below -2 marks a failure.
        served = res.customers[res.customers["outcome"] == "served"]
        return by_replication(res, served, served["gap_reliability"] < -2.0)

    assert_paired("share of served with gap_reliability < -2, level 0 -> 1", failure_share(r0), failure_share(r1), -1)
    for kpi in ("gap_reliability", "gap_assurance", "gap_empathy"):
        assert_paired(f"{kpi}, level 0 -> 1", per_replication(r0, kpi), per_replication(r1, kpi), +1)


# ------------------------------------------------------------------ 3. over-promising
def test_higher_promise_widens_gaps_with_unchanged_service() -> None:
    modest = base()
    modest["quality"]["promise_demand_effect"] = 0.0  # the promise brings no extra customers
    bold = copy.deepcopy(modest)
    bold["quality"]["promise_level"] = 1.0
    r0, r1 = run(modest), run(bold)
    c0, c1 = r0.customers, r1.customers
    # Unchanged service: the same customers, waiting exactly as long.
    np.testing.assert_array_equal(c0["arrival"].to_numpy(), c1["arrival"].to_numpy())
    np.testing.assert_array_equal(c0["wait"].to_numpy(), c1["wait"].to_numpy())
    # Every expectation rises (or stays at 7) and the zone of tolerance narrows, so no
    # customer's weighted gap rises.
    assert (c1["gap"].to_numpy() <= c0["gap"].to_numpy() + 1e-12).all()
    assert_paired(
        "mean weighted gap, promise 0 -> 1",
        by_replication(r0, c0, c0["gap"]),
        by_replication(r1, c1, c1["gap"]),
        -1,
    )
    assert_paired(
        "dissatisfied_share, promise 0 -> 1",
        per_replication(r0, "dissatisfied_share"),
        per_replication(r1, "dissatisfied_share"),
        +1,
    )


# --------------------------------------------------------- 4. faster complaint handling
def test_faster_complaint_handling_raises_recovery_and_retention() -> None:
    slow = base()
    slow["complaints"]["handling_time"] = {"dist": "exponential", "mean": 60}
    slow["complaints"]["recovery_decay_minutes"] = 480  # recovery chances fade within a working day
    fast = copy.deepcopy(slow)
    fast["complaints"]["teams"][0]["shifts"][0]["staff"] = 4
    r1, r4 = run(slow, replications=40, records=False), run(fast, replications=40, records=False)
    # The front line is the same: the same customers complain.
    np.testing.assert_array_equal(per_replication(r1, "complaint_rate"), per_replication(r4, "complaint_rate"))
    assert_paired(
        "mean_resolution_time, desk 1 -> 4",
        per_replication(r1, "mean_resolution_time"),
        per_replication(r4, "mean_resolution_time"),
        -1,
    )
    assert_paired(
        "recovery_rate, desk 1 -> 4", per_replication(r1, "recovery_rate"), per_replication(r4, "recovery_rate"), +1
    )
    assert_paired("retention, desk 1 -> 4", per_replication(r1, "retention"), per_replication(r4, "retention"), +1)


# ------------------------------------------------------------- 5. recovery paradox
def test_recovery_paradox_delights_recovered_customers() -> None:
    paradox = 0.8
    plain = base()
    bonus = base()
    bonus["complaints"]["paradox"] = paradox
    r0, r1 = run(plain), run(bonus)
    k0, k1 = r0.complaints, r1.complaints
    # The paradox changes the verdict after recovery, not who is recovered.
    assert k0[["replication", "customer"]].equals(k1[["replication", "customer"]])
    np.testing.assert_array_equal(k0["recovered"].to_numpy(), k1["recovered"].to_numpy())
    assert k0["recovered"].any()
    # A complainer's gap is < 0 (dissatisfied_below = 0), so a recovery leaves it at
    # max(gap, 0) + paradox = paradox exactly: satisfied at 0, delighted at 0.8 >= 0.6.
    assert (k0.loc[k0["recovered"], "category_after"] == "satisfied").all()
    assert (k1.loc[k1["recovered"], "category_after"] == "delighted").all()
    assert_paired(
        "share of complaints delighted after handling, paradox 0 -> 0.8",
        by_replication(r0, k0, k0["category_after"] == "delighted"),
        by_replication(r1, k1, k1["category_after"] == "delighted"),
        +1,
    )
    # Satisfaction rises by exactly sigma(slope * paradox) - sigma(0) per recovered customer.
    recovered = k0.groupby("replication")["recovered"].sum().reindex(range(r0.replications), fill_value=0)
    arrivals = per_replication(r0, "arrivals")
    gain = recovered.to_numpy() * (float(q.satisfaction_score(paradox, QUALITY["satisfaction_slope"])) - 0.5)
    np.testing.assert_allclose(
        per_replication(r1, "satisfaction") - per_replication(r0, "satisfaction"), gain / arrivals, atol=1e-12
    )
    # Delighted customers come back twice as often as satisfied ones.
    assert_paired("retention, paradox 0 -> 0.8", per_replication(r0, "retention"), per_replication(r1, "retention"), +1)


# ----------------------------------------------- 6. perfect service below expectations
def test_perfect_service_below_expectations_dissatisfies_everyone() -> None:
    spec = base()
    cls = spec["customer_classes"][0]
    cls["expectations"]["mean"] = dict.fromkeys(q.DIMENSIONS, 7.0)
    cls["expectations"]["sd"] = 0.0
    spec["teams"][0]["staff"] = 60  # nobody waits
    for level in spec["training_levels"]:
        level.update(failure_prob=0.0, assurance=5.0, empathy=5.0)
    spec["quality"].update(reliable_score=6.0, tangibles=5.0, perception_noise=0.0)
    res = run(spec, replications=5)
    c = res.customers
    assert len(c) > 0
    assert (c["outcome"] == "served").all() and (c["wait"] == 0).all()
    perceived = np.array([6.0, 7.0, 5.0, 5.0, 5.0])  # responsiveness 7: no wait
    exact = float(q.weighted_gap(perceived, np.full(5, 7.0), W))
    assert exact == pytest.approx(-1.2, abs=1e-12)  # -(0.3*1 + 0.2*2 + 0.15*2 + 0.1*2)
    np.testing.assert_allclose(c["gap"].to_numpy(), exact, rtol=0, atol=1e-12)
    np.testing.assert_allclose(c[GAP_COLUMNS].to_numpy(), np.tile(perceived - 7.0, (len(c), 1)), atol=1e-12)
    assert (c["category"] == "dissatisfied").all()
    np.testing.assert_array_equal(per_replication(res, "dissatisfied_share"), 1.0)
    np.testing.assert_array_equal(per_replication(res, "delighted_share"), 0.0)
    print(f"weighted gap of every customer: {exact:+.3f} (dissatisfied below 0); dissatisfied share 100 %")


# ------------------------------------------- the engine judges with the pure functions
@pytest.mark.parametrize("curve", ["linear", "logistic"])
def test_engine_judges_with_the_pure_functions(curve: str) -> None:
    spec = base()
    spec["customer_classes"][0]["expectations"]["sd"] = 0.0  # expectations known: mean + promise
    spec["teams"][0]["staff"] = 3  # queues, waits across the zone, abandonment
    spec["quality"].update(promise_level=0.5, promise_demand_effect=0.0, responsiveness_curve=curve)
    res = run(spec, replications=10)
    c = res.customers
    served = c[c["outcome"] == "served"]
    left = c[c["outcome"] == "abandoned"]
    assert len(served) > 1000 and len(left) > 50
    assert served["wait"].max() > 2 * 6.0 * 0.75  # some waits beyond the (shrunk) zone
    expected_resp = 5.5 + 1.0 * 0.5
    adequate = q.adequate_wait_after_promise(6.0, 0.5, 0.5)  # 4.5
    perceived = q.perceived_responsiveness(served["wait"].to_numpy(), 1.0, adequate, curve)
    np.testing.assert_allclose(served["gap_responsiveness"], perceived - expected_resp, atol=1e-9)
    np.testing.assert_allclose(left["gap_responsiveness"], 1.0 - expected_resp, atol=1e-12)  # abandoning: 1
    # Weighted gap = sum of weights x dimension gaps; category from the thresholds.
    np.testing.assert_allclose(served["gap"], served[GAP_COLUMNS].to_numpy() @ W, atol=1e-9)
    codes = q.category(c["gap"].to_numpy(), QUALITY["delighted_above"], QUALITY["dissatisfied_below"])
    np.testing.assert_array_equal(c["category"].cat.codes.to_numpy(), codes)
    # The KPIs are the customers' shares and means, replication by replication.
    for name in q.CATEGORIES[::2]:
        share = by_replication(res, c, c["category"] == name)
        np.testing.assert_allclose(per_replication(res, f"{name}_share"), share, atol=1e-12)
    for col in GAP_COLUMNS:
        np.testing.assert_allclose(per_replication(res, col), by_replication(res, served, served[col]), atol=1e-9)


@pytest.mark.parametrize(
    ("desired", "adequate", "wait_effect"),
    [(1.0, 6.0, 1.0), (3.0, 6.0, 0.75)],
    ids=["zone-collapsed", "zone-degenerate"],
)
def test_bold_promise_that_collapses_the_zone_of_tolerance(desired, adequate, wait_effect) -> None:
    """A valid scenario whose promise shrinks ``2 * adequate_wait`` to or below ``desired_wait``.

    At promise 1, ``adequate_wait * (1 - promise_wait_effect)`` is 0 (first case: twice it,
    0, is below the desired 1 minute) or 1.5 (second case: twice it equals the desired 3
    minutes). Responsiveness must stay on the 1-7 scale: 7 for a wait up to the desired
    wait, 1 beyond (as ``QualityEngine._responsiveness`` rules).
    """
    spec = base()
    spec["customer_classes"][0]["expectations"].update(sd=0.0, desired_wait=desired, adequate_wait=adequate)
    spec["teams"][0]["staff"] = 3
    spec["quality"].update(promise_level=1.0, promise_wait_effect=wait_effect, promise_demand_effect=0.0)
    res = run(spec, replications=3)
    served = res.customers[res.customers["outcome"] == "served"]
    perceived = served["gap_responsiveness"].to_numpy() + (5.5 + 1.0)  # expected: mean + promise
    wait = served["wait"].to_numpy()
    assert (wait > desired).sum() > 20
    print(f"perceived responsiveness of served customers: min {perceived.min():.3f}, max {perceived.max():.3f}")
    np.testing.assert_allclose(perceived[wait <= desired], 7.0, atol=1e-9)
    np.testing.assert_allclose(perceived[wait > desired], 1.0, atol=1e-9)


# ------------------------------------------------------- 7. common random numbers
def test_common_random_numbers_between_staffing_plans(staffing_pair) -> None:
    four, five = staffing_pair
    a, b = four.customers, five.customers
    both = served_in_both(a, b)
    np.testing.assert_array_equal(a["arrival"].to_numpy(), b["arrival"].to_numpy())
    np.testing.assert_array_equal(a["class"].to_numpy(), b["class"].to_numpy())
    np.testing.assert_array_equal(per_replication(four, "arrivals"), per_replication(five, "arrivals"))
    # Same expectations and service-to-service variability: the wait-free gaps are equal...
    for col in ("gap_reliability", "gap_assurance", "gap_empathy", "gap_tangibles"):
        np.testing.assert_array_equal(a.loc[both, col].to_numpy(), b.loc[both, col].to_numpy())

    # ...and so is the expected responsiveness, P(wait) - gap, however long each waited.
    def expected_responsiveness(c: pd.DataFrame) -> np.ndarray:
        s = c[both]
        return q.perceived_responsiveness(s["wait"].to_numpy(), 1.0, 6.0) - s["gap_responsiveness"].to_numpy()

    np.testing.assert_allclose(expected_responsiveness(a), expected_responsiveness(b), atol=1e-9)
    print(f"{both.sum()} customers served in both plans: identical arrivals, expectations and gaps but the wait")

    # Pairing removes the customer-to-customer variation the two plans share.
    n = four.replications
    t = stats.t.ppf(0.5 + LEVEL / 2, n - 1)
    for kpi in ("dissatisfied_share", "mean_wait"):
        x, y = per_replication(four, kpi), per_replication(five, kpi)
        paired = t * np.std(y - x, ddof=1) / math.sqrt(n)
        unpaired = t * math.sqrt(np.var(x, ddof=1) / n + np.var(y, ddof=1) / n)
        ratio = paired / unpaired
        print(f"{kpi}: paired half-width {paired:.4g}, unpaired {unpaired:.4g}, ratio {ratio:.2f}")
        # At most 60 %: the same precision with under 0.6^2 = 36 % of the replications.
        assert ratio < 0.6, f"{kpi}: pairing gives a half-width ratio of {ratio:.2f}"


# ----------------------------------------------------------------------- 8. calibration
def test_calibration_defaults() -> None:
    """Source 003: "about 25 % of customers are dissatisfied to some degree"; source 004:
    "highly satisfied customers repurchase at about twice the rate of merely satisfied ones".

    ``scenarios/bank_branch.yaml`` is a typically staffed operation (95 % served within
    5 minutes) with the default quality coefficients: its dissatisfied share must be about
    a quarter (95 % CI overlapping [0.20, 0.30], mean in [0.18, 0.32]), and, with the
    default return probabilities, delighted customers must come back twice as often as
    satisfied ones (95 % CI of the ratio of return rates contains 2).
    """
    res = simsvc.simulate(simsvc.load_scenario(SCENARIOS / "bank_branch.yaml"))
    mean, low, high = t_interval(per_replication(res, "dissatisfied_share"), level=0.95)
    print(f"bank_branch dissatisfied_share {mean:.3f}, 95% CI [{low:.3f}, {high:.3f}] (n={res.replications})")
    assert low <= 0.30 and high >= 0.20, "the dissatisfied share's CI misses 'about a quarter' (003)"
    assert 0.18 <= mean <= 0.32

    # Return rates of customers who did not complain, by category: each returns with the
    # category's probability, independently of the rest (its own uniform draw), so the
    # log of the ratio of two binomial proportions has the Katz delta-method variance.
    c = res.customers
    c = c[~c["complained"] & ~c["warmup"]]
    delighted = c.loc[c["final_category"] == "delighted", "returns"]
    satisfied = c.loc[c["final_category"] == "satisfied", "returns"]
    p1, n1, p2, n2 = delighted.mean(), len(delighted), satisfied.mean(), len(satisfied)
    ratio = p1 / p2
    se = math.sqrt((1 - p1) / (n1 * p1) + (1 - p2) / (n2 * p2))
    z = stats.norm.ppf(0.975)
    low, high = ratio * math.exp(-z * se), ratio * math.exp(z * se)
    print(
        f"return rate delighted {p1:.3f} (n={n1}) / satisfied {p2:.3f} (n={n2}) = {ratio:.3f}, "
        f"95% CI [{low:.3f}, {high:.3f}]"
    )
    assert low <= 2.0 <= high


# ---------------------------------------------------------------- 9. multi-day loyalty
def test_better_service_brings_more_customers_on_later_days() -> None:
    worse = base()
    worse["horizon"]["days"] = 10
    worse["teams"][0]["staff"] = 3
    better = copy.deepcopy(worse)
    better["teams"][0]["staff"] = 5
    r3, r5 = run(worse, replications=20, records=False), run(better, replications=20, records=False)

    def day_arrivals(res: simsvc.SimResult, days: list[int]) -> np.ndarray:
        return sum(per_replication(res, "arrivals", group="day", key=str(d)) for d in days)

    # Day 1: the same new customers; afterwards returns and word of mouth differ.
    np.testing.assert_array_equal(day_arrivals(r3, [1]), day_arrivals(r5, [1]))
    assert_paired("arrivals on days 8-10, 3 -> 5 staff", day_arrivals(r3, [8, 9, 10]), day_arrivals(r5, [8, 9, 10]), +1)


# ------------------------------------------------------------------------- 10. costs
FLAT = [30] * 7 + [0]  # no arrivals in the last hour: everyone is served before closing


def cost_spec(days: int, teams: list[dict[str, Any]], desk_shift: tuple[str, str]) -> dict[str, Any]:
    spec = base()
    spec["horizon"]["days"] = days
    cls = spec["customer_classes"][0]
    cls["arrivals"] = {"per_hour": FLAT}
    cls["service_time"] = {"dist": "deterministic", "value": 2}
    spec["teams"] = teams
    spec["complaints"]["voice_probability"] = 0.0  # the desk is never busy after its shift
    spec["complaints"]["teams"][0]["shifts"] = [{"start": desk_shift[0], "end": desk_shift[1], "staff": 1}]
    return spec


def check_costs(spec: dict[str, Any], staff_hours_per_day: float, headcount: int) -> None:
    res = run(spec, replications=3)
    c = res.customers
    close = 17 * 60 + 1440 * (c["day"] - 1)
    assert (c["end"] <= close).all(), "a customer was served after closing: overtime would be paid"
    days = spec["horizon"]["days"]
    wage = LEVELS[1]["wage_per_hour"]
    wages = per_replication(res, "cost_wages")
    print(f"cost_wages {wages[0]:.2f}, expected {days} x {staff_hours_per_day:g} staff-hours x {wage}")
    np.testing.assert_allclose(wages, days * staff_hours_per_day * wage, rtol=1e-12)
    for d in range(1, days + 1):
        np.testing.assert_allclose(
            per_replication(res, "cost_wages", group="day", key=str(d)), staff_hours_per_day * wage, rtol=1e-12
        )
    training = headcount * LEVELS[1]["training_cost_per_person"] / 250 * days
    np.testing.assert_allclose(per_replication(res, "cost_training"), training, rtol=1e-12)


STAFF_ALL_DAY = [{"name": "t", "serves": ["c"], "staff": 10, "training_level": 1}]
OVERLAPPING = [
    {"name": "t", "serves": ["c"], "training_level": 1,
     "shifts": [{"start": "09:00", "end": "13:00", "staff": 5}, {"start": "12:00", "end": "17:00", "staff": 4}]},
]  # fmt: skip


@pytest.mark.parametrize(
    ("teams", "front_hours", "front_people"),
    [(STAFF_ALL_DAY, 10 * 8, 10), (OVERLAPPING, 5 * 4 + 4 * 5, 9)],
    ids=["staff-all-day", "overlapping-shifts"],
)
def test_costs_wages_and_training_exact(teams, front_hours, front_people) -> None:
    # Front line during opening hours, plus the desk 09:00-18:00 (9 hours); one head each.
    check_costs(cost_spec(2, teams, ("09:00", "18:00")), front_hours + 9, front_people + 1)


@pytest.mark.parametrize(
    ("teams", "desk", "staff_hours", "people"),
    [
        (STAFF_ALL_DAY, ("08:00", "18:00"), 10 * 8 + 10, 11),
        (
            [{"name": "t", "serves": ["c"], "training_level": 1,
              "shifts": [{"start": "08:00", "end": "17:00", "staff": 10}]}],
            ("09:00", "18:00"), 10 * 9 + 9, 11,
        ),
    ],
    ids=["complaint-desk-from-08:00", "front-line-shift-from-08:00"],
)  # fmt: skip
def test_costs_pay_shift_hours_before_opening(teams, desk, staff_hours, people) -> None:
    """Wages are paid for scheduled shifts (``simsvc/costs.py``), also before opening.

    Complaint teams work "on their own shifts (any hours of the day)"
    (``simsvc/sim/quality_engine.py``); ``scenarios/service_desk_fortnight.yaml`` has its back
    office start an hour before the shop opens.
    """
    check_costs(cost_spec(2, teams, desk), staff_hours, people)


def test_cost_terms_add_up(staffing_pair) -> None:
    res = staffing_pair[0]
    v = {k: per_replication(res, k) for k in ("arrivals", "complaint_rate", "lost_customers")}
    complaints = v["complaint_rate"] * v["arrivals"]
    np.testing.assert_allclose(per_replication(res, "cost_complaints"), 10 * complaints, rtol=1e-12)
    lost_value = per_replication(res, "lost_customer_value")
    np.testing.assert_allclose(lost_value, 50 * v["lost_customers"], rtol=1e-12)
    # The operating cost is what the firm pays; the value of customers lost is not part of it.
    parts = sum(per_replication(res, k) for k in ("cost_wages", "cost_training", "cost_complaints"))
    np.testing.assert_allclose(per_replication(res, "cost"), parts)
    np.testing.assert_allclose(per_replication(res, "cost_and_lost_value"), parts + lost_value)
    # 4 + 1 trained people, 1000 each over 250 days: 20 a day.
    np.testing.assert_allclose(per_replication(res, "cost_training"), 5 * 1000 / 250, rtol=1e-12)
