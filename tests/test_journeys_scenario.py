"""Journeys in the scenario file: their checks (field paths, exit 2) and their compiled form."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest
import yaml

import simsvc
from simsvc.scenario.journeys import EXIT_STEP, routing_matrix, station_arrival_rates, station_visits
from simsvc.scenario.load import scenario_json_schema
from tests.helpers import SCENARIOS, invoke_cli

CENTRE = {
    "name": "centre",
    "horizon": {"open": "09:00", "close": "17:00", "interval_minutes": 60},
    "customer_classes": [
        {
            "name": "walk_in",
            "arrivals": {"per_hour": 30},
            "service_time": {"dist": "exponential", "mean": 2},
            "patience": {"dist": "exponential", "mean": 15},
            "journey": [
                {"step": "greet", "station": "greeter", "service_time": {"dist": "exponential", "mean": 1},
                 "next": "counter"},
                {"step": "counter", "station": ["counter_a", "counter_b"],
                 "next": {"advisor": 0.3, "counter": 0.05, "exit": 0.65}},
                {"station": {"advisor": 0.5, "counter_b": 0.5}, "step": "advisor", "patience": None},
            ],
        },
        {"name": "phone", "arrivals": {"per_hour": 6}, "service_time": {"dist": "exponential", "mean": 4}},
    ],
    "teams": [
        {"name": "greeter", "staff": 1},
        {"name": "counter_a", "staff": 2, "serves": ["phone"]},
        {"name": "counter_b", "staff": 1},
        {"name": "advisor", "staff": 2},
    ],
}  # fmt: skip


def _centre(**steps_changes) -> dict:
    data = copy.deepcopy(CENTRE)
    for j, change in steps_changes.items():
        data["customer_classes"][0]["journey"][int(j.removeprefix("s"))].update(change)
    return data


def _problems(data: dict) -> str:
    with pytest.raises(simsvc.ScenarioError) as info:
        simsvc.load_scenario(data)
    return str(info.value)


def test_a_journey_compiles_to_station_indices_and_next_step_probabilities():
    s = simsvc.load_scenario(CENTRE)
    walk, phone = s.journeys
    assert [st.name for st in walk.steps] == ["greet", "counter", "advisor"]
    greet, counter, advisor = walk.steps
    assert greet.stations == (0,) and greet.weights is None and greet.next_steps == (1,)
    assert greet.service_time.mean == 1 and greet.patience.mean == 15  # the class's patience by default
    assert counter.stations == (1, 2) and counter.weights is None  # a pool
    assert counter.next_steps == (2, 1, EXIT_STEP) and counter.next_probs == (0.3, 0.05, 0.65)
    assert counter.service_time.mean == 2  # the class's
    assert advisor.stations == (3, 2) and advisor.weights == (0.5, 0.5)
    assert advisor.next_steps == (EXIT_STEP,)  # after the last step: exit
    assert not walk.one_step
    # A class without a journey: one step, by the teams whose serves list it.
    assert phone.one_step and phone.steps[0].stations == (1,) and phone.steps[0].name == "phone"


def test_bundled_classes_without_a_journey_are_one_step_journeys():
    for path in sorted(SCENARIOS.glob("*.yaml")):
        s = simsvc.load_scenario(path)
        for cls, j in zip(s.customer_classes, s.journeys, strict=True):
            if cls.journey is not None:
                continue
            assert j.one_step, path
            serving = [i for i, t in enumerate(s.teams) if cls.name in t.serves]
            assert list(j.steps[0].stations) == serving


def test_the_service_centre_visits_its_four_stations_as_the_traffic_equations_say():
    s = simsvc.load_scenario(SCENARIOS / "service_centre.yaml")
    # Counter: c = 1 + 0.05 a with a = 0.3 c -> c = 1 / 0.985; back office 0.2 c.
    c = 1 / (1 - 0.3 * 0.05)
    teams = [t.name for t in s.teams]
    assert teams[:4] == ["greeter", "counters", "advisors", "back_office"]
    assert station_visits(s)[0][:4] == pytest.approx([1.0, c, 0.3 * c, 0.2 * c], rel=1e-12)


def test_visits_and_station_rates_solve_the_traffic_equations():
    s = simsvc.load_scenario(CENTRE)
    # Counter: v = 1 + 0.05 v -> 1/0.95; advisor: 0.3 v.
    v_counter = 1 / 0.95
    assert s.journeys[0].visits() == pytest.approx([1.0, v_counter, 0.3 * v_counter], rel=1e-12)
    visits = station_visits(s)
    # The counter pool splits evenly; the advisor step half to counter_b.
    expected = [1.0, v_counter / 2, v_counter / 2 + 0.15 * v_counter, 0.15 * v_counter]
    assert visits[0] == pytest.approx(expected, rel=1e-12)
    assert visits[1] == pytest.approx([0, 1, 0, 0])
    rates = np.array([0.5, 0.1])
    lam = station_arrival_rates(s, rates)
    external, p = routing_matrix(s, rates)
    assert external == pytest.approx([0.5, 0.1, 0.0, 0.0])
    # The station-level traffic equations give the same rates as the journeys.
    assert np.linalg.solve(np.eye(4) - p.T, external) == pytest.approx(lam, rel=1e-12)
    assert (p.sum(axis=1) <= 1 + 1e-12).all()


@pytest.mark.parametrize(
    ("data", "path", "what"),
    [
        (_centre(s0={"station": "gretter"}), "customer_classes[0].journey[0].station", "unknown team 'gretter'"),
        (_centre(s1={"station": ["counter_a", "nope"]}), "journey[1].station[1]", "unknown team 'nope'"),
        (_centre(s2={"station": {"advisor": 0.5, "nope": 0.5}}), "journey[2].station.nope", "unknown team"),
        (_centre(s2={"station": {"advisor": 0.5, "counter_b": 0.4}}), "journey[2].station",
         "probabilities sum to 0.9, not 1"),
        (_centre(s1={"next": {"advisor": 0.3, "exit": 0.6}}), "journey[1].next", "probabilities sum to 0.9"),
        (_centre(s1={"next": {"advisor": 0.3, "exit": 0.7 + 2e-9}}), "journey[1].next", "not 1"),
        (_centre(s0={"next": "counterr"}), "journey[0].next", "unknown step 'counterr'"),
        (_centre(s1={"next": {"advsor": 0.3, "exit": 0.7}}), "journey[1].next.advsor", "unknown step 'advsor'"),
        (_centre(s2={"step": "counter"}), "customer_classes[0].journey", "duplicate step name 'counter'"),
        (_centre(s2={"step": None}), "journey[2].step", "give the step a name"),
        (_centre(s2={"step": "exit"}), "journey[2].step", "'exit' is reserved"),
        (_centre(s1={"next": {"advisor": 0.3, "counter": 0.7}}, s2={"next": "counter"}), "journey[2].next",
         "never reaches 'exit'"),
        (_centre(s1={"next": {"advisor": 0.3, "counter": 0.7}}, s2={"next": "greet"}), "journey[0].next",
         "never reaches 'exit'"),
        (_centre(s2={"next": "counter"}, s1={"next": "advisor"}), "journey[1].next", "a loop with no way out"),
        (_centre(s0={"service_time": {"dist": "exponential", "mean": -1}}), "journey[0].service_time.mean", ""),
        (_centre(s0={"station": []}), "journey[0].station", "must name at least one team"),
    ],
)  # fmt: skip
def test_bad_journeys_are_refused_with_their_field_path(data, path, what):
    text = _problems(data)
    assert any(path in line and what in line for line in text.splitlines()), text


def test_a_station_nobody_staffs_is_refused():
    data = copy.deepcopy(CENTRE)
    data["teams"][0]["staff"] = 0
    assert "journey[0].station: no team of this station has staff" in _problems(data)
    data = copy.deepcopy(CENTRE)
    data["teams"][3]["staff"] = [0] * 8
    assert "journey[2].station.advisor: team 'advisor' has no staff at any time" in _problems(data)
    # A pool is served while any of its teams has staff.
    data = copy.deepcopy(CENTRE)
    data["teams"][1]["staff"] = 0
    simsvc.load_scenario(data)


def test_a_team_that_serves_nothing_and_no_journey_names_is_refused():
    data = copy.deepcopy(CENTRE)
    data["teams"].append({"name": "idle", "staff": 1})
    assert "teams[4].serves: must list at least one class" in _problems(data)
    data = copy.deepcopy(CENTRE)
    del data["customer_classes"][0]["journey"]
    assert "class 'walk_in' is served by no team" in _problems(data)


def test_bad_journey_exits_2_naming_file_and_field(tmp_path: Path):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(_centre(s1={"next": {"advisor": 0.3, "exit": 0.6}})), encoding="utf-8")
    proc = invoke_cli("validate", str(path))
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert str(path) in proc.stderr and "customer_classes[0].journey[1].next" in proc.stderr


def test_json_schema_describes_journeys():
    schema = json.loads(scenario_json_schema())
    step = schema["$defs"]["Step"]
    assert {"step", "station", "service_time", "patience", "next"} <= set(step["properties"])
    assert step["required"] == ["station"]
    assert "journey" in schema["$defs"]["CustomerClass"]["properties"]


def test_a_journey_survives_to_dict_and_replace():
    s = simsvc.load_scenario(CENTRE)
    again = simsvc.load_scenario(s.to_dict())
    assert again == s and again.journeys == s.journeys
    changed = s.replace({"customer_classes[0].journey[1].next": {"advisor": 0.5, "exit": 0.5}})
    assert changed.journeys[0].steps[1].next_probs == (0.5, 0.5)


def test_run_writes_the_steps_of_a_journey(tmp_path: Path):
    path = tmp_path / "centre.yaml"
    data = {**CENTRE, "simulation": {"replications": 2, "seed": 4}}
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    proc = invoke_cli("run", str(path), "--out", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    import pandas as pd

    steps = pd.read_parquet(tmp_path / "out" / "steps.parquet")
    customers = pd.read_parquet(tmp_path / "out" / "customers.parquet")
    assert steps.groupby(["replication", "customer"]).ngroups == len(customers)
    assert set(steps["step"]) == {"greet", "counter", "advisor", "phone"}
    assert (steps.groupby(["replication", "customer"])["visit"].max() >= 1).any()


def test_optimize_plans_journeys_through_pools_and_choices(tmp_path: Path):
    data = {**CENTRE, "optimizer": {"shifts": [{"start": {"earliest": "09:00", "latest": "13:00", "every": 60},
                                                "lengths": [240]}]}}  # fmt: skip
    path = tmp_path / "centre.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    proc = invoke_cli("optimize", str(path), "--out", str(tmp_path / "plan"))
    assert proc.returncode == 0, proc.stderr
    import pandas as pd

    staffing = pd.read_csv(tmp_path / "plan" / "staffing.csv")
    # Every station a journey visits gets demand: the advisor only through the journey's choice.
    demand = staffing.groupby("team")["demand_per_hour"].mean()
    assert demand["advisor"] == pytest.approx(30 * 0.3 / 0.95 * 0.5)
