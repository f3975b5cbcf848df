"""Hand-computable deterministic cases, checked exactly, and invariants on random small scenarios.

Every case replays an arrival trace (minutes after opening) with deterministic service
(and patience), so each wait, start, end and KPI below follows from the rules in
``simsvc.sim.engine`` by hand; the arithmetic is spelled out next to each expectation.
Times in ``res.customers`` are minutes since 00:00 of day 1; every case opens at 00:00
unless stated, so they coincide with the trace times.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import simsvc
from tests.helpers import invoke_cli

NAN = math.nan


# ------------------------------------------------------------------------------- helpers
def det(value: float) -> dict[str, Any]:
    return {"dist": "deterministic", "value": value}


def klass(name: str, trace: list[float], service: float, **extra: Any) -> dict[str, Any]:
    return {"name": name, "arrivals": {"trace": trace}, "service_time": det(service), **extra}


def team(name: str, serves: list[str], staff: int | None = None, **extra: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {"name": name, "serves": serves, **extra}
    if staff is not None:
        spec["staff"] = staff
    return spec


def make(
    classes: list[dict[str, Any]],
    teams: list[dict[str, Any]],
    *,
    open: str = "00:00",
    close: str = "01:00",
    interval: float = 60,
    days: int = 1,
    warmup: float = 0,
    within: float = 0.5,
    levels: list[dict[str, Any]] | None = None,
    replications: int = 1,
    seed: int = 1,
    base_dir: Any = None,
) -> simsvc.Scenario:
    spec: dict[str, Any] = {
        "name": "exact",
        "horizon": {"days": days, "open": open, "close": close, "interval_minutes": interval},
        "customer_classes": classes,
        "teams": teams,
        "targets": {"service_level": {"within": within, "fraction": 0.8}},
        # Queueing mechanics only: no returning customers adding to a multi-day trace.
        "quality": {"enabled": False},
        "simulation": {"replications": replications, "seed": seed, "warmup_minutes": warmup},
    }
    if levels is not None:
        spec["training_levels"] = levels
    return simsvc.load_scenario(spec, base_dir=base_dir)


def run(*args: Any, **kwargs: Any) -> simsvc.SimResult:
    scenario = make(*args, **kwargs)
    return simsvc.simulate(scenario, keep_records=True)


def col(res: simsvc.SimResult, name: str, replication: int = 0) -> list:
    c = res.customers
    values = c.loc[c["replication"] == replication, name]
    return [None if (isinstance(v, float) and math.isnan(v)) else v for v in values.tolist()]


def kpi(res: simsvc.SimResult, name: str) -> float:
    return float(res.summary().loc[name, "mean"])


def assert_times(res: simsvc.SimResult, *, wait: list, start: list, end: list, replication: int = 0) -> None:
    """Compare waits, starts and ends (None = NaN) to the hand-computed values."""
    for name, expected in (("wait", wait), ("start", start), ("end", end)):
        got = col(res, name, replication)
        assert len(got) == len(expected), (name, got, expected)
        for g, e in zip(got, expected, strict=True):
            if e is None:
                assert g is None, (name, got, expected)
            else:
                assert g == pytest.approx(e, abs=1e-9), (name, got, expected)


# ------------------------------------------------------------------------- single server
def test_single_server_fifo_queue():
    # One server, service 2, arrivals at 0, 1, 2:
    # c0 0-2 (wait 0); c1 waits from 1 to 2, 2-4 (wait 1); c2 waits from 2 to 4, 4-6 (wait 2).
    res = run([klass("a", [0, 1, 2], 2)], [team("t", ["a"], 1)])
    assert_times(res, wait=[0, 1, 2], start=[0, 2, 4], end=[2, 4, 6])
    c = res.customers
    assert c["outcome"].tolist() == ["served"] * 3
    assert c["team"].tolist() == ["t"] * 3
    assert c["customer"].tolist() == [0, 1, 2]
    assert c["interval"].astype(str).tolist() == ["00:00"] * 3
    assert c["day"].tolist() == [1, 1, 1]
    assert kpi(res, "arrivals") == 3
    assert kpi(res, "served") == 3
    assert kpi(res, "mean_wait") == pytest.approx(1.0)
    assert kpi(res, "mean_wait_served") == pytest.approx(1.0)
    # Target 0.5 min: only c0 (wait 0) starts within it.
    assert kpi(res, "service_level") == pytest.approx(1 / 3)
    # 6 busy server-minutes over 60 on-duty minutes (staff 1, open 00:00-01:00).
    assert kpi(res, "utilization") == pytest.approx(6 / 60)
    assert kpi(res, "mean_service_time") == pytest.approx(2.0)
    assert kpi(res, "abandonment_rate") == 0
    assert kpi(res, "balk_rate") == 0


def test_max_queue_and_zero_p95():
    # Service 2, arrivals 0, 0.5, 1.0: c0 0-2, c1 2-4 (wait 1.5), c2 4-6 (wait 3).
    # From t=1 to t=2 both c1 and c2 wait: max_queue 2.
    res = run([klass("a", [0, 0.5, 1.0], 2)], [team("t", ["a"], 1)])
    assert_times(res, wait=[0, 1.5, 3], start=[0, 2, 4], end=[2, 4, 6])
    assert kpi(res, "max_queue") == 2
    # Nobody waits with 3 servers: the 95th percentile of the (all zero) waits is exactly 0.
    res = run([klass("a", [0, 0.5, 1.0], 2)], [team("t", ["a"], 3)])
    assert_times(res, wait=[0, 0, 0], start=[0, 0.5, 1], end=[2, 2.5, 3])
    assert kpi(res, "p95_wait") == 0
    assert kpi(res, "max_queue") == 0
    assert kpi(res, "service_level") == 1


def test_p95_of_identical_waits_is_within_documented_half_percent():
    # A blocker (no patience) occupies the single server from 0 to 50; 19 patient customers
    # arrive at 1, 1.1, ..., 2.8 and each abandons after exactly 1 minute.
    # Waits: one 0 and nineteen 1.0; every quantile definition puts the 95th percentile
    # at 1.0, and simsvc.metrics documents p95_wait as exact to within 0.5 %.
    res = run(
        [
            klass("blocker", [0], 50),
            klass("b", [1 + 0.1 * i for i in range(19)], 1, patience=det(1.0)),
        ],
        [team("t", ["blocker", "b"], 1)],
    )
    c = res.customers
    assert (c["outcome"] == "abandoned").sum() == 19
    assert c.loc[c["outcome"] == "abandoned", "wait"].to_numpy() == pytest.approx(np.ones(19))
    assert kpi(res, "p95_wait") == pytest.approx(1.0, rel=0.005)


# ----------------------------------------------------------------------------- priority
def test_non_preemptive_priority_single_server():
    # One server, service 2. low arrives at 0 and 0.25, high at 0.5 and 3.
    # low0 0-2 (the high arrival at 0.5 does not interrupt it);
    # at 2 high0 goes before the earlier low1: 2-4 (wait 1.5);
    # at 4 high1 (arrived 3) again goes first: 4-6 (wait 1); low1 6-8 (wait 5.75).
    res = run(
        [klass("low", [0, 0.25], 2, priority=2), klass("high", [0.5, 3], 2, priority=1)],
        [team("t", ["low", "high"], 1)],
    )
    c = res.customers.sort_values("arrival")
    assert c["class"].astype(str).tolist() == ["low", "low", "high", "high"]
    assert c["start"].tolist() == pytest.approx([0, 6, 2, 4])
    assert c["end"].tolist() == pytest.approx([2, 8, 4, 6])
    assert c["wait"].tolist() == pytest.approx([0, 5.75, 1.5, 1])
    by = res.by_class()
    assert by.loc[("high", "mean_wait"), "mean"] == pytest.approx((1.5 + 1) / 2)
    assert by.loc[("low", "mean_wait"), "mean"] == pytest.approx((0 + 5.75) / 2)
    assert by.loc[("low", "arrivals"), "mean"] == 2


def test_equal_priorities_are_first_come_first_served_across_classes():
    # Both classes priority 1; service 2: a0 0-2, b0 (arrived 0.5) 2-4, a1 (arrived 1) 4-6.
    res = run(
        [klass("a", [0, 1], 2, priority=1), klass("b", [0.5], 2, priority=1)],
        [team("t", ["a", "b"], 1)],
    )
    c = res.customers.sort_values("arrival")
    assert c["start"].tolist() == pytest.approx([0, 2, 4])
    assert c["class"].astype(str).tolist() == ["a", "b", "a"]


# ----------------------------------------------------------------------- abandonment
def test_deterministic_patience_abandonment_at_deadline():
    # One server, service 4, patience 2; arrivals 0, 1, 2.
    # c0 0-4. c1's deadline is 1 + 2 = 3 < 4: abandons after waiting exactly 2.
    # c2's deadline is 2 + 2 = 4, exactly when the server frees: it is served 4-8 (wait 2).
    res = run([klass("a", [0, 1, 2], 4, patience=det(2))], [team("t", ["a"], 1)])
    assert_times(res, wait=[0, 2, 2], start=[0, None, 4], end=[4, None, 8])
    c = res.customers
    assert c["outcome"].tolist() == ["served", "abandoned", "served"]
    assert c["team"].isna().tolist() == [False, True, False]
    assert kpi(res, "abandoned") == 1
    assert kpi(res, "abandonment_rate") == pytest.approx(1 / 3)
    assert kpi(res, "mean_wait") == pytest.approx((0 + 2 + 2) / 3)  # abandoners: time to abandonment
    assert kpi(res, "mean_wait_served") == pytest.approx((0 + 2) / 2)
    # Abandoners never meet the target: only c0 (wait 0 <= 0.5).
    assert kpi(res, "service_level") == pytest.approx(1 / 3)
    # Busy 0-8 except nothing else: 8 busy minutes over 60.
    assert kpi(res, "utilization") == pytest.approx(8 / 60)


# --------------------------------------------------------------------------- balking
def test_balking_at_one_waiting():
    # balk_at 1, one server, service 5; arrivals 0, 1, 2, 3, 6.
    # c0 0-5; c1 finds nobody waiting, joins, 5-10 (wait 4); c2 and c3 find c1 waiting and
    # balk; c4 at 6 finds the queue empty (c1 started at 5), joins, 10-15 (wait 4).
    res = run([klass("a", [0, 1, 2, 3, 6], 5, balk_at=1)], [team("t", ["a"], 1)])
    assert_times(res, wait=[0, 4, None, None, 4], start=[0, 5, None, None, 10], end=[5, 10, None, None, 15])
    assert res.customers["outcome"].tolist() == ["served", "served", "balked", "balked", "served"]
    assert kpi(res, "balked") == 2
    assert kpi(res, "balk_rate") == pytest.approx(2 / 5)
    assert kpi(res, "mean_wait") == pytest.approx((0 + 4 + 4) / 3)  # balkers never joined
    assert kpi(res, "service_level") == pytest.approx(1 / 5)


def test_balking_counts_only_customers_still_waiting():
    # balk_at 1, patience 1, service 5, arrivals 0, 1, 2.5.
    # c1 joins at 1 and abandons at 2; c2 at 2.5 finds nobody waiting, joins, abandons at 3.5.
    res = run([klass("a", [0, 1, 2.5], 5, balk_at=1, patience=det(1))], [team("t", ["a"], 1)])
    assert res.customers["outcome"].tolist() == ["served", "abandoned", "abandoned"]
    assert_times(res, wait=[0, 1, 1], start=[0, None, None], end=[5, None, None])


# ---------------------------------------------------------------------------- shifts
def test_shift_end_server_finishes_customer_then_leaves():
    # Shifts: 1 server 00:00-00:10 plus 1 server 00:00-01:00 (2 -> 1 at minute 10).
    # Service 15; arrivals 0, 1, 2. c0 0-15, c1 1-16; c2 waits. At 10 staff drops to 1 while
    # both are busy; the server freeing at 15 leaves (its shift is over), so c2 waits for the
    # other one: 16-31 (wait 14).
    shifts = [
        {"start": "00:00", "end": "00:10", "staff": 1},
        {"start": "00:00", "end": "01:00", "staff": 1},
    ]
    res = run([klass("a", [0, 1, 2], 15)], [team("t", ["a"], shifts=shifts)])
    assert_times(res, wait=[0, 0, 14], start=[0, 1, 16], end=[15, 16, 31])
    # Busy: 15 + 15 + 15 = 45. On duty: 2 x 10 (0-10) + 2 x 5 (10-15, the leaving server
    # finishes c0) + 1 x 45 (15-60) = 75.
    assert kpi(res, "utilization") == pytest.approx(45 / 75)


def test_shift_start_new_server_takes_waiting_customer():
    # 1 server all hour, a second from 00:05; service 10; arrivals 0, 1.
    # c1 waits until the second server arrives at 5: 5-15 (wait 4).
    shifts = [
        {"start": "00:00", "end": "01:00", "staff": 1},
        {"start": "00:05", "end": "01:00", "staff": 1},
    ]
    res = run([klass("a", [0, 1], 10)], [team("t", ["a"], shifts=shifts)])
    assert_times(res, wait=[0, 4], start=[0, 5], end=[10, 15])
    # Busy 20; on duty 1 x 5 + 2 x 55 = 115.
    assert kpi(res, "utilization") == pytest.approx(20 / 115)


def test_staff_per_interval_including_an_unstaffed_interval():
    # Intervals of 10 min with staff [1, 0, 2]; service 5; arrivals 0, 1, 12, 15.
    # c0 0-5; c1 5-10; c2 and c3 wait through the unstaffed interval and both start at 20.
    res = run([klass("a", [0, 1, 12, 15], 5)], [team("t", ["a"], [1, 0, 2])], close="00:30", interval=10)
    assert_times(res, wait=[0, 4, 8, 5], start=[0, 5, 20, 20], end=[5, 10, 25, 25])
    # Busy 20; on duty 10 + 0 + 2 x 10 = 30.
    assert kpi(res, "utilization") == pytest.approx(20 / 30)
    assert kpi(res, "max_queue") == 2


def test_break_between_shifts():
    # Shifts 00:00-00:03 and 00:20-01:00, one server each; service 5; arrivals 0, 1, 2.
    # c0 0-5 (finished after the shift ends at 3); c1 and c2 wait for 00:20: 20-25, 25-30.
    shifts = [
        {"start": "00:00", "end": "00:03", "staff": 1},
        {"start": "00:20", "end": "01:00", "staff": 1},
    ]
    res = run([klass("a", [0, 1, 2], 5)], [team("t", ["a"], shifts=shifts)])
    assert_times(res, wait=[0, 19, 23], start=[0, 20, 25], end=[5, 25, 30])
    # Busy 15; on duty 3 + 2 (finishing c0) + 40 = 45.
    assert kpi(res, "utilization") == pytest.approx(15 / 45)


def test_utilization_per_interval():
    # Intervals of 10 min; service 8; arrivals 0, 5, 12: busy 0-24 without a break.
    res = run([klass("a", [0, 5, 12], 8)], [team("t", ["a"], 1)], close="00:30", interval=10)
    assert_times(res, wait=[0, 3, 4], start=[0, 8, 16], end=[8, 16, 24])
    assert res.customers["interval"].astype(str).tolist() == ["00:00", "00:00", "00:10"]
    util = res.by_interval().xs("utilization", level="kpi")["mean"]
    assert util.to_dict() == pytest.approx({"00:00": 1.0, "00:10": 1.0, "00:20": 0.4})
    arrivals = res.by_interval().xs("arrivals", level="kpi")["mean"]
    assert arrivals.to_dict() == {"00:00": 2, "00:10": 1, "00:20": 0}


def test_priority_patience_and_specialist_team_together():
    # Team A (1) serves lo and hi, team B (1) only hi; service 10; lo has patience 12.
    # lo0 -> A 0-10; lo1 (0.5) and lo2 (1) wait (B does not serve lo); hi0 at 2 -> B 2-12;
    # hi1 at 3 waits; at 10 A takes hi1 (priority) 10-20; at 12 B finds no hi waiting;
    # lo1 and lo2 abandon at 12.5 and 13 (waits 12), before A frees at 20.
    res = run(
        [
            klass("lo", [0, 0.5, 1], 10, priority=2, patience=det(12)),
            klass("hi", [2, 3], 10, priority=1),
        ],
        [team("A", ["lo", "hi"], 1), team("B", ["hi"], 1)],
    )
    assert_times(res, wait=[0, 12, 12, 0, 7], start=[0, None, None, 2, 10], end=[10, None, None, 12, 20])
    c = res.customers
    assert c["outcome"].astype(str).tolist() == ["served", "abandoned", "abandoned", "served", "served"]
    assert col(res, "team") == ["A", None, None, "B", "A"]
    by = res.by_class()
    assert by.loc[("lo", "abandonment_rate"), "mean"] == pytest.approx(2 / 3)
    assert by.loc[("hi", "mean_wait"), "mean"] == pytest.approx(3.5)


def test_closing_with_customers_inside_they_are_served():
    # Open 00:00-00:10, staff 1, service 5, arrivals 0, 8, 9.
    # c0 0-5; c1 8-13; c2 waits, served after closing 13-18. Nobody arrives after closing.
    res = run([klass("a", [0, 8, 9], 5)], [team("t", ["a"], 1)], close="00:10", interval=10)
    assert_times(res, wait=[0, 0, 4], start=[0, 8, 13], end=[5, 13, 18])
    assert res.customers["outcome"].tolist() == ["served"] * 3
    assert kpi(res, "served") == 3
    # Busy 15; on duty 10 (open period) + 8 (10-18, finishing after closing) = 18.
    assert kpi(res, "utilization") == pytest.approx(15 / 18)


def test_a_team_that_worked_keeps_one_server_after_its_last_shift():
    # Open 00:00-00:30; one server on a shift 00:00-00:10; service 5; arrivals 0, 12.
    # c0 0-5; c1 arrives after the shift, waits until closing (30), and the one server the
    # closing rule keeps for a team that worked that day serves it 30-35.
    shifts = [{"start": "00:00", "end": "00:10", "staff": 1}]
    res = run([klass("a", [0, 12], 5)], [team("t", ["a"], shifts=shifts)], close="00:30", interval=10)
    assert_times(res, wait=[0, 18], start=[0, 30], end=[5, 35])


def test_a_team_with_no_staff_on_a_day_serves_nobody_that_day(tmp_path):
    # Two days, open 00:00-01:00; the team's only shift works day 0. On day 1 nobody is on
    # duty: its customers (arrivals 10, 20 and, patient for 15 minutes, 30) are not served.
    # The patient one leaves at 30 + 15 = 45; the others wait until closing (1440 + 60) and
    # leave then, counted as abandoned. Day 0's customer (arrival 5) is served 5-10.
    (tmp_path / "trace.csv").write_text("time,day\n5,0\n10,1\n20,1\n", encoding="utf-8")
    (tmp_path / "patient.csv").write_text("time,day\n30,1\n", encoding="utf-8")
    classes = [
        {"name": "a", "arrivals": {"trace_csv": "trace.csv"}, "service_time": det(5)},
        {"name": "b", "arrivals": {"trace_csv": "patient.csv"}, "service_time": det(5), "patience": det(15)},
    ]
    shifts = [{"start": "00:00", "end": "01:00", "staff": 1, "days": [0]}]
    scenario = make(classes, [team("t", ["a", "b"], shifts=shifts)], days=2, base_dir=tmp_path)
    res = simsvc.simulate(scenario, keep_records=True)
    c = res.customers.sort_values("arrival")
    assert c["outcome"].tolist() == ["served", "abandoned", "abandoned", "abandoned"]
    day1 = 1440.0
    assert c["wait"].tolist() == pytest.approx([0, 60 - 10, 60 - 20, 15])
    assert c["arrival"].tolist() == pytest.approx([5, day1 + 10, day1 + 20, day1 + 30])
    assert kpi(res, "served") == 1
    assert any("no staff on duty" in w and "day(s) 2 of 2" in w for w in res.warnings), res.warnings


def test_staff_zero_in_every_interval_serves_nobody_and_says_so(tmp_path):
    # staff: [0, 0] all day: the customers (arrivals 1, 2) wait until closing (60) and leave.
    res = run([klass("a", [1, 2], 5)], [team("t", ["a"], [0, 0])], interval=30)
    assert res.customers["outcome"].tolist() == ["abandoned", "abandoned"]
    assert col(res, "wait") == pytest.approx([59, 58])
    assert col(res, "start") == [None, None]
    assert kpi(res, "served") == 0
    assert any("class 'a' on day(s) 1 of 1 (team(s) 't')" in w for w in res.warnings), res.warnings
    done = invoke_cli("validate", str(_saved(tmp_path, res.scenario)))
    assert done.returncode == 0 and "these customers are not served" in " ".join(done.stderr.split())


def _saved(tmp_path: Any, scenario: simsvc.Scenario) -> Any:
    from simsvc.scenario.dump import scenario_yaml

    path = tmp_path / "scenario.yaml"
    scenario_yaml(scenario, path)
    return path


def test_utilization_ignores_shift_time_outside_opening_hours(tmp_path):
    # Open 09:00-17:00 on 2 days; one server on a shift 08:00-18:00 (an hour before opening
    # and after closing). On each day one customer arrives at opening and is served 60 min.
    # metrics: "utilization: busy server-minutes over on-duty server-minutes (staff finishing
    # a customer after their shift, or after closing, count as on duty while they do)", so
    # each day is 60 busy over 480 on-duty minutes of the opening hours; the two identical
    # days must at least report the same utilization.
    (tmp_path / "trace.csv").write_text("time,day\n0,0\n0,1\n", encoding="utf-8")
    classes = [
        {"name": "a", "arrivals": {"trace_csv": "trace.csv"}, "service_time": det(60)},
    ]
    shifts = [{"start": "08:00", "end": "18:00", "staff": 1}]
    res = run(
        classes,
        [team("t", ["a"], shifts=shifts)],
        open="09:00",
        close="17:00",
        days=2,
        base_dir=tmp_path,
    )
    assert res.customers["start"].tolist() == pytest.approx([540, 1440 + 540])
    by_day = res.by_day()
    day1 = by_day.loc[("1", "utilization"), "mean"]
    day2 = by_day.loc[("2", "utilization"), "mean"]
    assert day1 == pytest.approx(day2)
    assert day1 == pytest.approx(60 / 480)
    assert kpi(res, "utilization") == pytest.approx(120 / 960)


# -------------------------------------------------------------------- teams and speed
def test_routing_first_idle_team_in_scenario_order_and_speed():
    # Team A: 1 server, speed 1. Team B: 1 server, training level 1 with speed 2.
    # Service need 10; arrivals 0, 1, 2, 30.
    # c0 -> A (first team, idle) 0-10; c1 -> B (A busy) 1-6 (10 / 2);
    # c2 waits; B frees first at 6: 6-11; c3 at 30 finds both idle -> A, 30-40.
    levels = [{"level": 0, "speed": 1.0}, {"level": 1, "speed": 2.0}]
    teams = [team("A", ["a"], 1), team("B", ["a"], 1, training_level=1)]
    res = run([klass("a", [0, 1, 2, 30], 10)], teams, levels=levels)
    assert_times(res, wait=[0, 0, 4, 0], start=[0, 1, 6, 30], end=[10, 6, 11, 40])
    assert res.customers["team"].astype(str).tolist() == ["A", "B", "B", "A"]
    assert kpi(res, "mean_service_time") == pytest.approx((10 + 5 + 5 + 10) / 4)
    # Swapping the scenario order of the teams changes the routing:
    # c0 -> B 0-5; c1 -> A 1-11; c2 waits for B (free at 5): 5-10; c3 -> B 30-35.
    res = run([klass("a", [0, 1, 2, 30], 10)], teams[::-1], levels=levels)
    assert_times(res, wait=[0, 0, 3, 0], start=[0, 1, 5, 30], end=[5, 11, 10, 35])
    assert res.customers["team"].astype(str).tolist() == ["B", "A", "B", "B"]


def test_team_only_serves_its_classes():
    # "gen" serves a and b, "spec" serves only b; service 10.
    # a0 -> gen 0-10; a1 waits for gen although spec is idle: 10-20; b0 at 2 -> spec 2-12.
    res = run(
        [klass("a", [0, 1], 10), klass("b", [2], 10)],
        [team("gen", ["a", "b"], 1), team("spec", ["b"], 1)],
    )
    c = res.customers.sort_values("arrival")
    assert c["start"].tolist() == pytest.approx([0, 10, 2])
    assert c["team"].astype(str).tolist() == ["gen", "gen", "spec"]


def test_training_speed_halves_service_time():
    # Speed 2: a need of 4 minutes takes 2. Arrivals 0, 1, 10 on one server:
    # c0 0-2, c1 2-4 (wait 1), c2 10-12.
    levels = [{"level": 0, "speed": 1.0}, {"level": 3, "speed": 2.0, "wage_per_hour": 30}]
    res = run([klass("a", [0, 1, 10], 4)], [team("t", ["a"], 1, training_level=3)], levels=levels)
    assert_times(res, wait=[0, 1, 0], start=[0, 2, 10], end=[2, 4, 12])
    assert kpi(res, "mean_service_time") == pytest.approx(2.0)
    assert kpi(res, "utilization") == pytest.approx(6 / 60)


# ---------------------------------------------------------------------------- warm-up
def test_warmup_excludes_early_arrivals():
    # Intervals of 10 min, open 00:00-00:30, warm-up 10 (one whole interval).
    # Service 2, one server; arrivals 0, 5 (warm-up), 12, 20, 25.
    res = run(
        [klass("a", [0, 5, 12, 20, 25], 2)],
        [team("t", ["a"], 1)],
        close="00:30",
        interval=10,
        warmup=10,
    )
    c = res.customers
    assert c["warmup"].tolist() == [True, True, False, False, False]
    assert len(c) == 5  # the records keep warm-up customers, flagged
    assert kpi(res, "arrivals") == 3
    assert kpi(res, "served") == 3
    # After the warm-up: 3 x 2 busy minutes over 20 on-duty minutes.
    assert kpi(res, "utilization") == pytest.approx(6 / 20)
    by_interval = res.by_interval()
    assert by_interval.loc[("00:00", "arrivals"), "mean"] == 0
    assert by_interval.loc[("00:10", "arrivals"), "mean"] == 1
    assert by_interval.loc[("00:20", "arrivals"), "mean"] == 2


def test_warmup_not_aligned_with_intervals_filters_by_arrival_time():
    # Warm-up 7 min: arrivals 0 and 5 are excluded, 8 and 12 count (even though 8 is in the
    # first interval). Waits: 8 -> 0 (server free since 2), so mean_wait 0.
    res = run(
        [klass("a", [0, 5, 8, 12], 2)],
        [team("t", ["a"], 1)],
        close="00:30",
        interval=10,
        warmup=7,
    )
    assert res.customers["warmup"].tolist() == [True, True, False, False]
    assert kpi(res, "arrivals") == 2
    assert kpi(res, "mean_wait") == 0


# ------------------------------------------------------------------------ reproducibility
def _poisson_scenario(staff: int = 3, extra_class: bool = False, seed: int = 5) -> simsvc.Scenario:
    classes = [
        {
            "name": "a",
            "arrivals": {"per_hour": 60},
            "service_time": {"dist": "exponential", "mean": 2.5},
            "patience": {"dist": "exponential", "mean": 3.0},
        }
    ]
    if extra_class:
        classes.append(
            {
                "name": "z",
                "arrivals": {"per_hour": 30},
                "service_time": {"dist": "gamma", "mean": 2, "cv": 0.5},
            }
        )
    return make(
        classes,
        [team("t", [c["name"] for c in classes], staff)],
        close="03:00",
        replications=3,
        seed=seed,
    )


def test_same_seed_gives_identical_customers():
    sc = _poisson_scenario()
    first = simsvc.simulate(sc, keep_records=True).customers
    second = simsvc.simulate(sc, keep_records=True).customers
    assert len(first) > 100
    pd.testing.assert_frame_equal(first, second)
    other = simsvc.simulate(sc, seed=6, keep_records=True).customers
    assert not first["arrival"].equals(other["arrival"])
    # The replications are different draws.
    rep0 = first.loc[first["replication"] == 0, "arrival"].to_numpy()
    rep1 = first.loc[first["replication"] == 1, "arrival"].to_numpy()
    assert len(rep0) != len(rep1) or not np.array_equal(rep0, rep1)


def test_common_random_numbers_across_staffing_and_classes():
    # Documented: same seed -> same customers whatever the staffing or the other classes.
    base = simsvc.simulate(_poisson_scenario(staff=3), keep_records=True).customers
    more = simsvc.simulate(_poisson_scenario(staff=5), keep_records=True).customers
    pd.testing.assert_series_equal(base["arrival"], more["arrival"])
    both = simsvc.simulate(_poisson_scenario(staff=5, extra_class=True), keep_records=True).customers
    a = both[both["class"] == "a"].reset_index(drop=True)
    assert a["arrival"].to_numpy() == pytest.approx(base["arrival"].to_numpy(), abs=0)


def test_trace_replications_are_identical():
    sc = make([klass("a", [0, 1, 2, 7.5], 3)], [team("t", ["a"], 1)], replications=2)
    c = simsvc.simulate(sc, keep_records=True).customers
    cols = ["customer", "arrival", "wait", "start", "end", "outcome", "team"]
    r0 = c[c["replication"] == 0][cols].reset_index(drop=True)
    r1 = c[c["replication"] == 1][cols].reset_index(drop=True)
    pd.testing.assert_frame_equal(r0, r1)
    summary = simsvc.simulate(sc).summary()
    # Identical replications: the confidence interval collapses onto the mean.
    assert summary.loc["mean_wait", "ci_low"] == pytest.approx(summary.loc["mean_wait", "mean"])
    assert summary.loc["mean_wait", "ci_high"] == pytest.approx(summary.loc["mean_wait", "mean"])


# ---------------------------------------------------------------- property-based checks
# Arrivals on a quarter-minute grid within the first 15 minutes (ties included), so that
# queues, abandonment and balking are common.
times = st.lists(
    st.floats(min_value=0, max_value=14.75, allow_nan=False).map(lambda t: round(t * 4) / 4),
    min_size=1,
    max_size=25,
)


@st.composite
def small_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    n_classes = draw(st.integers(1, 2))
    classes = []
    for k in range(n_classes):
        service: dict[str, Any]
        if draw(st.booleans()):
            service = det(draw(st.sampled_from([0.5, 1.0, 2.5, 4.0, 7.0])))
        else:
            service = {"dist": "exponential", "mean": draw(st.sampled_from([1.0, 3.0, 6.0]))}
        spec: dict[str, Any] = {
            "name": f"c{k}",
            "arrivals": {"trace": sorted(draw(times))},
            "service_time": service,
            "priority": draw(st.integers(1, 2)),
        }
        if draw(st.booleans()):
            spec["patience"] = draw(st.sampled_from([det(1.5), det(4.0), {"dist": "exponential", "mean": 3.0}]))
        if draw(st.booleans()):
            spec["balk_at"] = draw(st.integers(1, 3))
        classes.append(spec)
    names = [c["name"] for c in classes]
    n_teams = draw(st.integers(1, 2))
    teams = [
        team(f"t{i}", names, draw(st.integers(1, 3)), training_level=draw(st.sampled_from([0, 1])))
        for i in range(n_teams)
    ]
    return {"classes": classes, "teams": teams}


LEVELS = [{"level": 0, "speed": 1.0}, {"level": 1, "speed": 2.0}]


def _simulate(spec: dict[str, Any], **kwargs: Any) -> simsvc.SimResult:
    sc = make(spec["classes"], spec["teams"], levels=LEVELS, replications=2, **kwargs)
    return simsvc.simulate(sc, keep_records=True)


def _in_service(c: pd.DataFrame, t: float) -> int:
    served = c[c["outcome"] == "served"]
    return int(((served["start"] <= t) & (t < served["end"])).sum())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=small_scenarios())
def test_invariants_on_random_small_scenarios(spec: dict[str, Any]):
    res = _simulate(spec)
    c = res.customers
    n_trace = sum(len(cls["arrivals"]["trace"]) for cls in spec["classes"])
    speeds = {f"t{i}": LEVELS[t["training_level"]]["speed"] for i, t in enumerate(spec["teams"])}
    staff = {f"t{i}": t["staff"] for i, t in enumerate(spec["teams"])}

    k = res.kpis[res.kpis["group"] == "overall"].pivot(index="replication", columns="kpi", values="value")
    assert len(k) == 2
    # Conservation: every arrival is served, abandons or balks.
    assert (k["arrivals"] == k["served"] + k["abandoned"] + k["balked"]).all()
    assert (k["arrivals"] == n_trace).all()

    for r, rep in c.groupby("replication"):
        assert len(rep) == n_trace
        assert sorted(rep["customer"]) == list(range(n_trace))
        served = rep[rep["outcome"] == "served"]
        abandoned = rep[rep["outcome"] == "abandoned"]
        balked = rep[rep["outcome"] == "balked"]
        assert (rep.loc[rep["outcome"] != "balked", "wait"] >= 0).all()
        assert balked["wait"].isna().all() and balked["start"].isna().all()
        assert abandoned["start"].isna().all() and abandoned["team"].isna().all()
        assert (served["start"] >= served["arrival"]).all()
        assert served["wait"].to_numpy() == pytest.approx((served["start"] - served["arrival"]).to_numpy())
        assert (served["end"] >= served["start"]).all()
        # KPIs agree with the records.
        assert k.loc[r, "served"] == len(served)
        assert k.loc[r, "abandoned"] == len(abandoned)
        assert k.loc[r, "balked"] == len(balked)
        joined = rep[rep["outcome"] != "balked"]
        assert k.loc[r, "mean_wait"] == pytest.approx(joined["wait"].mean(), nan_ok=True)
        assert k.loc[r, "service_level"] == pytest.approx(
            ((rep["outcome"] == "served") & (rep["wait"] <= 0.5 + 1e-9)).mean()
        )
        # Deterministic service: end - start == need / speed of the serving team.
        need = {cls["name"]: cls["service_time"].get("value") for cls in spec["classes"]}
        for row in served.itertuples():
            if need[row[3]] is not None:  # column 3 is "class"
                assert row.end - row.start == pytest.approx(need[row[3]] / speeds[row.team])
        # Capacity: never more customers in service in a team than its staff.
        for name, group in served.groupby("team", observed=True):
            for t in group["start"]:
                assert _in_service(group, t) <= staff[str(name)]
        # First come, first served within a class (every team takes the head of the queue).
        for _, cls_rows in served.groupby("class", observed=True):
            starts = cls_rows.sort_values("arrival", kind="stable")["start"].to_numpy()
            assert (np.diff(starts) >= -1e-9).all()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=small_scenarios(), extra=st.integers(0, 2))
def test_nobody_waits_when_servers_outnumber_arrivals(spec: dict[str, Any], extra: int):
    n_trace = sum(len(cls["arrivals"]["trace"]) for cls in spec["classes"])
    spec["teams"][0]["staff"] = n_trace + extra
    res = _simulate(spec)
    c = res.customers
    assert (c["wait"] == 0).all()
    assert (c["outcome"] == "served").all()
    assert (c["start"] == c["arrival"]).all()
    assert (c["team"] == "t0").all()  # the first team always has an idle server
    assert kpi(res, "service_level") == 1
    assert kpi(res, "mean_wait") == 0
    assert kpi(res, "max_queue") == 0


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=small_scenarios())
def test_work_conservation_single_team(spec: dict[str, Any]):
    # With one team serving every class and constant staff, a customer waits only while
    # every server is busy: at the midpoint of every stretch between consecutive starts and
    # ends inside (arrival, start or abandonment), all servers are in service.
    spec["teams"] = spec["teams"][:1]
    staff = spec["teams"][0]["staff"]
    res = _simulate(spec)
    c = res.customers
    for _, rep in c.groupby("replication"):
        served = rep[rep["outcome"] == "served"]
        events = np.sort(np.concatenate([served["start"].to_numpy(), served["end"].to_numpy()]))
        waited = rep[(rep["outcome"] != "balked") & (rep["wait"] > 0)]
        for row in waited.itertuples():
            lo, hi = row.arrival, row.arrival + row.wait
            cuts = np.concatenate([[lo], events[(events > lo) & (events < hi)], [hi]])
            for a, b in itertools.pairwise(cuts):
                if b - a > 1e-9:
                    assert _in_service(served, (a + b) / 2) == staff, (row, a, b)
