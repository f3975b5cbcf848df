"""Differential test of the engine's per-customer decisions against :mod:`simsvc.quality`.

The quality engine takes its decisions on a hot path of its own (pre-computed per-team
terms, a pre-filter of who may complain, a judgement only for some customers during the
run, the rest in NumPy afterwards). Here every recorded customer is judged again, one by
one, with the pure functions of :mod:`simsvc.quality` alone, and every decision the run
took must agree:

* from the records (any scenario, live loyalty included): the perceived responsiveness
  from the wait, the weighted gap from the per-dimension gaps, the category from the gap,
  complained <=> gap below ``dissatisfied_below`` (voice probability 1), the category
  after a complaint from :func:`simsvc.quality.recovered_gap`, the satisfaction KPI from
  :func:`simsvc.quality.satisfaction_score`, and the recovery rate against
  :func:`simsvc.quality.recovery_probability` (a binomial check);
* from the customers' own random draws (read again from their streams, where no
  returning customer changes the demand): every dimension's perception and gap,
  failure and rework (the service time), voice, and recovery and return, exactly.

Scenarios: one class and one team (the engine's short path), several classes and teams
with a logistic responsiveness curve and a promise (the general path), a voice below 1,
and live loyalty over several days (returns and word of mouth decided during the run).
Every scenario has abandonment, balking, failures with rework and a complaint desk that
cannot reach every complaint.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import simsvc
from simsvc import quality as q
from simsvc.sim.demand import Demand
from simsvc.sim.schema import GAP_FIELDS, QUALITY_FIELDS, RECORD_FIELDS

SEED = 20261202
LO, HI, PARADOX, DECAY = -0.1, 0.5, 0.4, 90.0
GAP_COLUMNS = [f"gap_{d}" for d in q.DIMENSIONS]
LEVELS = [
    {"level": 0, "speed": 1.0, "failure_prob": 0.15, "assurance": 4.8, "empathy": 4.6, "recovery_success": 0.7},
    {"level": 1, "speed": 1.25, "failure_prob": 0.04, "assurance": 5.8, "empathy": 5.5, "recovery_success": 0.95},
]  # fmt: skip
WALK_IN = {
    "name": "walk_in",
    "arrivals": {"per_hour": 50},
    "service_time": {"dist": "exponential", "mean": 5},
    "patience": {"dist": "exponential", "mean": 8},
    "balk_at": 5,  # 8 balked one customer a scenario, or none: too few to exercise balking
    "expectations": {
        "mean": {"reliability": 6, "responsiveness": 5.5, "assurance": 5.3, "empathy": 5, "tangibles": 4.8},
        "sd": 0.8, "desired_wait": 1, "adequate_wait": 5,
        "weights": {"reliability": 0.3, "responsiveness": 0.25, "assurance": 0.2, "empathy": 0.15, "tangibles": 0.1},
    },
}  # fmt: skip
BUSINESS = {
    "name": "business",
    "priority": 1,
    "arrivals": {"per_hour": 12},
    "service_time": {"dist": "lognormal", "mean": 8, "cv": 0.7},
    "patience": {"dist": "exponential", "mean": 5},
    "expectations": {
        "mean": {"reliability": 6.5, "responsiveness": 6.2, "assurance": 6, "empathy": 5.5, "tangibles": 5.5},
        "sd": 0.5, "desired_wait": 0.5, "adequate_wait": 3,
        "weights": {"reliability": 0.2, "responsiveness": 0.4, "assurance": 0.2, "empathy": 0.1, "tangibles": 0.1},
    },
}  # fmt: skip


def base() -> dict[str, Any]:
    """One class, one team of four (load about 4.2 Erlangs): queues, abandonment, balking."""
    return copy.deepcopy({
        "name": "hot path",
        "horizon": {"days": 1, "open": "09:00", "close": "13:00", "interval_minutes": 30},
        "customer_classes": [WALK_IN],
        "teams": [{"name": "counter", "serves": ["walk_in"], "staff": 4, "training_level": 0}],
        "training_levels": LEVELS,
        "quality": {"rework_probability": 0.5, "perception_noise": 0.6, "dissatisfied_below": LO,
                    "delighted_above": HI, "promise_level": 0.0},
        "complaints": {
            "voice_probability": 1.0, "handling_time": {"dist": "exponential", "mean": 12},
            "recovery_decay_minutes": DECAY, "paradox": PARADOX,
            # Ends before the last complaints arrive: some are never handled (unresolved).
            "teams": [{"name": "desk", "training_level": 1,
                       "shifts": [{"start": "09:30", "end": "12:30", "staff": 2}]}],
        },
        "loyalty": {
            "return_probability": {"delighted": 0.7, "satisfied": 0.4, "dissatisfied": 0.15, "unresolved": 0.05},
            "word_of_mouth": {"delighted": 0.1, "satisfied": 0.0, "dissatisfied": -0.1, "unresolved": -0.3},
            "return_after_days": {"dist": "exponential", "mean": 1},
        },
        "simulation": {"replications": 3, "seed": SEED},
    })  # fmt: skip


def two_classes() -> dict[str, Any]:
    """Two classes (priorities), two teams of different levels and sites, logistic curve, a promise."""
    spec = base()
    spec["customer_classes"] = [copy.deepcopy(WALK_IN), copy.deepcopy(BUSINESS)]
    spec["teams"] = [
        {"name": "counter", "serves": ["walk_in", "business"], "staff": 3, "training_level": 0},
        {"name": "lounge", "serves": ["business", "walk_in"], "staff": 2, "training_level": 1, "tangibles": 6.2},
    ]
    spec["quality"].update(responsiveness_curve="logistic", promise_level=0.5)
    return spec


def some_voice() -> dict[str, Any]:
    spec = base()
    spec["complaints"]["voice_probability"] = 0.4
    return spec


def live_loyalty() -> dict[str, Any]:
    """Three days: returns and word of mouth are decided during the run."""
    spec = base()
    spec["horizon"]["days"] = 3
    spec["simulation"]["replications"] = 2
    return spec


SCENARIOS = {"one-class": base, "two-classes-two-teams": two_classes, "voice-0.4": some_voice,
             "live-loyalty": live_loyalty}  # fmt: skip


@pytest.fixture(scope="module", params=list(SCENARIOS))
def run(request) -> tuple[str, simsvc.SimResult, pd.DataFrame]:
    """A scenario's result, and its customers with their perceived responsiveness and complaints."""
    scenario = simsvc.load_scenario(SCENARIOS[request.param]())
    res = simsvc.simulate(scenario, keep_records=True)
    c = res.customers
    # The engine's own record of the perceived responsiveness (the customers table has its gap).
    layout = list(RECORD_FIELDS + QUALITY_FIELDS + GAP_FIELDS)
    raw = pd.concat(
        [pd.DataFrame(rows[:, : len(layout)], columns=layout).assign(replication=r) for r, rows, _ in res._records]
    ).sort_values(["replication", "customer"], kind="stable", ignore_index=True)
    np.testing.assert_array_equal(raw["customer"].to_numpy(), c["customer"].to_numpy())
    c = c.assign(perceived=raw["perceived_responsiveness"].to_numpy())
    k = res.complaints.set_index(["replication", "customer"])
    assert k.index.is_unique
    handled = k.reindex(pd.MultiIndex.from_frame(c[["replication", "customer"]]))
    for name in ("filed", "resolution_time", "team", "category_after"):
        c[f"complaint_{name}"] = handled[name].to_numpy()
    c["complaint_handled"] = handled["handled"].to_numpy() == True  # noqa: E712  (NaN: no complaint)
    return request.param, res, c


def _per_class(c: pd.DataFrame, values: list) -> np.ndarray:
    """One value per customer, from one per class."""
    return np.asarray(values)[c["class"].cat.codes.to_numpy()]


def _weighted_gap(
    scenario: simsvc.Scenario, c: pd.DataFrame, perceived: np.ndarray, expected: np.ndarray
) -> np.ndarray:
    """:func:`simsvc.quality.weighted_gap` of each customer, with its class's weights."""
    gap = np.full(len(c), np.nan)
    codes = c["class"].cat.codes.to_numpy()
    for k, cls in enumerate(scenario.customer_classes):
        rows = codes == k
        gap[rows] = q.weighted_gap(perceived[rows], expected[rows], cls.expectations.weights.as_tuple())
    return gap


def _responsiveness(scenario: simsvc.Scenario, c: pd.DataFrame) -> np.ndarray:
    """Responsiveness perceived after the recorded wait, by the pure function (served customers)."""
    promise = (scenario.quality.promise_level, scenario.quality.promise_wait_effect)
    expectations = [k.expectations for k in scenario.customer_classes]
    desired = _per_class(c, [e.desired_wait for e in expectations])
    adequate = _per_class(c, [q.adequate_wait_after_promise(e.adequate_wait, *promise) for e in expectations])
    wait = np.nan_to_num(c["wait"].to_numpy())
    return q.perceived_responsiveness(wait, desired, adequate, scenario.quality.responsiveness_curve)


def _success(scenario: simsvc.Scenario, handler: pd.Series) -> np.ndarray:
    """The recovery success of the complaint team that handled each complaint."""
    success = {t.name: scenario.training(t.training_level).recovery_success for t in scenario.complaints.teams}
    return handler.astype(str).map(success).to_numpy(float)


def _final_gap(c: pd.DataFrame) -> np.ndarray:
    recovered = c["recovered"].to_numpy()
    return np.where(recovered, q.recovered_gap(c["gap"].to_numpy(), PARADOX), c["gap"].to_numpy())


def test_the_scenarios_exercise_every_decision(run):
    name, res, c = run
    outcome = c["outcome"].astype(str)
    counts = outcome.value_counts()
    assert counts.get("served", 0) > 400 and counts.get("abandoned", 0) > 20 and counts.get("balked", 0) > 0, counts
    assert c["complained"].sum() > 100 and (c["complained"] & (outcome != "served")).sum() > 10
    assert c["complaint_handled"].sum() > 50 and (c["complained"] & ~c["complaint_handled"]).sum() > 0
    assert c["recovered"].sum() > 20 and (c["complained"] & ~c["recovered"]).sum() > 20
    served = c[outcome == "served"]
    desired = _per_class(served, [k.expectations.desired_wait for k in res.scenario.customer_classes])
    assert (served["wait"] > desired).mean() > 0.2 and (served["wait"] <= desired).mean() > 0.2
    if name == "live-loyalty":  # returns decided during the run, coming back within the horizon
        assert (c["returns"] & (c["day"] < 3)).sum() > 50


def test_perception_and_gap_from_the_records(run):
    _, res, c = run
    sc = res.scenario
    served = (c["outcome"] == "served").to_numpy()
    perceived = _responsiveness(sc, c)
    np.testing.assert_allclose(c["perceived"].to_numpy()[served], perceived[served], rtol=0, atol=1e-9)
    np.testing.assert_array_equal(c["perceived"].to_numpy()[~served], 1.0)  # who leaves unserved: the worst
    gaps = c[GAP_COLUMNS].to_numpy()
    gap = _weighted_gap(sc, c, gaps, np.zeros_like(gaps))  # sum_d w_d (P_d - E_d), with the recorded P_d - E_d
    np.testing.assert_allclose(c["gap"].to_numpy()[served], gap[served], rtol=0, atol=1e-9)
    assert np.isnan(gaps[~served][:, [0, 2, 3, 4]]).all()  # an unserved customer perceived only the wait


def test_complained_iff_gap_below_the_dissatisfied_line(run):
    name, _, c = run
    gap = c["gap"].to_numpy()
    assert np.abs(gap - LO).min() > 1e-9  # no customer on the line: rounding cannot decide
    category = q.category(gap, HI, LO)
    np.testing.assert_array_equal(c["category"].cat.codes.to_numpy(), category)
    dissatisfied = category == q.DISSATISFIED
    complained = c["complained"].to_numpy()
    if name == "voice-0.4":  # voice decides among the dissatisfied (see the draws test)
        assert not (complained & ~dissatisfied).any() and 0.25 < complained.sum() / dissatisfied.sum() < 0.55
    else:
        for outcome in ("served", "abandoned", "balked"):
            rows = (c["outcome"] == outcome).to_numpy()
            wrong = np.flatnonzero(rows & (complained != dissatisfied))
            assert not len(wrong), f"{outcome}: complained != (gap < {LO}) for\n{c.iloc[wrong[:5]].T}"
    # Every complaint is filed once, when its customer's experience ended.
    assert (c["complaint_filed"].notna() == complained).all()
    ended = np.where(c["outcome"] == "served", c["end"], c["arrival"] + np.nan_to_num(c["wait"]))
    np.testing.assert_allclose(c["complaint_filed"][complained], ended[complained], rtol=0, atol=1e-9)


def test_outcome_after_complaint_handling(run):
    _, _, c = run
    complained, recovered = c["complained"].to_numpy(), c["recovered"].to_numpy()
    assert not (recovered & ~complained).any()
    assert not (recovered & ~c["complaint_handled"].to_numpy()).any()  # never handled: unresolved
    final = np.where(
        complained,
        np.where(recovered, q.category(_final_gap(c), HI, LO), q.UNRESOLVED),
        q.category(c["gap"].to_numpy(), HI, LO),
    )
    np.testing.assert_array_equal(c["final_category"].cat.codes.to_numpy(), final)
    np.testing.assert_array_equal(
        pd.Categorical(c["complaint_category_after"][complained], categories=q.LOYALTY_OUTCOMES).codes,
        final[complained],
    )


def test_satisfaction_and_shares_are_the_customers_own(run):
    _, res, c = run
    after = c[~c["warmup"]].assign(
        score=q.satisfaction_score(_final_gap(c[~c["warmup"]]), res.scenario.quality.satisfaction_slope)
    )
    kpis = res.kpis.query("group == 'overall'").pivot(index="replication", columns="kpi", values="value")
    by_replication = after.groupby("replication")
    np.testing.assert_allclose(kpis["satisfaction"], by_replication["score"].mean(), rtol=1e-12)
    np.testing.assert_allclose(kpis["complaint_rate"], by_replication["complained"].mean(), rtol=1e-12)
    dissatisfied = after["category"] == "dissatisfied"
    np.testing.assert_allclose(kpis["dissatisfied_share"], dissatisfied.groupby(after["replication"]).mean())


def test_recovery_rate_follows_recovery_probability(run):
    """Recovered complaints ~ sum of independent Bernoulli(recovery_probability): a z check at 99.9 %."""
    _, res, c = run
    handled = c[c["complaint_handled"]]
    p = q.recovery_probability(
        handled["complaint_resolution_time"].to_numpy(float), _success(res.scenario, handled["complaint_team"]), DECAY
    )
    assert p.max() - p.min() > 0.3  # resolution times spread the probabilities
    observed, expected, sd = handled["recovered"].sum(), p.sum(), np.sqrt((p * (1 - p)).sum())
    z = (observed - expected) / sd
    print(f"recovered {observed} of {len(p)}, expected {expected:.1f} +- {sd:.1f} (z = {z:+.2f})")
    assert abs(z) < stats.norm.ppf(0.9995)


# ------------------------------------------------------- the same customers, from their draws
def _first_day(scenario: simsvc.Scenario, replication: int) -> Any:
    """The replication's first-day customers as drawn from their streams (no one returns on day 1)."""
    return Demand(scenario, scenario.simulation.seed, replication).day_batch(0)


def _perceived_without_wait(scenario: simsvc.Scenario, draws: Any, team: np.ndarray, served: np.ndarray) -> np.ndarray:
    """Perceived reliability, assurance, empathy, tangibles: the team's service, noise, failures."""
    quality = scenario.quality
    t = np.where(served, team, 0)
    levels = [scenario.training(tm.training_level) for tm in scenario.teams]
    failure = np.array([lv.failure_prob for lv in levels])[t]
    site = np.array([quality.tangibles if tm.tangibles is None else tm.tangibles for tm in scenario.teams])[t]
    reliability = np.where(draws.u_fail < failure, quality.failure_score, quality.reliable_score)
    mean = np.column_stack([reliability, np.array([lv.assurance for lv in levels])[t],
                            np.array([lv.empathy for lv in levels])[t], site])  # fmt: skip
    return np.clip(mean + draws.noise, 1.0, 7.0)


def test_every_decision_from_the_customers_draws(run):
    """Day 1's customers judged from their own draws: perceptions, gaps, voice, recovery, return."""
    _, res, customers = run
    sc = res.scenario
    comp, loyalty = sc.complaints, sc.loyalty
    for r, c in customers[customers["day"] == 1].groupby("replication"):
        batch = _first_day(sc, r)
        draws = batch.draws
        np.testing.assert_array_equal(c["arrival"].to_numpy(), batch.arrival)  # the same customers, in order
        np.testing.assert_array_equal(c["class"].cat.codes.to_numpy(), batch.klass)
        served = (c["outcome"] == "served").to_numpy()
        team = c["team"].cat.codes.to_numpy()
        abandoned = (c["outcome"] == "abandoned").to_numpy()
        np.testing.assert_allclose(c["wait"].to_numpy()[abandoned], batch.patience[abandoned], rtol=0, atol=1e-9)
        # Failure and rework: a reworked service takes its service time twice, at the team's speed.
        speed = np.array([sc.training(tm.training_level).speed for tm in sc.teams])[np.where(served, team, 0)]
        failure = np.array([sc.training(tm.training_level).failure_prob for tm in sc.teams])[np.where(served, team, 0)]
        rework = (draws.u_fail < failure) & (draws.u_rework < sc.quality.rework_probability)
        duration = batch.need * np.where(rework, 2.0, 1.0) / speed
        np.testing.assert_allclose((c["end"] - c["start"]).to_numpy()[served], duration[served], rtol=0, atol=1e-9)
        assert (rework & served).sum() > 3
        # Perceptions and the weighted gap: served, and unserved (only the wait and the site count).
        perceived = np.empty((len(c), 5))
        perceived[:, [0, 2, 3, 4]] = _perceived_without_wait(sc, draws, team, served)
        perceived[:, 1] = _responsiveness(sc, c)
        unserved_site = np.clip(sc.quality.tangibles + draws.noise[:, 3], 1.0, 7.0)
        judged = np.where(served[:, None], perceived, draws.expected)
        judged[~served, 1] = 1.0
        judged[~served, 4] = unserved_site[~served]
        gap = _weighted_gap(sc, c, judged, draws.expected)
        np.testing.assert_allclose(c["gap"].to_numpy(), gap, rtol=0, atol=1e-9)
        np.testing.assert_allclose(c[GAP_COLUMNS].to_numpy()[served], (perceived - draws.expected)[served], atol=1e-9)
        # Voice, recovery and return, each against its own draw.
        dissatisfied = q.category(gap, HI, LO) == q.DISSATISFIED
        np.testing.assert_array_equal(
            c["complained"].to_numpy(), dissatisfied & (draws.u_voice < comp.voice_probability)
        )
        handled = c["complaint_handled"].to_numpy()
        p = q.recovery_probability(
            c["complaint_resolution_time"].to_numpy(float)[handled],
            _success(sc, c["complaint_team"][handled]), comp.recovery_decay_minutes,
        )  # fmt: skip
        np.testing.assert_array_equal(c["recovered"].to_numpy()[handled], draws.u_recover[handled] < p)
        outcome = c["final_category"].cat.codes.to_numpy()
        p_return = np.array(loyalty.return_probability.as_tuple())[outcome]
        np.testing.assert_array_equal(c["returns"].to_numpy(), draws.u_return < p_return)
