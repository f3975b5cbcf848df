"""KPIs per station (``SimResult.by_station``, ``simsvc run --table station``).

* Theory: a tandem of M/M/c stations (Burke) gives each station an M/M/c queue at the external
  rate: its mean wait per served visit is Erlang C's and its utilization rho, within 99 %
  Student-t intervals over seeded replications.
* Bookkeeping: per replication, the stations' counts are the visits the public ``steps``
  table shows (a different path: the kept rows, not the streaming tally), and with one-step
  classes they add up to the overall ``served``.
"""

from __future__ import annotations

import numpy as np
import pytest

import simsvc
from simsvc import queueing
from tests.confidence import assert_exact_in_ci
from tests.helpers import SCENARIOS, invoke_cli
from tests.test_journeys_theory import WARMUP, exponential, network


def _station(res: simsvc.SimResult, station: str, kpi: str) -> np.ndarray:
    k = res.kpis
    rows = k[(k["group"] == "station") & (k["key"] == station) & (k["kpi"] == kpi)].sort_values("replication")
    return rows["value"].to_numpy()


@pytest.mark.slow
def test_tandem_stations_wait_and_utilization_match_mmc():
    lam = 1.0  # per minute
    stations = {"first": (3, 2.1), "second": (2, 1.4)}  # servers, mean service: rho = 0.7 each
    journey = [{"station": n, "service_time": exponential(mean)} for n, (_, mean) in stations.items()]
    res = simsvc.simulate(network(journey, {n: c for n, (c, _) in stations.items()}, lam * 60,
                                  replications=40, seed=20261203))  # fmt: skip
    for name, (servers, mean) in stations.items():
        exact = queueing.mmc_metrics(lam, 1 / mean, servers, 1.0)
        assert_exact_in_ci(f"{name} M/M/{servers} mean wait", _station(res, name, "mean_wait_served"),
                           exact["mean_wait"], max_rel_half=0.12)  # fmt: skip
        assert_exact_in_ci(f"{name} utilization", _station(res, name, "utilization"), exact["occupancy"],
                           max_rel_half=0.02)  # fmt: skip
        assert_exact_in_ci(f"{name} service time", _station(res, name, "mean_service_time"), mean,
                           max_rel_half=0.02)  # fmt: skip
    table = res.by_station()
    assert list(table.index.names) == ["station", "kpi"] and {"mean", "ci_low", "ci_high", "n"} <= set(table)


def test_station_counts_are_the_visits_of_the_steps_table():
    """A journey with rework and patience: served and abandoned per station, per replication."""
    journey = [
        {"station": "greeter", "service_time": exponential(0.8), "patience": exponential(3.0)},
        {"station": "counter", "service_time": exponential(2.5), "patience": exponential(4.0),
         "next": {"counter": 0.2, "exit": 0.8}},
    ]  # fmt: skip
    res = simsvc.simulate(network(journey, {"greeter": 1, "counter": 2}, 50.0, replications=3, seed=7),
                          keep_records=True)  # fmt: skip
    steps = res.steps
    first = steps.groupby(["replication", "customer"])["arrival"].transform("min")
    kept = steps[first >= WARMUP]
    for name in ("greeter", "counter"):
        served = kept[(kept["team"] == name) & (kept["outcome"] == "served")].groupby("replication").size()
        left = kept[(kept["step"] == name) & (kept["outcome"] == "abandoned")]  # each step's name is its station's
        np.testing.assert_array_equal(_station(res, name, "served"), served.reindex(range(3), fill_value=0))
        np.testing.assert_array_equal(
            _station(res, name, "abandoned"), left.groupby("replication").size().reindex(range(3), fill_value=0)
        )
        assert _station(res, name, "abandoned").sum() > 0  # the check sees abandonments
    assert (kept["visit"] > 1).any()  # and rework


def test_one_step_stations_add_up_to_the_overall_served():
    res = simsvc.simulate(SCENARIOS / "bank_branch.yaml", 3, seed=4)
    k = res.kpis
    overall = k[(k["group"] == "overall") & (k["kpi"] == "served")].sort_values("replication")["value"].to_numpy()
    by_team = sum(_station(res, t.name, "served") for t in res.scenario.teams)
    np.testing.assert_array_equal(by_team, overall)


def test_run_prints_the_station_table():
    done = invoke_cli("run", str(SCENARIOS / "teaching.yaml"), "-r", "2", "-f", "csv", "--table", "station")
    assert done.returncode == 0, done.stderr
    header, *rows = done.stdout.strip().splitlines()
    assert header.startswith("station,kpi,mean,ci_low,ci_high")
    assert any(",utilization," in row for row in rows)


def test_json_output_carries_the_station_table():
    import json

    done = invoke_cli("run", str(SCENARIOS / "teaching.yaml"), "-r", "2", "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    table = simsvc.simulate(SCENARIOS / "teaching.yaml", 2).by_station()
    teams = list(table.index.unique("station"))
    assert sorted(data["by_station"]) == sorted(teams)
    row = table.loc[(teams[0], "utilization")]
    assert data["by_station"][teams[0]]["utilization"]["mean"] == pytest.approx(row["mean"], rel=1e-12)
