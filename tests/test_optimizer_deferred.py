"""The optimizer on deferred work: the fluid backlog's constraints by hand, its plan proven by simulation."""

from __future__ import annotations

import numpy as np
import pytest

import simsvc
from simsvc.staffing.backlog import backlog_rows, buckets, fluid_share, reachable_share


def desk(target_hours=24.0, per_hour=30.0, overnight=5.0, days=3, goal=0.9, replications=20, seed=7) -> dict:
    """An email desk open 08:00-18:00 (6-minute exponential handling), work by day and by night."""
    return {
        "name": "email desk",
        "horizon": {"days": days, "open": "08:00", "close": "18:00", "interval_minutes": 60},
        "customer_classes": [{"name": "email", "arrivals": {"per_hour": per_hour, "overnight_per_hour": overnight},
                              "service_time": {"dist": "exponential", "mean": 6.0}}],
        "teams": [{"name": "email_desk", "serves": ["email"], "deferred": {"target_hours": target_hours},
                   "staff": 3}],
        "training_levels": [{"level": 0, "speed": 1.0, "wage_per_hour": 24}],
        "quality": {"enabled": False},
        "targets": {"service_level": {"within": 0.5, "fraction": 0.8}, "deferred_within_target": goal},
        "optimizer": {"shifts": [{"teams": ["email_desk"], "lengths": [240, 480],
                                  "start": {"earliest": "08:00", "latest": "10:00", "every": 60}}]},
        "simulation": {"replications": replications, "seed": seed},
    }  # fmt: skip


def two_hours() -> simsvc.Scenario:
    return simsvc.load_scenario(
        {**desk(), "horizon": {"days": 2, "open": "08:00", "close": "10:00", "interval_minutes": 60}}
    )


def test_the_backlog_windows_by_hand():
    # Two days of two hours (cells at 08:00, 09:00 and, next day, 32:00, 33:00 in minutes from day 0's
    # midnight); 120 minutes of work in the first cell, none in the others, a night of 22 hours in
    # pieces of an hour carrying 1 minute each, target 3 hours.
    scenario = two_hours()
    work = buckets(scenario, np.array([120.0, 0.0, 0.0, 0.0]), 1.0 / 60.0, 180.0)
    assert len(work.work) == 2 + 22 + 2 and work.work.sum() == pytest.approx(120.0 + 22.0)
    rows = {(r.first, r.last): r for r in backlog_rows(scenario, work, None)}
    # The first cell's work is due by 11:00: both cells of day 0 may do it (60 minutes a person each).
    first = rows[0, 0]
    assert first.cells.tolist() == [0, 1] and first.weight.tolist() == [60.0, 60.0] and first.work == 120.0
    # Night pieces sent from 10:00 to 05:00 next day (the first 20) are due by 08:00 at the latest, before
    # anyone is on duty: no window ends with one. The one sent at 06:00 is due at 09:00, by the 08:00 cell,
    # after all the night's work since 10:00 (FIFO: the hopeless pieces are answered first).
    assert not any(last in range(2, 2 + 20) for _, last in rows)
    assert rows[2, 2 + 20].cells.tolist() == [2] and rows[2, 2 + 20].work == pytest.approx(21.0)
    # What no staffing reaches: those 20 pieces' 20 minutes of the 22 + 120 due.
    assert reachable_share(scenario, work) == pytest.approx(1 - 20 / 142)


def test_the_fluid_share_by_hand():
    scenario = two_hours()
    work = buckets(scenario, np.array([60.0, 60.0, 0.0, 0.0]), 0.0, 90.0)
    # One person an hour: the 08:00 work (all in by 09:00) is done at 10:00, past its deadline 09:30;
    # the 09:00 work waits for day 1: late too. Two at 09:00 only: the 08:00 work done at 09:30 (in
    # time), the 09:00 work never: half the work.
    assert fluid_share(scenario, work, np.array([1.0, 1.0, 1.0, 1.0])) == pytest.approx(0.0)
    assert fluid_share(scenario, work, np.array([0.0, 2.0, 0.0, 0.0])) == pytest.approx(0.5)


def test_a_target_no_staffing_reaches_is_refused_with_the_best_share():
    # Target 2 h: everything sent between 18:00 and 06:00 is late however many are on duty.
    scenario = simsvc.load_scenario(desk(target_hours=2.0, goal=0.9))
    with pytest.raises(simsvc.InfeasibleError, match=r"cannot answer 0.9 of its deferred work within 2 h"):
        simsvc.optimize(scenario, simulate_plan=False)


def test_live_kpis_leave_deferred_work_out():
    # A phone line beside the email desk: the overall service level and abandonment are the phone's.
    data = desk(days=2)
    data["customer_classes"].append({
        "name": "phone", "arrivals": {"per_hour": 40}, "service_time": {"dist": "exponential", "mean": 4.0},
        "patience": {"dist": "exponential", "mean": 3.0},
    })  # fmt: skip
    data["teams"].append({"name": "agents", "serves": ["phone"], "staff": 3})
    result = simsvc.simulate(simsvc.load_scenario(data), replications=4)
    kpis = result.kpis.set_index(["replication", "group", "key", "kpi"])["value"]
    for r in range(4):
        for kpi in ("service_level", "abandonment_rate"):
            assert kpis[r, "overall", "all", kpi] == kpis[r, "class", "phone", kpi]
        assert np.isnan(kpis[r, "class", "email", "service_level"])


def test_the_deferred_plan_meets_its_target_in_a_verification_with_another_seed_and_three_times_the_replications():
    scenario = simsvc.load_scenario(desk(target_hours=24.0, goal=0.9))
    plan = simsvc.optimize(scenario)
    assert plan.status == "confirmed", plan.iterations[-1].misses
    assert 0.9 <= plan.predicted["deferred_within_target"] <= 1.0
    check = simsvc.simulate(plan.scenario, replications=60, seed=99).summary()
    assert check.loc["deferred_within_target", "ci_low"] >= 0.9


def test_two_desks_sharing_deferred_work_are_each_planned_by_their_backlog_not_pooled():
    from simsvc.staffing.pooling import pools

    data = desk()
    data["teams"].append({"name": "email_desk_2", "serves": ["email"], "deferred": {"target_hours": 24}, "staff": 2})
    data["optimizer"]["shifts"][0]["teams"].append("email_desk_2")
    scenario = simsvc.load_scenario(data)
    assert pools(scenario) == []
    plan = simsvc.optimize(scenario, simulate_plan=False)
    assert set(plan.staffing["team"]) == {"email_desk", "email_desk_2"}
    assert plan.staffing.groupby("team")["staff"].sum().min() > 0  # each takes its half of the work
