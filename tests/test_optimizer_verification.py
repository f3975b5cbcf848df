"""Sequential verification of a plan: replications added until a target is decided, and the plan's status."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import simsvc
from simsvc.run import simulate
from simsvc.staffing.plan import PlaceCheck, Plan, TargetCheck
from simsvc.staffing.verify import verify
from tests.helpers import SCENARIOS, run_cli

SEED = 11


def near_target() -> simsvc.Scenario:
    """Six servers, 60 customers an hour of 5 minutes, one 4-hour interval: 81.3 % served within 2 min.

    Known value: 81.36 % [80.87, 81.86] and 81.30 % [80.79, 81.81] over two independent sets of
    1,000 replications (streams 20000 and 30000 of the seed). The target is 79 %.
    """
    return simsvc.load_scenario({
        "name": "near target", "horizon": {"days": 1, "open": "09:00", "close": "13:00", "interval_minutes": 240},
        "customer_classes": [{"name": "c", "arrivals": {"per_hour": [60]},
                              "service_time": {"dist": "exponential", "mean": 5},
                              "patience": {"dist": "exponential", "mean": 10}}],
        "teams": [{"name": "t", "serves": ["c"], "staff": 6}],
        "training_levels": [{"level": 0, "speed": 1.0, "wage_per_hour": 20}],
        "quality": {"enabled": False},
        "targets": {"service_level": {"within": 2, "fraction": 0.79}},
        "optimizer": {"shifts": [{"start": {"earliest": "09:00", "latest": "09:00"}, "lengths": [240]}]},
        "simulation": {"replications": 20, "seed": SEED},
    })  # fmt: skip


def _service_level(checks: list[PlaceCheck], where: str) -> PlaceCheck:
    return next(c for c in checks if c.name == "service_level" and c.where == where)


def test_twenty_replications_leave_the_target_unresolved_and_more_resolve_it():
    scenario = near_target()
    few, few_checks = verify(scenario, scenario, SEED, 20, 0.001, 20, simulate)
    assert few.replications == 20
    assert _service_level(few_checks, "overall").verdict == "unresolved"
    assert _service_level(few_checks, "09:00").verdict == "unresolved"
    more, checks = verify(scenario, scenario, SEED, 20, 0.001, 640, simulate)
    assert 20 < more.replications <= 640 and more.replications % 20 == 0  # doubling batches
    check = _service_level(checks, "overall")
    assert check.verdict == "met" and check.replications == more.replications
    # Replication r draws from stream r: the first 20 are the same numbers, the others extend them.
    first = more.kpis[more.kpis["replication"] < 20].reset_index(drop=True)
    pd.testing.assert_frame_equal(first, few.kpis.reset_index(drop=True))
    assert sorted(more.kpis["replication"].unique()) == list(range(more.replications))


def test_precision_stops_the_additions_and_the_target_stays_unresolved():
    scenario = near_target()
    result, checks = verify(scenario, scenario, SEED, 20, 0.05, 640, simulate)
    assert result.replications == 20  # half-width below 0.05 already: no more replications
    assert _service_level(checks, "overall").verdict == "unresolved"


def _plan(simulated: bool, places: list[PlaceCheck]) -> Plan:
    scenario = near_target()
    summary = pd.DataFrame({"mean": [0.83], "ci_low": [0.81], "ci_high": [0.85]}, index=["service_level"])
    check = TargetCheck("service_level", 0.8, ">=", 0.8, *((0.83, 0.81, 0.85) if simulated else ()))
    return Plan(scenario, [], {"t": 0}, {"cost": 0.0}, {}, summary if simulated else None, [check],
                pd.DataFrame(), [], places)  # fmt: skip


def _place(low: float, high: float, where: str = "09:00") -> PlaceCheck:
    return PlaceCheck("service_level", where, 0.8, ">=", (low + high) / 2, low, high, 40)


@pytest.mark.parametrize(
    ("simulated", "places", "status", "confirmed"),
    [
        (False, [], "unverified", None),
        (True, [_place(0.81, 0.85, "overall"), _place(0.82, 0.9)], "confirmed", True),
        (True, [_place(0.81, 0.85, "overall"), _place(0.79, 0.9)], "unresolved", False),
        (True, [_place(0.81, 0.85, "overall"), _place(0.79, 0.9, "10:00"), _place(0.7, 0.79)], "missed", False),
    ],
)
def test_plan_status(simulated, places, status, confirmed):
    plan = _plan(simulated, places)
    assert plan.status == status
    assert plan.confirmed is confirmed
    data = plan.to_dict()
    assert data["status"] == status and data["confirmed"] is confirmed
    assert [u["where"] for u in data["unresolved"]] == [p.where for p in places if p.verdict == "unresolved"]


def test_no_simulate_is_unverified_in_json_and_table():
    done = run_cli("optimize", str(SCENARIOS / "call_centre.yaml"), "--format", "json", "--no-simulate")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["confirmed"] is None and data["status"] == "unverified" and data["unresolved"] == []
    table = run_cli("optimize", str(SCENARIOS / "call_centre.yaml"), "--no-simulate")
    assert table.returncode == 0, table.stderr
    assert "unverified (not simulated)" in table.stdout


def test_a_miss_in_one_interval_is_a_shortfall_and_unresolved_is_not():
    from simsvc.plan_output import plan_shortfalls

    missed = _plan(True, [_place(0.81, 0.85, "overall"), _place(0.70, 0.78, "17:30"), _place(0.79, 0.9)])
    (sentence,) = plan_shortfalls(missed)  # exit code 3 in the command
    assert sentence.startswith("service_level in 17:30: target >= 0.8, simulated 0.74")
    assert "40 replications" in sentence
    assert plan_shortfalls(_plan(True, [_place(0.81, 0.85, "overall"), _place(0.79, 0.9)])) == []


def test_report_says_which_targets_are_unresolved(optimization_folder, tmp_path):
    import shutil

    from simsvc.report import build_report

    folder = tmp_path / "opt"
    shutil.copytree(optimization_folder, folder)
    data = json.loads((folder / "optimization.json").read_text(encoding="utf-8"))
    data["status"] = "unresolved"
    data["unresolved"] = [{"target": "abandonment_rate", "where": "16:30", "goal": 0.05, "sense": "<=",
                           "mean": 0.0524, "ci": [0.0495, 0.0552], "replications": 1000}]  # fmt: skip
    (folder / "optimization.json").write_text(json.dumps(data), encoding="utf-8")
    html = build_report(folder, "en")
    assert "unresolved: some targets lie inside their 95 % confidence interval" in html
    assert "16:30" in html
