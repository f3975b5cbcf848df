"""The complaint desk, a back-office station of the engine: Erlang C, its shift rules exactly,
complaints entering it at the moment they are filed, and decisions in batches of any size.

Every test drives the desk through the whole simulation: customers who balk or abandon, and
complain as they leave, are the desk's arrivals (expectations of 7 on every dimension leave
every unserved customer dissatisfied; everyone voices it).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

import simsvc
from simsvc import quality, queueing
from simsvc.sim import complaints
from simsvc.sim.demand import Demand
from simsvc.sim.quality_engine import QualityEngine
from simsvc.sim.schema import COMPLAINT_FIELDS, QUALITY_FIELDS, RECORD_FIELDS, SERVED
from tests.confidence import assert_exact_in_ci
from tests.helpers import SCENARIOS

DAY = 1440.0


def det(value: float) -> dict[str, float | str]:
    return {"dist": "deterministic", "value": value}


def desk_scenario(
    desk_teams: list[dict[str, Any]],
    arrivals: dict[str, Any],
    *,
    days: int = 1,
    handling: dict[str, Any] | None = None,
    service: float = 3000.0,
    patience: dict[str, Any] | None = None,
    balk_at: int | None = 1,
    base_dir: Any = None,
) -> simsvc.Scenario:
    """One front-line server, all day. With the defaults its first customer holds it past the
    horizon, the second waits, and every later one balks and complains as it arrives."""
    klass: dict[str, Any] = {
        "name": "c", "arrivals": arrivals, "service_time": det(service),
        "expectations": {"mean": dict.fromkeys(quality.DIMENSIONS, 7.0), "sd": 0.0},
    }  # fmt: skip
    if balk_at is not None:
        klass["balk_at"] = balk_at
    if patience is not None:
        klass["patience"] = patience
    return simsvc.load_scenario({
        "name": "desk",
        "horizon": {"days": days, "open": "00:00", "close": "24:00", "interval_minutes": 60},
        "customer_classes": [klass],
        "teams": [{"name": "t", "serves": ["c"], "staff": 1}],
        "training_levels": [{"level": 0}, {"level": 1, "speed": 1.25}],
        "complaints": {"teams": desk_teams, "voice_probability": 1.0, "handling_time": handling or det(30.0)},
    }, base_dir=base_dir)  # fmt: skip


def run_engine(scenario: simsvc.Scenario) -> tuple[QualityEngine, pd.DataFrame, pd.DataFrame]:
    """One replication: the engine (its desk teams' time accounts), the customer and complaint rows."""
    customers: list[np.ndarray] = []
    rows: list[np.ndarray] = []
    engine = QualityEngine(
        scenario, Demand(scenario, 1, 0), lambda columns, _: customers.append(np.column_stack(columns)), 10**9,
        complaint_sink=rows.append,
    )  # fmt: skip
    engine.run()
    c = pd.DataFrame(np.concatenate(rows), columns=COMPLAINT_FIELDS) if rows else pd.DataFrame(columns=COMPLAINT_FIELDS)
    people = pd.DataFrame(np.concatenate(customers), columns=RECORD_FIELDS + QUALITY_FIELDS)
    return engine, people.set_index("customer"), c.sort_values("customer", ignore_index=True)


# ----------------------------------------------------------- M/M/3 desk against Erlang C
LAM, MU, HANDLERS = 1.2, 0.5, 3  # rho = 0.8; relaxation time 1 / (mu (sqrt(c) - sqrt(a))^2) = 60 min
WARMUP, MEASURED_UNTIL = 120.0, 1200.0  # then four hours: everyone measured is handled


def test_desk_waits_match_erlang_c() -> None:
    """Poisson complaints (balking arrivals), exponential handling, three handlers all day: M/M/3."""
    sc = desk_scenario(
        [{"name": "desk", "staff": HANDLERS}], {"per_hour": LAM * 60}, handling={"dist": "exponential", "mean": 1 / MU}
    )
    result = simsvc.simulate(sc, replications=200, seed=20261203, keep_records=True)
    c = result.complaints
    measured = c[(c["filed"] >= WARMUP) & (c["filed"] < MEASURED_UNTIL) & (c["customer"] >= 2)]
    assert measured["handled"].all()
    by_rep = measured.groupby("replication")["wait_before_handling"]
    exact = queueing.mmc_metrics(LAM, MU, HANDLERS, 0.0)
    assert_exact_in_ci("desk mean wait", by_rep.mean().to_numpy(), exact["mean_wait"], max_rel_half=0.08)
    waiting = by_rep.apply(lambda w: float(np.mean(w > 0))).to_numpy()
    assert_exact_in_ci("desk share waiting", waiting, exact["p_wait"], max_rel_half=0.04)


# ------------------------------------------------------------------ shift rules, exactly
def test_desk_shift_rules_exact(tmp_path) -> None:
    """One handler 09:00-17:00 on two days: waits for the shift, finishes past its end (paid)."""
    trace = tmp_path / "trace.csv"
    times = [(0, 0.0), (0, 0.5), (0, 420.0), (0, 600.0), (0, 1010.0), (0, 1015.0), (1, 1000.0), (1, 1100.0)]
    trace.write_text("day,time\n" + "".join(f"{d},{t}\n" for d, t in times))
    sc = desk_scenario(
        [{"name": "desk", "shifts": [{"start": "09:00", "end": "17:00", "staff": 1}]}],
        {"trace_csv": trace.name}, days=2, base_dir=tmp_path,
    )  # fmt: skip
    engine, _, c = run_engine(sc)
    balked = c[c["customer"] >= 2]
    assert balked["filed"].tolist() == [420.0, 600.0, 1010.0, 1015.0, DAY + 1000.0, DAY + 1100.0]
    assert balked["start"].tolist()[:5] == [540.0, 600.0, 1010.0, DAY + 540.0, DAY + 1000.0]
    assert balked["end"].tolist()[:5] == [570.0, 630.0, 1040.0, DAY + 570.0, DAY + 1030.0]
    assert balked["team"].tolist()[:5] == [1.0] * 5  # after the one front-line team
    last = balked.iloc[-1]  # 18:20 on the last day: no shift left
    assert last["handled"] == 0 and np.isnan(last["start"])
    team = engine.teams[1]
    n = sc.horizon.n_intervals
    assert team.paid_area == [480.0 + 20.0, 480.0 + 10.0]
    assert team.busy_area[0] == 90.0 and team.busy_area[n] == 60.0  # booked to each day's first cell
    assert team.duty_area[0] == 500.0 and team.duty_area[n] == 490.0
    assert sum(team.busy_area) == 150.0 and sum(team.duty_area) == 990.0


def test_desk_prefers_the_first_free_team_then_the_first_to_free_up() -> None:
    sc = desk_scenario(
        [{"name": "a", "staff": 1}, {"name": "b", "staff": 1, "training_level": 1}],  # b: speed 1.25
        {"trace": [0.0, 0.5, 10.0, 11.0, 12.0]}, handling=det(10.0),
    )  # fmt: skip
    _, _, c = run_engine(sc)
    balked = c[c["customer"] >= 2]
    assert balked[["team", "start", "end"]].to_numpy().tolist() == [
        [1.0, 10.0, 20.0],  # both free: the first team
        [2.0, 11.0, 19.0],  # a busy: b
        [2.0, 19.0, 27.0],  # both busy: b frees first
    ]


# ------------------------------------------- a complaint enters the desk when it is filed
def test_an_abandoning_customer_complains_at_its_own_time_not_when_noticed() -> None:
    """Customer 1 abandons at 6; nothing else happens in its queue until 10. Its complaint is
    handled from 6 (the desk is idle); a customer whose patience ends as a server frees is served."""
    sc = desk_scenario(
        [{"name": "desk", "staff": 1}], {"trace": [0.0, 1.0, 10.0, 15.0, 40.0]}, service=20.0,
        patience=det(5.0), balk_at=None, handling=det(1.0),
    )  # fmt: skip
    _, people, c = run_engine(sc)
    by_customer = c.set_index("customer")
    assert by_customer.loc[1, ["filed", "start"]].tolist() == [6.0, 6.0]
    # Customer 2's deadline is 15, when customer 3 arrives: it abandons after that arrival.
    assert by_customer.loc[2, ["filed", "start"]].tolist() == [15.0, 15.0]
    # Customer 3 arrives at 15 with patience 5; the server frees at 20 (customer 0 is done):
    # it is served then, not abandoned.
    assert people.loc[3, ["outcome", "start"]].tolist() == [SERVED, 20.0]
    assert people.loc[[1, 2], "wait"].tolist() == [5.0, 5.0]


# ------------------------------------------------------------- batches change nothing
def test_complaints_decided_in_batches_of_any_size_give_the_same_results(monkeypatch: pytest.MonkeyPatch) -> None:
    """Live loyalty over two weeks: deciding complaints three at a time changes no record."""
    sc = simsvc.load_scenario(SCENARIOS / "service_desk_fortnight.yaml")
    default = simsvc.simulate(sc, replications=1, seed=3, keep_records=True)
    monkeypatch.setattr(complaints, "CHUNK", 3)
    small = simsvc.simulate(sc, replications=1, seed=3, keep_records=True)
    assert len(default.complaints) > 50
    pd.testing.assert_frame_equal(default.complaints, small.complaints)
    pd.testing.assert_frame_equal(default.customers, small.customers)
    # The tally adds the complaints in other chunks: sums may differ in the last digits.
    pd.testing.assert_frame_equal(default.kpis, small.kpis, rtol=1e-12)


def test_without_a_desk_a_complaint_is_filed_when_its_customer_abandoned() -> None:
    """No complaint team: abandonments are noticed lazily (nothing waits on them), yet each complaint
    is filed at the moment its customer left, and is never handled."""
    sc = desk_scenario(
        [], {"trace": [0.0, 1.0, 10.0, 15.0, 40.0]}, service=20.0, patience=det(5.0), balk_at=None,
    )  # fmt: skip
    _, people, c = run_engine(sc)
    left = people["arrival"] + people["wait"]
    abandoned = people.index[people["outcome"] == 1]  # ABANDONED
    assert list(abandoned) == [1, 2]
    by_customer = c.set_index("customer")
    assert by_customer.loc[[1.0, 2.0], "filed"].tolist() == left.loc[[1, 2]].tolist() == [6.0, 15.0]
    assert (by_customer.loc[[1.0, 2.0], "handled"] == 0).all()


def test_without_a_complaint_team_unresolved_complaints_cost_demand_from_the_next_day() -> None:
    """With no complaint team nobody answers a complaint: it is unresolved the day it is filed, and
    word of mouth (live loyalty) feels it from the next opening, not only after the run. So over the
    fortnight no team loses more customers than one clerk, replication by replication (common random
    numbers: the same first customers), and its records all read unresolved, never handled."""
    sc = simsvc.load_scenario(SCENARIOS / "service_desk_fortnight.yaml")
    none = sc.replace({"complaints.teams": []})
    one = simsvc.simulate(sc, 4, keep_records=True)
    zero = simsvc.simulate(none, 4, keep_records=True)

    def arrivals(res: simsvc.SimResult) -> np.ndarray:
        return res.kpis.query("group == 'overall' and kpi == 'arrivals'")["value"].to_numpy()

    assert (arrivals(zero) < arrivals(one)).all(), (arrivals(zero), arrivals(one))
    assert zero.summary().loc["demand_change", "mean"] < 0 < one.summary().loc["demand_change", "mean"]
    c = zero.complaints
    assert len(c) and (c["handled"] == 0).all() and (c["category_after"] == "unresolved").all()
