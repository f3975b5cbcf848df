"""``simsvc optimize`` as a user runs it: files written, exit codes 2 and 3 with their messages."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml

from tests.helpers import SCENARIOS, invoke_cli, run_cli, strict_json

CALL_CENTRE = yaml.safe_load((SCENARIOS / "call_centre.yaml").read_text(encoding="utf-8"))


def _variant(tmp_path, name="variant.yaml", **changes):
    data = json.loads(json.dumps(CALL_CENTRE))
    data["customer_classes"][0]["arrivals"]["csv"] = str(SCENARIOS / "call_centre_forecast.csv")
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
