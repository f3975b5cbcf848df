"""The queue per interval: time average from the waits within the interval, never above the longest queue."""

from __future__ import annotations

import numpy as np
import pytest

import simsvc
from simsvc.sim.queue_area import queue_over_intervals

OVERLOADED = {
    "name": "overloaded counter",
    "horizon": {"days": 1, "open": "09:00", "close": "12:00", "interval_minutes": 30},
    "customer_classes": [
        {"name": "walk_in", "arrivals": {"per_hour": 60}, "service_time": {"dist": "exponential", "mean": 4}},
    ],
    "teams": [{"name": "clerks", "serves": ["walk_in"], "staff": 3}],  # load 4 on 3 servers
    "quality": {"enabled": False},
}


def test_queue_over_intervals_by_hand():
    arrival = np.array([2.0, 5.0, 12.0, -5.0])
    leave = np.array([15.0, 5.0, 30.0, 3.0])  # the second never waited
    klass = np.array([0, 0, 1, 0])
    area, at_start = queue_over_intervals(arrival, leave, klass, np.array([0.0, 10.0]), 10.0, 2)
    # class 0: [2, 10) and [0, 3) in the first interval, [10, 15) in the second; class 1: [12, 20).
    assert area.tolist() == [[11.0, 0.0], [5.0, 8.0]]
    assert at_start.tolist() == [[1.0, 0.0], [1.0, 0.0]]


@pytest.fixture(scope="module")
def overloaded():
    return simsvc.simulate(simsvc.load_scenario(OVERLOADED), replications=3, seed=5, keep_records=True)


def _per_replication(result, kpi):
    rows = result.kpis.query("group == 'interval' and kpi == @kpi")
    return rows.pivot(index="replication", columns="key", values="value")


def test_mean_queue_never_exceeds_the_longest_queue_under_overload(overloaded):
    mean, longest = _per_replication(overloaded, "mean_queue"), _per_replication(overloaded, "max_queue")
    assert (mean.to_numpy() <= longest.to_numpy() + 1e-9).all()
    assert mean.iloc[:, -1].min() > 10  # the queue really builds up
    # Little's law on an interval's arrivals (the old figure) books waits that spill over.
    arrivals, waits = _per_replication(overloaded, "arrivals"), _per_replication(overloaded, "mean_wait")
    assert ((arrivals * waits / 30.0).to_numpy() > longest.to_numpy()).any()


def test_mean_queue_is_the_waits_clipped_to_each_interval(overloaded):
    customers = overloaded.customers
    queued = customers[customers["wait"].notna()]
    start = queued["arrival"].to_numpy()
    end = start + queued["wait"].to_numpy()
    mean = _per_replication(overloaded, "mean_queue")
    h = overloaded.scenario.horizon
    for j, label in enumerate(mean.columns):
        low = h.interval_start(0, j)
        inside = np.clip(np.minimum(end, low + 30.0) - np.maximum(start, low), 0.0, None)
        per_rep = queued.assign(inside=inside).groupby("replication")["inside"].sum() / 30.0
        assert mean[label].to_numpy() == pytest.approx(per_rep.to_numpy()), label
    overall = overloaded.kpis.query("group == 'overall' and kpi == 'mean_queue'")["value"].to_numpy()
    assert overall == pytest.approx(mean.mean(axis=1).to_numpy())


@pytest.mark.slow
def test_mean_queue_of_an_m_m_5_queue_matches_erlang_c():
    """Time-average queue against Lq = λ·Wq of Erlang C (load 4 on 5 servers, ρ = 0.8)."""
    from simsvc.queueing import mmc_metrics

    scenario = simsvc.load_scenario({
        **OVERLOADED,
        "horizon": {"days": 10, "open": "00:00", "close": "24:00", "interval_minutes": 60},  # around the clock
        "teams": [{"name": "clerks", "serves": ["walk_in"], "staff": 5}],
        "simulation": {"warmup_minutes": 120},
    })  # fmt: skip
    result = simsvc.simulate(scenario, replications=20, seed=11)
    values = result.kpis.query("group == 'overall' and kpi == 'mean_queue'")["value"].to_numpy()
    exact = mmc_metrics(1.0, 0.25, 5, 1.0)["mean_queue_length"]  # 2.22 customers
    half = 2.861 * values.std(ddof=1) / np.sqrt(len(values))  # 99 % Student-t, 19 degrees of freedom
    print(f"mean queue {values.mean():.3f} ± {half:.3f} (99 %), Erlang C {exact:.3f}")
    assert abs(values.mean() - exact) < half, (values.mean(), exact, half)
    assert half < 0.12 * exact  # precise enough for the check to mean something
