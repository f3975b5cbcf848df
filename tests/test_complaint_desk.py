"""The complaint desk: its first-come recursion against Erlang C, its shift rules exactly,
and complaints decided in batches giving the same results whatever the batch size."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

import simsvc
from simsvc import queueing
from simsvc.sim import complaints
from simsvc.sim.complaint_desk import ComplaintDesk
from tests.confidence import assert_exact_in_ci
from tests.helpers import SCENARIOS


def desk_scenario(desk_teams: list[dict[str, Any]], days: int = 1, open_: str = "00:00", close: str = "24:00"):
    return simsvc.load_scenario({
        "name": "desk",
        "horizon": {"days": days, "open": open_, "close": close, "interval_minutes": 60},
        "customer_classes": [
            {"name": "c", "arrivals": {"per_hour": 1}, "service_time": {"dist": "exponential", "mean": 1}}
        ],
        "teams": [{"name": "t", "serves": ["c"], "staff": 1}],
        "training_levels": [{"level": 0}, {"level": 1, "speed": 1.25}],
        "complaints": {"teams": desk_teams},
    })  # fmt: skip


def new_desk(scenario: simsvc.Scenario) -> ComplaintDesk:
    h = scenario.horizon
    return ComplaintDesk(scenario, first_index=1, n_cells=h.days * h.n_intervals, warmup_end=h.open_minute)


# ----------------------------------------------------------- M/M/3 desk against Erlang C
LAM, MU, HANDLERS = 1.2, 0.5, 3  # rho = 0.8; relaxation time 1 / (mu (sqrt(c) - sqrt(a))^2) = 60 min
WARMUP, MEASURED_UNTIL = 120.0, 1200.0  # then four quiet hours: everyone measured is handled


def test_desk_waits_match_erlang_c() -> None:
    """Poisson complaints, exponential handling, three handlers all day: an M/M/3 queue."""
    sc = desk_scenario([{"name": "desk", "staff": HANDLERS}])
    rng = np.random.default_rng(20261123)
    mean_waits, waiting_shares = [], []
    for _ in range(300):
        desk = new_desk(sc)
        filed = np.cumsum(rng.exponential(1 / LAM, int(LAM * 1500)))
        need = rng.exponential(1 / MU, len(filed))
        waits = []
        for t, n in zip(filed.tolist(), need.tolist(), strict=True):
            if t >= MEASURED_UNTIL:
                break
            placed = desk.assign(t, n)
            assert placed is not None
            if t >= WARMUP:
                waits.append(placed[1] - t)
        mean_waits.append(np.mean(waits))
        waiting_shares.append(np.mean(np.asarray(waits) > 0))
    exact = queueing.mmc_metrics(LAM, MU, HANDLERS, 0.0)
    assert_exact_in_ci("desk mean wait", np.array(mean_waits), exact["mean_wait"], max_rel_half=0.08)
    assert_exact_in_ci("desk share waiting", np.array(waiting_shares), exact["p_wait"], max_rel_half=0.04)


# ------------------------------------------------------------------ shift rules, exactly
def test_desk_shift_rules_exact() -> None:
    """One handler 09:00-17:00 on two days: waits for the shift, finishes past its end (paid)."""
    sc = desk_scenario([{"name": "desk", "shifts": [{"start": "09:00", "end": "17:00", "staff": 1}]}], days=2,
                       open_="08:00", close="20:00")  # fmt: skip
    desk = new_desk(sc)
    day = 1440.0
    placed = [
        desk.assign(420.0, 30.0),  # 07:00: waits for 09:00
        desk.assign(600.0, 10.0),  # free: at once
        desk.assign(1010.0, 30.0),  # 16:50: finished at 17:20, paid
        desk.assign(1015.0, 5.0),  # the handler is busy, then off: the next morning
        desk.assign(day + 1000.0, 100.0),  # finished at 18:20 on the last day
    ]
    assert [(p[1], p[2]) for p in placed] == [
        (540.0, 570.0), (600.0, 610.0), (1010.0, 1040.0), (day + 540.0, day + 545.0), (day + 1000.0, day + 1100.0),
    ]  # fmt: skip
    assert {p[0].index for p in placed} == {1}  # after the one front-line team
    assert desk.assign(day + 1100.0, 1.0) is None  # no shift left
    desk.close()
    team = desk.teams[0]
    n = sc.horizon.n_intervals
    assert team.paid_area == [480.0 + 20.0, 480.0 + 80.0]
    assert team.busy_area[0] == 70.0 and team.busy_area[n] == 105.0  # booked to each day's first cell
    assert team.duty_area[0] == 500.0 and team.duty_area[n] == 560.0
    assert sum(team.busy_area) == 175.0 and sum(team.duty_area) == 1060.0


def test_desk_prefers_the_first_free_team_then_the_first_to_free_up() -> None:
    sc = desk_scenario([
        {"name": "a", "staff": 1},
        {"name": "b", "staff": 1, "training_level": 1},  # speed 1.25
    ])  # fmt: skip
    desk = new_desk(sc)
    first = desk.assign(10.0, 10.0)  # both free: the first team
    second = desk.assign(11.0, 10.0)  # a busy: b
    third = desk.assign(12.0, 5.0)  # both busy: b frees first (at 19)
    assert (first[0].index, first[1], first[2]) == (1, 10.0, 20.0)
    assert (second[0].index, second[1], second[2]) == (2, 11.0, 19.0)
    assert (third[0].index, third[1], third[2]) == (2, 19.0, 23.0)


# ------------------------------------------------------------- batches change nothing
def test_complaints_decided_in_batches_of_any_size_give_the_same_results(monkeypatch: pytest.MonkeyPatch) -> None:
    """Live loyalty over two weeks: placing complaints three at a time changes no record."""
    sc = simsvc.load_scenario(SCENARIOS / "service_desk_fortnight.yaml")
    default = simsvc.simulate(sc, replications=1, seed=3, keep_records=True)
    monkeypatch.setattr(complaints, "CHUNK", 3)
    small = simsvc.simulate(sc, replications=1, seed=3, keep_records=True)
    assert len(default.complaints) > 50
    pd.testing.assert_frame_equal(default.complaints, small.complaints)
    pd.testing.assert_frame_equal(default.customers, small.customers)
    # The tally adds the complaints in other chunks: sums may differ in the last digits.
    pd.testing.assert_frame_equal(default.kpis, small.kpis, rtol=1e-12)
