"""Shrinkage and the occupancy cap: pyworkforce's published requirements, and the simulation's rule.

pyworkforce's README and ``ErlangC`` docstring publish: 100 calls in 30 minutes, 3-minute AHT,
answer within 20 s for 80 %, shrinkage 0.3, occupancy at most 0.85 -> 14 productive and 20 paid
positions. The other rows come from ``pyworkforce 0.5.1`` (``ErlangC.required_positions``)
run in a scratch environment, chosen so that the occupancy cap binds.
"""

from __future__ import annotations

import pytest

import simsvc
from simsvc.sim.shrinkage import on_floor, paid_for
from simsvc.staffing.curves import team_demand
from simsvc.staffing.requirements import Targets, cell_options


def _scenario(calls_per_30min: float, shrinkage: float | None, max_occupancy: float | None) -> simsvc.Scenario:
    team: dict = {"name": "agents", "serves": ["calls"], "staff": 1}
    if shrinkage is not None:
        team["shrinkage"] = shrinkage
    optimizer: dict = {"shifts": [{"start": {"earliest": "09:00", "latest": "09:00"}, "lengths": [30]}]}
    if max_occupancy is not None:
        optimizer["max_occupancy"] = max_occupancy
    return simsvc.load_scenario({
        "name": "pyworkforce example",
        "horizon": {"days": 1, "open": "09:00", "close": "09:30", "interval_minutes": 30},
        "customer_classes": [{"name": "calls", "arrivals": {"per_hour": [2 * calls_per_30min]},
                              "service_time": {"dist": "exponential", "mean": 3}}],
        "teams": [team],
        "training_levels": [{"level": 0, "wage_per_hour": 20}],
        "targets": {"service_level": {"within": 20 / 60, "fraction": 0.8}},
        "optimizer": optimizer,
        "simulation": {"replications": 2, "seed": 1},
    })  # fmt: skip


def _required(scenario: simsvc.Scenario) -> int:
    demand = team_demand(scenario, scenario.teams[0], 0, scenario.simulation.seed)
    spec = scenario.optimizer
    cells = cell_options(demand, Targets.of(scenario), "interval", 0, None, None, spec.max_occupancy)
    return cells.required[0]


@pytest.mark.parametrize(
    ("calls", "shrinkage", "max_occupancy", "raw", "positions"),
    [
        (100, 0.3, 0.85, 14, 20),  # published (README, ErlangC docstring)
        (100, 0.3, 0.65, 16, 23),  # the cap binds: ceil(10 / 0.65) = 16
        (300, 0.25, 0.85, 36, 48),  # the cap binds: ceil(30 / 0.85) = 36
        (300, 0.25, 0.90, 35, 47),  # the service level binds
    ],
)
def test_required_staff_equal_pyworkforce(calls, shrinkage, max_occupancy, raw, positions):
    assert _required(_scenario(calls, None, max_occupancy)) == raw
    assert _required(_scenario(calls, shrinkage, max_occupancy)) == positions


def test_no_cap_and_no_shrinkage_is_the_service_level_requirement():
    # pyworkforce: 35 for the service level alone (the 0.90 cap, 34 agents, does not bind); shrinkage 0 adds none
    loose = _required(_scenario(300, None, None))
    assert loose == _required(_scenario(300, None, 0.90)) == 35
    assert _required(_scenario(300, 0.0, None)) == loose


def test_paid_for_inverts_on_floor():
    for s in (0.0, 0.1, 0.25, 0.3, 0.35, 0.5, 0.9):
        for n in range(0, 60):
            p = paid_for(n, s)
            assert on_floor(p, s) >= n and (p == 0 or on_floor(p - 1, s) < n)
            assert on_floor(n, s) == int(n * (1 - s) + 1e-9) and on_floor(n, s) <= n * (1 - s) + 1e-9


def _sim_scenario(staff: int, shrinkage: float | list[float] | None) -> dict:
    team: dict = {"name": "t", "serves": ["c"], "staff": staff}
    if shrinkage is not None:
        team["shrinkage"] = shrinkage
    return {
        "name": "shrink",
        "horizon": {"days": 2, "open": "09:00", "close": "11:00", "interval_minutes": 30},
        "customer_classes": [{"name": "c", "arrivals": {"per_hour": [50]},
                              "service_time": {"dist": "exponential", "mean": 6},
                              "patience": {"dist": "exponential", "mean": 8}}],
        "teams": [team],
        "training_levels": [{"level": 0, "wage_per_hour": 20}],
        "simulation": {"replications": 3, "seed": 7},
    }  # fmt: skip


def _waits(result) -> list:
    return result.customers[["arrival", "wait", "outcome"]].round(9).values.tolist()


def test_simulation_serves_with_staff_off_the_floor_and_pays_them():
    # 10 rostered with shrinkage 0.35 serve as 6 do (floor(6.5)); all 10 are paid
    shrunk = simsvc.simulate(simsvc.load_scenario(_sim_scenario(10, 0.35)))
    six = simsvc.simulate(simsvc.load_scenario(_sim_scenario(6, None)))
    ten = simsvc.simulate(simsvc.load_scenario(_sim_scenario(10, None)))
    assert _waits(shrunk) == _waits(six) != _waits(ten)
    cost = shrunk.summary()["mean"]
    # the same service (and time finishing customers after closing) plus 4 people paid 2 h a day, 2 days, at 20/h
    assert cost["cost"] == pytest.approx(six.summary()["mean"]["cost"] + 4 * 2 * 2 * 20)
    assert cost["utilization"] == pytest.approx(six.summary()["mean"]["utilization"])


def test_per_interval_shrinkage_changes_the_floor_interval_by_interval():
    # shrinkage 0.5 in the first interval only: 4 of 8 serve then, 8 after
    per = simsvc.simulate(simsvc.load_scenario(_sim_scenario(8, [0.5, 0, 0, 0])))
    steps = _sim_scenario(8, None)
    steps["teams"][0]["staff"] = [4, 8, 8, 8]
    assert _waits(per) == _waits(simsvc.simulate(simsvc.load_scenario(steps)))


def test_shrinkage_of_the_wrong_length_is_refused():
    with pytest.raises(simsvc.ScenarioError, match=r"teams\[0\]\.shrinkage: has 2 values; expected 1 or 4"):
        simsvc.load_scenario(_sim_scenario(8, [0.1, 0.2]))
    with pytest.raises(simsvc.ScenarioError, match=r"teams\.0\.shrinkage|teams\[0\]\.shrinkage"):
        simsvc.load_scenario(_sim_scenario(8, 1.0))


def test_optimizer_rosters_ceil_n_over_1_minus_s_for_n_on_the_floor():
    import math

    plain = simsvc.load_scenario("scenarios/call_centre.yaml")
    data = plain.to_dict()
    data["teams"][0]["shrinkage"] = 0.25
    shrunk = simsvc.optimize(simsvc.load_scenario(data), simulate_plan=False).staffing
    base = simsvc.optimize(plain, simulate_plan=False).staffing
    agents = base["team"] == "agents"
    assert (shrunk.loc[agents, "required"].to_numpy()
            == [math.ceil(n / 0.75 - 1e-9) for n in base.loc[agents, "required"]]).all()  # fmt: skip
    assert (shrunk.loc[agents, "staff"] >= shrunk.loc[agents, "required"]).all()
