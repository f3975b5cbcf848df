"""Shifts that work only some days and have unpaid breaks: on-duty staff and wages follow them exactly."""

from __future__ import annotations

import pytest

import simsvc
from simsvc.sim.rota import day_steps, staff_at


def scenario(per_hour=0.0):
    return simsvc.load_scenario(
        {
            "name": "rota",
            "horizon": {"days": 2, "open": "09:00", "close": "17:00", "interval_minutes": 60},
            "customer_classes": [
                {"name": "c", "arrivals": {"per_hour": per_hour}, "service_time": {"dist": "deterministic", "value": 1}}
            ],
            "teams": [
                {
                    "name": "t",
                    "serves": ["c"],
                    "shifts": [
                        {"start": "09:00", "end": "17:00", "staff": 2, "days": [0]},
                        {"start": "09:00", "end": "17:00", "staff": 1, "days": [1],
                         "breaks": [{"start": "12:00", "end": "12:30"}]},
                        {"start": "13:00", "end": "17:00", "staff": 1},
                    ],
                }
            ],
            "training_levels": [{"level": 0, "wage_per_hour": 60}],
            "quality": {"enabled": False},
            "simulation": {"replications": 2, "seed": 1},
        }
    )


def test_staff_on_duty_by_day():
    s = scenario()
    team, h = s.teams[0], s.horizon
    assert staff_at(team, h, 10 * 60, day=0) == 2
    assert staff_at(team, h, 14 * 60, day=0) == 3
    assert staff_at(team, h, 12 * 60 + 10, day=1) == 0  # on a break
    assert staff_at(team, h, 12 * 60 + 30, day=1) == 1
    assert staff_at(team, h, 13 * 60, day=1) == 2
    assert day_steps(team, h, 1) == [(0.0, 0), (540.0, 1), (720.0, 0), (750.0, 1), (780.0, 2), (1020.0, 0)]


def test_wages_follow_days_and_unpaid_breaks():
    by_day = simsvc.simulate(scenario(), replications=2).by_day()
    # Day 1: 2 × 8 h + 4 h; day 2: 7.5 h + 4 h; at 60 per hour (= 1 per minute).
    assert by_day.loc[("1", "cost_wages"), "mean"] == pytest.approx((2 * 480 + 240) * 1.0)
    assert by_day.loc[("2", "cost_wages"), "mean"] == pytest.approx((450 + 240) * 1.0)


def test_day_outside_the_horizon_is_refused():
    data = scenario().model_dump(mode="json", by_alias=True, exclude_none=True)
    data["teams"][0]["shifts"][0]["days"] = [0, 2]
    for cls in data["customer_classes"]:
        cls["arrivals"] = {"per_hour": [0.0]}
    with pytest.raises(simsvc.ScenarioError, match=r"teams\[0\]\.shifts\[0\]\.days: day 2 is outside the horizon"):
        simsvc.load_scenario(data)


def test_break_outside_the_shift_is_refused():
    data = scenario().model_dump(mode="json", by_alias=True, exclude_none=True)
    data["teams"][0]["shifts"][1]["breaks"] = [{"start": "08:00", "end": "08:30"}]
    for cls in data["customer_classes"]:
        cls["arrivals"] = {"per_hour": [0.0]}
    with pytest.raises(simsvc.ScenarioError, match=r"must lie inside the shift 09:00-17:00"):
        simsvc.load_scenario(data)
