"""On every bundled scenario, each customer's judgement is that of the pure functions of :mod:`simsvc.quality`.

The engine judges customers through copies of its own (per-team terms pre-computed in
:mod:`simsvc.sim.experience`, an inline responsiveness curve and a complaint pre-filter in
:mod:`simsvc.sim.quality_engine`, recovery in :mod:`simsvc.sim.complaints`). Here every
recorded customer is judged again from its inputs with :mod:`simsvc.quality` alone:

* its inputs: the record's wait, team and outcome, the scenario's class expectations,
  training levels and site, and the customer's own random draws (expectations, perception
  noise, failure, voice, recovery and return draws). The draws are the batches the engine
  was given, kept as it takes them (a wrapper around :meth:`QualityEngine.prepare` that
  changes nothing): so returning customers, whose expectations were adapted during the run,
  are checked too. Day 1's are checked against the class streams read again (:class:`Demand`);
* the decisions: the perception of each dimension and its gap, the weighted gap, the
  category, whether it complained (its voice draw against the voice probability), whether
  its complaint was recovered (its recovery draw against :func:`quality.recovery_probability`
  of the recorded resolution time and handler), the gap and category after handling, and
  whether it returns (its return draw against its outcome's probability).

Not checked here: that a returning customer's expectations are
:func:`quality.adapted_expectations` of its previous visit (a record does not say which
earlier customer came back; :mod:`tests.test_loyalty` covers adaptation), nor the complaint
desk's timing (taken as recorded). The bundled scenarios use the linear curve and no served
complainer waits past the worst wait: the logistic curve and the clip at 1 of the engine's
inline perception are exercised by :mod:`tests.test_hot_path_differential`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

import simsvc
from simsvc import quality as q
from simsvc.sim.demand import Demand
from simsvc.sim.quality_engine import QualityEngine
from simsvc.sim.schema import COMPLAINT_FIELDS, customer_fields
from tests.helpers import SCENARIOS

REPLICATIONS, SEED, MAX_CUSTOMERS = 4, 5, 4000
GAPS = [f"gap_{d}" for d in q.DIMENSIONS]
R, S, A, E, T = (q.DIMENSIONS.index(d) for d in ("reliability", "responsiveness", "assurance", "empathy", "tangibles"))
NAMES = sorted(p.name for p in SCENARIOS.glob("*.yaml"))


def _simulate(scenario: simsvc.Scenario, monkeypatch: pytest.MonkeyPatch) -> tuple[simsvc.SimResult, list]:
    """Simulate in this process, keeping each replication's batches: ``(first customer id, batch)``."""
    engines: dict[int, tuple[QualityEngine, list]] = {}
    prepare = QualityEngine.prepare

    def keeping(self: QualityEngine, batch: Any) -> Any:
        engines.setdefault(id(self), (self, []))[1].append((self.next_id, batch))
        return prepare(self, batch)

    monkeypatch.setattr(QualityEngine, "prepare", keeping)
    res = simsvc.simulate(scenario, REPLICATIONS, SEED, keep_records=True, workers=1)
    monkeypatch.undo()
    return res, [batches for _, batches in engines.values()]  # in replication order


def _inputs(batches: list, n: int) -> dict[str, np.ndarray]:
    """The draws of customers 0 .. n - 1 of a replication, by customer id."""
    firsts = [first for first, _ in batches]
    assert firsts == sorted(firsts) and firsts[0] == 0
    out: dict[str, list] = {}
    for _, b in batches:
        d = b.draws
        fields = {"klass": b.klass, "returning": b.returning, "expected": d.expected, "noise": d.noise,
                  "u_fail": d.u_fail, "u_voice": d.u_voice, "u_recover": d.u_recover,
                  "u_return": d.u_return}  # fmt: skip
        for name, a in fields.items():
            out.setdefault(name, []).append(a)
    joined = {name: np.concatenate(parts) for name, parts in out.items()}
    assert len(joined["klass"]) == n
    return joined


def _judge(sc: simsvc.Scenario, raw: pd.DataFrame, x: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each customer's perceptions and weighted gap, by the pure functions, from its inputs."""
    qm, k = sc.quality, x["klass"]
    classes = [c.expectations for c in sc.customer_classes]
    team = raw["team"].to_numpy().astype(np.int64)
    served = team >= 0
    t = np.where(served, team, 0)
    levels = [sc.training(tm.training_level) for tm in sc.teams]
    adequate = [
        q.adequate_wait_after_promise(e.adequate_wait, qm.promise_level, qm.promise_wait_effect) for e in classes
    ]
    expected, noise = x["expected"], x["noise"]
    perceived = expected.copy()  # who leaves unserved perceives the wait and the site only
    responsiveness = q.perceived_responsiveness(
        np.nan_to_num(raw["wait"].to_numpy()), np.array([e.desired_wait for e in classes])[k],
        np.array(adequate)[k], qm.responsiveness_curve,
    )  # fmt: skip
    perceived[:, S] = np.where(served, responsiveness, 1.0)
    failed = x["u_fail"] < np.array([lv.failure_prob for lv in levels])[t]
    reliability = np.where(failed, qm.failure_score, qm.reliable_score)
    site = np.array([qm.tangibles if tm.tangibles is None else tm.tangibles for tm in sc.teams])[t]
    service = np.column_stack([
        reliability, np.array([lv.assurance for lv in levels])[t], np.array([lv.empathy for lv in levels])[t], site,
    ]) + noise  # fmt: skip
    for j, d in enumerate((R, A, E, T)):
        perceived[served, d] = np.clip(service[served, j], 1.0, 7.0)
    perceived[~served, T] = np.clip(qm.tangibles + noise[~served, 3], 1.0, 7.0)
    weights = np.array([c.weights.as_tuple() for c in classes])
    gap = np.array([q.weighted_gap(perceived[i], expected[i], weights[k[i]]) for i in range(len(k))])
    return {"perceived": perceived, "gap": gap, "served": served}


@pytest.fixture(scope="module", params=NAMES)
def judged(request) -> tuple[str, simsvc.Scenario, list]:
    """A bundled scenario, and per replication its raw records, complaints and the customers' inputs."""
    scenario = simsvc.load_scenario(SCENARIOS / request.param)
    scenario = scenario.replace({"simulation.max_customers": MAX_CUSTOMERS})
    with pytest.MonkeyPatch.context() as mp:
        res, kept = _simulate(scenario, mp)
    assert scenario.quality.enabled and len(kept) == REPLICATIONS
    layout = list(customer_fields(quality=True))
    out = []
    for (r, rows, complaints), batches in zip(res._records, kept, strict=True):
        raw = pd.DataFrame(rows[:, : len(layout)], columns=layout).sort_values("customer", ignore_index=True)
        np.testing.assert_array_equal(raw["customer"].to_numpy(), np.arange(len(raw)))
        x = _inputs(batches, len(raw))
        comp = pd.DataFrame(complaints, columns=list(COMPLAINT_FIELDS)).set_index("customer")
        out.append((r, raw, comp, x, batches))
    return request.param, res.scenario, out


def test_the_kept_draws_are_the_streams(judged):
    """The batches kept are the class streams' (day 1: no one has come back yet)."""
    _, sc, runs = judged
    for r, _, _, _, batches in runs:
        again = Demand(sc, SEED, r).day_batch(0)
        first = batches[0][1]
        n = len(first)
        np.testing.assert_array_equal(first.arrival, again.arrival[:n])
        np.testing.assert_array_equal(first.draws.expected, again.draws.expected[:n])
        np.testing.assert_array_equal(first.draws.u_voice, again.draws.u_voice[:n])


def test_perceptions_gap_and_category_are_the_pure_functions(judged):
    name, sc, runs = judged
    qm = sc.quality
    for r, raw, _, x, _ in runs:
        j = _judge(sc, raw, x)
        served = j["served"]
        leave = any(c.patience is not None or c.balk_at is not None for c in sc.customer_classes)
        assert served.sum() > 50 and ((~served).sum() > 0) == leave, (name, r)
        np.testing.assert_array_equal(raw["klass"].to_numpy(), x["klass"])
        np.testing.assert_array_equal(raw["returning"].to_numpy(), x["returning"])
        if sc.loyalty is not None and sc.horizon.days > 1:  # returning customers, expectations adapted
            assert x["returning"].sum() > 100, (name, r)
        np.testing.assert_allclose(raw["perceived_responsiveness"], j["perceived"][:, S], rtol=0, atol=1e-12)
        difference = j["perceived"] - x["expected"]
        recorded = raw[GAPS].to_numpy()
        np.testing.assert_allclose(recorded[served], difference[served], rtol=0, atol=1e-12)
        np.testing.assert_allclose(recorded[~served, S], difference[~served, S], rtol=0, atol=1e-12)
        assert np.isnan(recorded[~served][:, [R, A, E, T]]).all()  # not perceived
        bad = np.flatnonzero(np.abs(raw["gap"].to_numpy() - j["gap"]) > 1e-12)
        assert not len(bad), f"{name} r{r}: gap differs for\n{raw.iloc[bad[:5]].T}\npure: {j['gap'][bad[:5]]}"
        gap = j["gap"]
        assert min(np.abs(gap - qm.dissatisfied_below).min(), np.abs(gap - qm.delighted_above).min()) > 1e-9
        category = q.category(gap, qm.delighted_above, qm.dissatisfied_below)
        complained = raw["complained"].to_numpy() == 1
        # A complainer's category is dissatisfied (its outcome is decided by the desk).
        np.testing.assert_array_equal(raw["category"].to_numpy(), np.where(complained, q.DISSATISFIED, category))
        assert len(np.unique(category)) == 3, (name, np.bincount(category))


def test_complaint_is_dissatisfaction_voiced(judged):
    name, sc, runs = judged
    seen = np.zeros(2, dtype=np.int64)  # complainers, silent dissatisfied customers
    for r, raw, comp, x, _ in runs:
        gap = _judge(sc, raw, x)["gap"]
        dissatisfied = q.category(gap, sc.quality.delighted_above, sc.quality.dissatisfied_below) == q.DISSATISFIED
        should = dissatisfied & (x["u_voice"] < sc.complaints.voice_probability)
        complained = raw["complained"].to_numpy() == 1
        wrong = np.flatnonzero(complained != should)
        assert not len(wrong), f"{name} r{r}: complained differs for\n{raw.iloc[wrong[:5]].T}"
        seen += [complained.sum(), (dissatisfied & ~complained).sum()]
        np.testing.assert_array_equal(np.sort(comp.index.to_numpy()), np.flatnonzero(complained))
        np.testing.assert_allclose(comp["initial_gap"], gap[comp.index.to_numpy().astype(np.int64)], rtol=0, atol=1e-12)
    assert (seen > 5).all(), (name, seen)


def test_recovery_and_return_are_the_pure_functions(judged):
    name, sc, runs = judged
    qm, cp = sc.quality, sc.complaints
    desk = {len(sc.teams) + i: sc.training(t.training_level).recovery_success for i, t in enumerate(cp.teams)}
    p_return = None if sc.loyalty is None else np.array(sc.loyalty.return_probability.as_tuple())
    seen = np.zeros(2, dtype=np.int64)  # recovered complaints, handled ones not recovered
    for _, raw, comp, x, _ in runs:
        i = comp.index.to_numpy().astype(np.int64)
        handled = comp["handled"].to_numpy() == 1
        success = np.array([desk.get(int(t), np.nan) for t in comp["team"]])
        p = q.recovery_probability((comp["end"] - comp["filed"]).to_numpy(), success, cp.recovery_decay_minutes)
        recovered = handled & (x["u_recover"][i] < np.where(handled, p, 0.0))
        np.testing.assert_array_equal(comp["recovered"].to_numpy() == 1, recovered)
        seen += [recovered.sum(), (handled & ~recovered).sum()]
        initial = comp["initial_gap"].to_numpy()
        final = np.where(recovered, q.recovered_gap(initial, cp.paradox), initial)
        np.testing.assert_allclose(comp["gap"], final, rtol=0, atol=1e-12)
        after = np.where(recovered, q.category(final, qm.delighted_above, qm.dissatisfied_below), q.UNRESOLVED)
        np.testing.assert_array_equal(comp["category"].to_numpy(), after)
        outcome = raw["category"].to_numpy().astype(np.int64)
        outcome[i] = after
        if p_return is None:
            assert raw["returns"].isna().all() and comp["returns"].isna().all()
            continue
        returns = x["u_return"] < p_return[outcome]
        complained = raw["complained"].to_numpy() == 1
        np.testing.assert_array_equal(raw["returns"].to_numpy()[~complained] == 1, returns[~complained])
        np.testing.assert_array_equal(comp["returns"].to_numpy() == 1, returns[i])
    if cp.teams:  # else no complaint is handled: all are unresolved
        assert (seen > 0).all(), (name, seen)
