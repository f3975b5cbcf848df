"""``simsvc optimize`` as a user runs it: files written, exit codes 2 and 3 with their messages."""

from __future__ import annotations

import json
import shutil
import time

import pandas as pd
import pytest
import yaml

import simsvc
from tests.helpers import SCENARIOS, invoke_cli, run_cli, strict_json

CALL_CENTRE = yaml.safe_load((SCENARIOS / "call_centre.yaml").read_text(encoding="utf-8"))


def _variant(tmp_path, name="variant.yaml", **changes):
    data = json.loads(json.dumps(CALL_CENTRE))
    shutil.copy(SCENARIOS / "call_centre_forecast.csv", tmp_path)  # a scenario reads files beside it
    data["customer_classes"][0]["arrivals"]["csv"] = "call_centre_forecast.csv"
    for dotted, value in changes.items():
        node = data
        keys = dotted.split("__")
        for key in keys[:-1]:
            node = node[key]
        node[keys[-1]] = value
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_optimize_writes_plan_scenario_json_and_chart(tmp_path):
    out = tmp_path / "plan"
    path = _variant(tmp_path, optimizer__verify={"max_replications": 20})
    done = invoke_cli("optimize", str(path), "--out", str(out), "--replications", "5")
    assert done.returncode == 0, done.stderr
    assert "Plan: staff per shift" in done.stdout and "Targets" in done.stdout and "Plan status:" in done.stdout
    plan = pd.read_csv(out / "plan.csv")
    assert {"team", "shift", "start", "end", "training_level", "staff", "cost"} <= set(plan.columns)
    assert set(plan["team"]) == {"agents", "customer_relations"}
    report = strict_json((out / "optimization.json").read_text(encoding="utf-8"))
    assert report["status"] in ("confirmed", "unresolved") and report["iterations"]
    assert report["confirmed"] is (report["status"] == "confirmed")
    assert 5 <= report["replications"] <= 20
    for place in report["unresolved"]:
        assert place["ci"][0] <= place["goal"] <= place["ci"][1]
    cost = report["cost"]
    assert cost["cost_wages"] == round(plan["cost"].sum(), 2)
    assert cost["cost_wages"] == pytest.approx(cost["cost_wages_front_line"] + cost["cost_wages_complaint_teams"])
    assert cost["cost"] == pytest.approx(cost["cost_wages"] + cost["cost_training"] + cost["cost_complaints"])
    assert not {"total", "wages", "training", "complaint_wages"} & set(cost)
    assert (out / "staffing.png").stat().st_size > 10_000
    # The optimized scenario runs as it is, from its own folder.
    again = invoke_cli("run", str(out / "scenario.yaml"), "--format", "json", "--replications", "3")
    assert again.returncode == 0, again.stderr
    assert strict_json(again.stdout)["kpis"]["service_level"]["mean"] > 0.8


def test_json_output_is_only_json():
    # In a process of its own: a solver printing to the process's stdout would show here.
    done = run_cli("optimize", "scenarios/call_centre.yaml", "--format", "json", "--no-simulate")
    assert done.returncode == 0, done.stderr
    data = strict_json(done.stdout)  # no solver banner or progress mixed in, and no NaN or Infinity
    assert data["simulated"] == {} and data["predicted"]["service_level"] >= 0.8
    assert data["confirmed"] is None and data["status"] == "unverified"


def test_impossible_service_level_exits_3_with_explanation(tmp_path):
    path = _variant(tmp_path, targets__service_level={"within": 0.333, "fraction": 1.0})
    done = invoke_cli("optimize", str(path), "--no-simulate")
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr
    message = " ".join(done.stderr.split())
    assert "infeasible" in message and "service level target 1 (every customer served within 0.333 min)" in message
    assert "cannot be met with finite staff" in message
    assert "the best reachable in the busiest interval (10:00" in message


def test_staff_bound_too_low_exits_3_naming_intervals(tmp_path):
    path = _variant(tmp_path, optimizer__max_staff=20)
    done = invoke_cli("optimize", str(path), "--no-simulate")
    assert done.returncode == 3, done.stderr
    message = " ".join(done.stderr.split())
    assert "at most 20 staff" in message and "10:00" in message


def test_contradictory_bounds_exit_2(tmp_path):
    path = _variant(tmp_path, optimizer__min_staff=30)  # max_staff is 40 in the file
    path_bad = _variant(tmp_path, "bad.yaml", optimizer__min_staff=50)
    assert invoke_cli("validate", str(path)).returncode == 0
    done = invoke_cli("optimize", str(path_bad))
    assert done.returncode == 2
    assert "optimizer: min_staff (=50) exceeds max_staff (=40)" in " ".join(done.stderr.split())


def test_unknown_team_and_reversed_window_exit_2(tmp_path):
    families = json.loads(json.dumps(CALL_CENTRE["optimizer"]["shifts"]))
    families[0]["teams"] = ["agnets"]
    families[1]["start"] = {"earliest": "12:00", "latest": "08:00"}
    path = _variant(tmp_path, optimizer__shifts=families)
    done = invoke_cli("optimize", str(path))
    assert done.returncode == 2
    message = " ".join(done.stderr.split())
    assert "optimizer.shifts[1].start: latest (08:00) must not be before earliest (12:00)" in message


def test_scenario_without_optimizer_block_exit_2():
    done = invoke_cli("optimize", "scenarios/teaching.yaml")
    assert done.returncode == 2
    assert "optimizer: missing" in done.stderr


def test_a_time_limit_too_short_to_find_a_plan_says_so(tmp_path):
    # Not "no plan within the bounds": the solver stopped before it knew anything.
    path = _variant(tmp_path, optimizer__time_limit=1e-9)
    done = invoke_cli("optimize", str(path), "--no-simulate")
    assert done.returncode == 3, done.stderr
    message = " ".join(done.stderr.split())
    assert "stopped at its time limit (1e-09 s)" in message and "larger optimizer.time_limit" in message
    assert "within the bounds" not in message and "Traceback" not in message


def test_a_start_grid_finer_than_the_clock_is_refused(tmp_path):
    families = json.loads(json.dumps(CALL_CENTRE["optimizer"]["shifts"]))
    families[0]["start"]["every"] = 2.5
    done = invoke_cli("validate", str(_variant(tmp_path, optimizer__shifts=families)))
    assert done.returncode == 2
    assert "optimizer.shifts[0].start.every: must be a whole number of minutes" in " ".join(done.stderr.split())


def test_a_grid_of_too_many_candidate_shifts_is_refused_naming_the_count(tmp_path):
    families = json.loads(json.dumps(CALL_CENTRE["optimizer"]["shifts"]))
    families[0]["start"] = {"earliest": "06:00", "latest": "16:00", "every": 1}
    families[0]["break"] = {"minutes": 30, "earliest_after": 120, "latest_after": 200, "every": 1}
    path = _variant(tmp_path, optimizer__shifts=families)
    started = time.monotonic()
    done = invoke_cli("optimize", str(path))
    assert time.monotonic() - started < 10
    assert done.returncode == 2, done.stderr
    message = " ".join(done.stderr.split())
    # 601 starts; the 240-minute shift (< min_shift_minutes 360) has no break, the 480-minute one 81 positions.
    assert f"team 'agents' would get {601 * (1 + 81):,} candidate shifts" in message
    assert "optimizer.shifts[0]:" in message and "limit of 10,000" in message and "start.every is 1 min" in message


@pytest.mark.parametrize(
    "family",
    [
        {"start": {"earliest": "08:00", "latest": "14:00", "every": 30}, "lengths": [240, 480],
         "break": {"minutes": 30, "earliest_after": 180, "latest_after": 270, "every": 30}},
        {"start": {"earliest": "12:00", "latest": "20:00", "every": 45}, "lengths": [180, 300, 600],
         "break": {"minutes": 45, "earliest_after": 100, "latest_after": 280, "every": 20, "min_shift_minutes": 290}},
        {"start": {"earliest": "09:00", "latest": "09:00"}, "lengths": [60, 120], "days": "all"},
    ],
    ids=["bundled", "past-midnight-and-long-breaks", "one-start-all-days"],
)  # fmt: skip
def test_the_counted_candidate_shifts_are_the_generated_ones(family):
    from simsvc.scenario.optimizer_models import ShiftFamily
    from simsvc.staffing.patterns import generate_patterns

    data = json.loads(json.dumps(CALL_CENTRE))
    data["customer_classes"][0]["arrivals"]["csv"] = str(SCENARIOS / "call_centre_forecast.csv")
    data["horizon"]["days"] = 3
    data["optimizer"]["shifts"] = [{**family, "teams": ["agents"]}]
    scenario = simsvc.load_scenario(data)
    assert ShiftFamily.model_validate(family).count(3) == len(generate_patterns(scenario)["agents"])


def test_complaint_staff_beyond_a_shifts_limit_is_infeasible_not_a_crash(tmp_path):
    # Complaints that take weeks each: the desk would need more staff than a shift may have.
    path = _variant(tmp_path, complaints__handling_time={"dist": "exponential", "mean": 10_000_000})
    done = invoke_cli("optimize", str(path), "--no-simulate")
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 3, done.stderr
    message = " ".join(done.stderr.split())
    assert "the complaint teams would need" in message and "more than the 100,000 a shift may have" in message


def test_a_complaint_utilization_too_small_to_plan_is_refused(tmp_path):
    done = invoke_cli("validate", str(_variant(tmp_path, optimizer__complaint_utilization=1e-300)))
    assert done.returncode == 2
    message = " ".join(done.stderr.split())
    assert "optimizer.complaint_utilization: must be at least 0.05 and below 1 (got 1e-300)" in message


@pytest.mark.parametrize(
    ("field", "value"),
    [("lengths", [480.5]), ("break.minutes", 30.25), ("break.earliest_after", 120.5), ("break.latest_after", 240.1)],
)
def test_shift_lengths_and_break_offsets_must_be_whole_minutes(tmp_path, field, value):
    # Written as HH:MM, a fractional minute would not be the shift the optimizer planned.
    families = json.loads(json.dumps(CALL_CENTRE["optimizer"]["shifts"]))
    node = families[0]
    keys = field.split(".")
    for key in keys[:-1]:
        node = node.setdefault(key, {"minutes": 30, "earliest_after": 180, "latest_after": 240})
    node[keys[-1]] = value
    done = invoke_cli("validate", str(_variant(tmp_path, optimizer__shifts=families)))
    assert done.returncode == 2, done.stderr
    assert f"optimizer.shifts[0].{field}" in done.stderr and "whole number of minutes" in done.stderr
