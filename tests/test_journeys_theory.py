"""Journeys against queueing-network theory, and conservation along random journeys.

* Tandem of M/M/c stations (Burke: the departures of an M/M/c queue are Poisson, so each
  station is an M/M/c queue at the external rate): each station's mean wait vs Erlang C.
* Open Jackson network with feedback (a greeter, then a counter that 5 % must visit again):
  each station's arrival rate vs the traffic equations, and its mean wait per visit vs an
  M/M/c queue at that rate (product form; arrivals see time averages).

Tolerances are 99 % Student-t intervals over seeded replications (:mod:`tests.confidence`);
each also bounds its own half-width. The warm-up (60 min) is more than twice the relaxation
time ``1 / (mu (sqrt(c) - sqrt(a))^2)`` of every station here (at most 26 min); visits that
join a station before it, or after closing, are left out. Staff stay after closing to serve
everyone inside, so closing cuts no journey short.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import simsvc
from simsvc import queueing
from tests.confidence import assert_exact_in_ci

DAY = {"days": 1, "open": "00:00", "close": "24:00", "interval_minutes": 60}
WARMUP = 60.0


def exponential(mean: float) -> dict[str, Any]:
    return {"dist": "exponential", "mean": mean}


def network(journey: list[dict], teams: dict[str, int], per_hour: float, *, replications: int, seed: int):
    return simsvc.load_scenario({
        "name": "network",
        "horizon": DAY,
        "customer_classes": [{"name": "a", "arrivals": {"per_hour": per_hour}, "service_time": exponential(1.0),
                              "journey": journey}],
        "teams": [{"name": n, "staff": c} for n, c in teams.items()],
        "quality": {"enabled": False},
        "simulation": {"replications": replications, "seed": seed, "warmup_minutes": WARMUP},
    })  # fmt: skip


def observed_visits(res: simsvc.SimResult) -> pd.DataFrame:
    """Step visits that joined their station after the warm-up and before closing."""
    s = res.steps
    return s[(s["arrival"] >= WARMUP) & (s["arrival"] < 1440.0)]


def per_station(visits: pd.DataFrame, column: str, how: str) -> pd.DataFrame:
    """One value per replication (rows) and team (columns)."""
    return visits.groupby(["replication", "team"], observed=True)[column].agg(how).unstack("team")


@pytest.mark.slow
def test_tandem_of_mmc_stations_matches_erlang_c_at_each_station():
    lam = 1.0  # per minute
    stations = {"first": (3, 2.1), "second": (2, 1.4)}  # servers, mean service: rho = 0.7 each
    journey = [
        {"station": "first", "service_time": exponential(2.1)},
        {"station": "second", "service_time": exponential(1.4)},
    ]
    res = simsvc.simulate(network(journey, {n: c for n, (c, _) in stations.items()}, lam * 60,
                                  replications=150, seed=20261202), keep_records=True)  # fmt: skip
    waits = per_station(observed_visits(res), "wait", "mean")
    for name, (servers, mean) in stations.items():
        exact = queueing.mmc_metrics(lam, 1 / mean, servers, 1.0)["mean_wait"]
        assert_exact_in_ci(f"tandem {name} M/M/{servers} mean wait", waits[name].to_numpy(), exact,
                           max_rel_half=0.08)  # fmt: skip


@pytest.mark.slow
def test_feedback_network_matches_traffic_equations_and_product_form():
    lam, rework = 1.0, 0.05
    servers = {"greeter": 2, "counter": 3}
    means = {"greeter": 1.2, "counter": 2.0}  # rho 0.6 and 0.70
    journey = [
        {"station": "greeter", "service_time": exponential(means["greeter"])},
        {"station": "counter", "service_time": exponential(means["counter"]),
         "next": {"counter": rework, "exit": 1 - rework}},
    ]  # fmt: skip
    res = simsvc.simulate(network(journey, servers, lam * 60, replications=150, seed=7), keep_records=True)
    # Traffic equations lam_j = external_j + sum_i lam_i P[i, j], solved here.
    routing = np.array([[0.0, 1.0], [0.0, rework]])
    rates = np.linalg.solve(np.eye(2) - routing.T, np.array([lam, 0.0]))
    visits = observed_visits(res)
    counts = per_station(visits, "wait", "size") / (1440.0 - WARMUP)
    waits = per_station(visits, "wait", "mean")
    for j, name in enumerate(servers):
        assert_exact_in_ci(f"feedback {name} arrival rate", counts[name].to_numpy(), rates[j], max_rel_half=0.02)
        exact = queueing.mmc_metrics(rates[j], 1 / means[name], servers[name], 1.0)["mean_wait"]
        assert_exact_in_ci(f"feedback {name} mean wait", waits[name].to_numpy(), exact, max_rel_half=0.08)


# ---------------------------------------------------------------- conservation (Hypothesis)
@st.composite
def journeys(draw) -> dict:
    """A scenario with one or two classes taking random journeys over three teams, and one without."""
    teams = ["t0", "t1", "t2"]
    classes = []
    for k in range(draw(st.integers(1, 2))):
        n = draw(st.integers(1, 3))
        steps = []
        for s in range(n):
            kind = draw(st.sampled_from(["one", "pool", "choice"]))
            if kind == "one":
                station: Any = draw(st.sampled_from(teams))
            elif kind == "pool":
                station = draw(st.permutations(teams))[:2]
            else:
                w = draw(st.floats(0.1, 0.9))
                station = {"t0": w, "t2": 1 - w}
            targets = [f"s{t}" for t in range(n)]
            back = draw(st.sampled_from(targets))
            p_back = draw(st.sampled_from([0.0, 0.1, 0.3]))
            fwd = f"s{s + 1}" if s + 1 < n else "exit"
            nxt = {fwd: 1.0} if back == fwd else {fwd: 1.0 - p_back, back: p_back}
            if "exit" not in nxt:
                nxt = {**nxt, "exit": 0.0}
                nxt[fwd] -= 0.1
                nxt["exit"] = 0.1
            step: dict = {"step": f"s{s}", "station": station, "next": nxt,
                          "service_time": exponential(draw(st.sampled_from([0.5, 2.0, 5.0])))}  # fmt: skip
            if draw(st.booleans()):
                step["patience"] = exponential(draw(st.sampled_from([1.0, 10.0])))
            steps.append(step)
        cls = {"name": f"c{k}", "arrivals": {"per_hour": draw(st.sampled_from([10, 40, 90]))},
               "service_time": exponential(1.0), "journey": steps, "priority": draw(st.integers(1, 2))}  # fmt: skip
        if draw(st.booleans()):
            cls["balk_at"] = draw(st.integers(1, 4))
        classes.append(cls)
    # A class without a journey, served by every team (so every team serves someone).
    classes.append({"name": "plain", "arrivals": {"per_hour": 20}, "service_time": exponential(1.0),
                    "patience": exponential(5.0)})  # fmt: skip
    staff = [
        {"name": t, "serves": ["plain"], "shifts": [
            {"start": "09:00", "end": "10:00", "staff": draw(st.integers(1, 3))},
            {"start": "10:00", "end": "11:00", "staff": draw(st.integers(0, 2))},
        ]}
        for t in teams
    ]  # fmt: skip
    return {
        "name": "random journeys",
        "horizon": {"days": draw(st.integers(1, 2)), "open": "09:00", "close": "11:00", "interval_minutes": 30},
        "customer_classes": classes,
        "teams": staff,
        "quality": {"enabled": draw(st.booleans())},
        "simulation": {"replications": 1, "seed": draw(st.integers(0, 1000))},
    }


def _conserved(res: simsvc.SimResult) -> None:
    c, s = res.customers, res.steps
    assert len(c) == res.summary().loc["arrivals", "mean"]
    g = s.groupby(["replication", "customer"], sort=True)
    key = ["replication", "customer"]
    c = c.set_index(key).sort_index()
    # Every customer has visits 0, 1, ...; each visit before the last was served, and the
    # customer moved on at its service's end; the last visit's outcome is the customer's.
    assert (g["visit"].transform(lambda v: np.arange(len(v))) == s["visit"]).all()
    nxt = g["arrival"].shift(-1)
    inner = nxt.notna()
    assert (s.loc[inner, "outcome"] == "served").all()
    assert np.allclose(nxt[inner], s.loc[inner, "end"], rtol=0, atol=1e-9)
    last = s[~inner].set_index(key).sort_index()
    assert last.index.equals(c.index)
    assert (last["outcome"].astype(str) == c["outcome"].astype(str)).all()
    assert s["outcome"].notna().all() and set(s["outcome"].astype(str)) <= {"served", "abandoned", "balked"}
    # Arrival = first step's arrival; wait = sum of the steps' waits; end = last step's end.
    first = g["arrival"].first()
    assert np.allclose(first.to_numpy(), c["arrival"].to_numpy(), rtol=0, atol=1e-9)
    total = g["wait"].sum(min_count=1)
    assert np.allclose(total.to_numpy(), c["wait"].to_numpy(), rtol=0, atol=1e-9, equal_nan=True)
    served = c["outcome"] == "served"
    assert np.allclose(last.loc[served, "end"], c.loc[served, "end"], rtol=0, atol=1e-9)
    # Time in the system = the sum of each step's wait and service.
    service = (s["end"] - s["start"]).fillna(0.0).groupby([s["replication"], s["customer"]]).sum()
    sojourn = c.loc[served, "end"] - c.loc[served, "arrival"]
    steps_sum = (g["wait"].sum() + service).loc[served]
    assert np.allclose(sojourn.to_numpy(), steps_sum.to_numpy(), rtol=0, atol=1e-6)
    # A served visit waited, then was served; an unserved one was not.
    ok = s["outcome"] == "served"
    assert (s.loc[ok, "wait"] >= 0).all() and (s.loc[ok, "team"].notna()).all()
    assert s.loc[~ok, "start"].isna().all() and s.loc[~ok, "team"].isna().all()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(journeys())
def test_every_customer_who_enters_a_step_leaves_it(data):
    res = simsvc.simulate(simsvc.load_scenario(data), keep_records=True)
    _conserved(res)


def test_one_step_classes_have_one_step_row_each():
    from tests.helpers import SCENARIOS

    res = simsvc.simulate(simsvc.load_scenario(SCENARIOS / "bank_branch.yaml"), replications=2, seed=1)
    c, s = res.customers, res.steps
    assert len(s) == len(c) and (s["visit"] == 0).all()
    for col in ("arrival", "wait", "start", "end"):
        assert np.array_equal(s[col].to_numpy(), c[col].to_numpy(), equal_nan=True)
    assert (s["step"].astype(str) == c["class"].astype(str)).all()


def test_trips_do_not_depend_on_the_staffing():
    """Common random numbers: each customer's path and needs are drawn before it arrives."""
    journey = [{"station": "first", "next": {"second": 0.5, "first": 0.2, "exit": 0.3}}, {"station": "second"}]
    one = simsvc.simulate(network(journey, {"first": 2, "second": 1}, 50, replications=2, seed=3), keep_records=True)
    two = simsvc.simulate(network(journey, {"first": 5, "second": 4}, 50, replications=2, seed=3), keep_records=True)
    cols = ["replication", "customer", "visit", "step"]
    a, b = one.steps, two.steps
    assert a[cols].astype(str).equals(b[cols].astype(str))
    service = lambda s: (s["end"] - s["start"]).to_numpy()  # noqa: E731  (speed 1: the need)
    assert np.allclose(service(a), service(b), rtol=1e-12)
    assert not np.allclose(a["wait"], b["wait"])


def test_queue_and_service_kpis_of_a_journey_come_from_its_steps():
    """The time-average queue counts each step's wait when it happens; service time sums the steps'."""
    journey = [
        {"station": "first", "next": {"second": 0.6, "first": 0.1, "exit": 0.3}},
        {"station": "second", "service_time": exponential(3.0), "patience": exponential(4.0)},
    ]
    sc = network(journey, {"first": 1, "second": 2}, 45, replications=3, seed=9)
    sc = sc.replace({"horizon": {"open": "09:00", "close": "13:00", "interval_minutes": 60},
                     "simulation.warmup_minutes": 30})  # fmt: skip
    kept = simsvc.simulate(sc, keep_records=True)
    streamed = simsvc.simulate(sc, keep_records=False)
    kpis = kept.summary()["mean"]
    assert streamed.summary()["mean"].equals(kpis)
    s, c = kept.steps, kept.customers
    # Intervals starting after the warm-up (10:00 on) until closing (13:00).
    lo, hi = 600.0, 780.0
    leave = s["arrival"] + s["wait"].fillna(0.0) * (s["outcome"] != "balked")
    inside = (np.minimum(leave, hi) - np.maximum(s["arrival"], lo)).clip(lower=0.0)
    assert kpis["mean_queue"] == pytest.approx(inside.groupby(s["replication"]).sum().mean() / (hi - lo), rel=1e-9)
    served = c[~c["warmup"] & (c["outcome"] == "served")].set_index(["replication", "customer"]).index
    service = (s["end"] - s["start"]).groupby([s["replication"], s["customer"]]).sum().loc[served]
    assert kpis["mean_service_time"] == pytest.approx(service.groupby(level=0).mean().mean(), rel=1e-9)


@pytest.mark.parametrize("engine", ["simpy", "kernel"])
def test_a_customer_back_in_a_queue_waits_there_with_its_new_patience(engine):
    """Rework brings customers back to the counter; each wait there has its own deadline.

    Patience is exactly 6 minutes, so every abandonment happens after exactly 6 minutes' wait at
    that visit: a deadline left over from the customer's earlier visit to the same queue (it was
    served before it) must not make it leave earlier.
    """
    from simsvc.sim import kernel

    if engine == "kernel" and not kernel.available():
        pytest.skip("numba (simsvc[fast]) is not installed")
    fixed = lambda minutes: {"dist": "deterministic", "value": minutes}  # noqa: E731
    journey = [{"station": "counter", "service_time": fixed(1.0), "patience": fixed(6.0),
                "next": {"counter": 0.5, "exit": 0.5}}]  # fmt: skip
    sc = network(journey, {"counter": 1}, 34, replications=2, seed=4)
    sc = sc.replace({"horizon": {"open": "09:00", "close": "15:00", "interval_minutes": 60},
                     "simulation.warmup_minutes": 0})  # fmt: skip
    steps = simsvc.simulate(sc, keep_records=True, engine=engine).steps
    gone = steps[steps["outcome"] == "abandoned"]
    revisits = steps[steps["visit"] > 0]
    assert len(gone) > 50 and (revisits["wait"] > 0).mean() > 0.5  # many leave; returning customers queue
    assert np.allclose(gone["wait"], 6.0, rtol=0, atol=1e-9)
