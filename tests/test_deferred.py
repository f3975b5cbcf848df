"""Deferred work (``teams[].deferred``, ``arrivals.overnight_per_hour``): hand cases, record identities, theory.

* A hand case (a trace, deterministic handling) gives the exact starts, backlog and share within target.
* Nothing is handled outside the team's on-duty windows, and a waiting contact starts only when a
  server comes on duty or another contact ends (no idling while work waits).
* The backlog is carried over exactly: backlog at day d+1's opening = contacts waiting at day d's
  close + those arriving overnight; the KPI equals the count from the records.
* Little's law per day (the sample-path identity, carried-in and carried-out work accounted for).
* The share within target and the mean response time equal the records' values.
* Theory, 99 % Student-t intervals over replications (tests/confidence.py): round the clock, a
  deferred team's records are the plain team's (so its mean wait is Erlang C's); overnight work is a
  Poisson number nu N per night, waiting N/2 on average until the opening.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import simsvc
from simsvc import queueing
from simsvc.sim.kernel import KernelUnsupported
from tests.confidence import assert_exact_in_ci
from tests.test_concurrency import det
from tests.test_concurrency import make as scenario_of
from tests.test_theory import per_replication as kpi

OPEN, CLOSE = 540.0, 1020.0  # 09:00, 17:00


def make(
    classes: list[dict[str, Any]],
    teams: list[dict[str, Any]],
    *,
    days: int = 3,
    hours: tuple[str, str] = ("09:00", "17:00"),
    **settings: Any,
) -> simsvc.Scenario:
    """A scenario of ``days`` opening ``hours`` (intervals of an hour); ``settings`` as tests.test_concurrency.make."""
    horizon = {"days": days, "open": hours[0], "close": hours[1], "interval_minutes": 60}
    return scenario_of(classes, teams, horizon=horizon, **settings)


def ten_letters(days: int, deferred: bool = True, target_hours: float = 8) -> simsvc.Scenario:
    """Ten letters at 09:00, 09:01, ... of day 1; one clerk, 60 minutes each."""
    team: dict[str, Any] = {"name": "clerk", "serves": ["letter"], "staff": 1}
    if deferred:
        team["deferred"] = {"target_hours": target_hours}
    letters = {"name": "letter", "arrivals": {"trace": list(range(10))}, "service_time": det(60)}
    return make([letters], [team], days=days)


def test_hand_case_backlog_starts_and_share_within_target():
    res = simsvc.simulate(ten_letters(days=3))
    c = res.customers.sort_values("customer")
    # Eight handled on day 1 (09:00 ... 16:00), the last two at the next opening (09:00, 10:00 of day 2).
    expected_starts = [OPEN + 60 * i for i in range(8)] + [1440 + OPEN, 1440 + OPEN + 60]
    assert c["start"].tolist() == expected_starts
    assert (c["outcome"] == "served").all()
    # A plain team stays after closing for them instead (17:00 and 18:00).
    plain = simsvc.simulate(ten_letters(days=3, deferred=False)).customers.sort_values("customer")
    assert plain["start"].tolist()[8:] == [CLOSE, CLOSE + 60]
    assert kpi(res, "backlog_at_opening", "day", "2").tolist() == [2.0]
    assert kpi(res, "backlog_at_opening", "day", "3").tolist() == [0.0]
    assert np.isnan(kpi(res, "backlog_at_opening", "day", "1")).all()  # no night before the first day
    assert kpi(res, "backlog_at_opening").tolist() == [1.0]  # mean of 2 and 0
    assert kpi(res, "max_backlog_at_opening").tolist() == [2.0]
    # Response = end - arrival: 60 (i + 1) - i for the first eight (within 8 h), a day later for the others.
    responses = [60 * (i + 1) - i for i in range(8)] + [1440 + 60 - 8, 1440 + 120 - 9]
    assert kpi(res, "deferred_within_target").tolist() == [0.8]
    assert kpi(res, "deferred_response_hours")[0] == pytest.approx(np.mean(responses) / 60, rel=1e-12)
    assert kpi(res, "deferred_open_at_end").tolist() == [0.0]
    assert res.engine == "simpy" and res.engine_note == "deferred work"


def test_contacts_open_at_the_horizons_end_and_the_due_rule():
    """Two letters are never handled: open, waiting to midnight; due only once their deadline has passed."""
    res = simsvc.simulate(ten_letters(days=1))
    c = res.customers.sort_values("customer")
    still = c[c["outcome"] == "open"]
    assert len(still) == 2 and still["start"].isna().all() and still["team"].isna().all()
    assert (still["wait"] == 1440 - still["arrival"]).all()
    assert kpi(res, "deferred_open_at_end").tolist() == [2.0]
    assert kpi(res, "deferred_within_target").tolist() == [0.8]  # deadlines 17:08 and 17:09 passed: missed
    day = simsvc.simulate(ten_letters(days=1, target_hours=24))  # deadlines the next day: not yet due
    assert kpi(day, "deferred_within_target").tolist() == [1.0]


def _email(per_hour: float, overnight: float, mean: float = 12.0) -> dict[str, Any]:
    return {"name": "email", "arrivals": {"per_hour": per_hour, "overnight_per_hour": overnight},
            "service_time": {"dist": "exponential", "mean": mean}}  # fmt: skip


SHIFTS = [  # on duty: 09-12 two, 12-13 three, 13-15 one, 15-17 two, 17-19 one (after closing)
    {"start": "09:00", "end": "13:00", "staff": 2},
    {"start": "12:00", "end": "17:00", "staff": 1},
    {"start": "15:00", "end": "19:00", "staff": 1},
]


def _on_duty(minute_of_day: np.ndarray) -> np.ndarray:
    t = minute_of_day
    return sum(s * ((t >= a) & (t < b)) for s, a, b in ((2, 540, 780), (1, 720, 1020), (1, 900, 1140)))


def test_nothing_is_handled_outside_on_duty_windows_and_no_server_idles_while_work_waits():
    team = {"name": "office", "serves": ["email"], "shifts": SHIFTS, "deferred": {"target_hours": 8}}
    res = simsvc.simulate(make([_email(10, 4)], [team], days=4, replications=3, seed=5))
    c = res.customers
    assert (c["outcome"] == "open").any() and (c["start"] % 1440 >= 1020).any()  # work after closing, by the rota
    for _, r in c[c["outcome"] == "served"].groupby("replication"):
        start, end = r["start"].to_numpy(), r["end"].to_numpy()
        # Every start lies in an on-duty window, with no more in handling then than on duty (a contact
        # begun before a shift's end is finished after it: only starts are bound by the rota).
        on_duty = _on_duty(start % 1440)
        assert (on_duty > 0).all()
        in_handling = ((start[None, :] <= start[:, None]) & (end[None, :] > start[:, None])).sum(axis=1)
        assert (in_handling <= on_duty).all()
        # A contact that waited starts as a server comes on duty (a shift start) or another one ends.
        waited = r["wait"].to_numpy() > 0
        shift_start = np.isin(start % 1440, [540.0, 720.0, 900.0])
        freed = np.isin(start, end)
        assert (shift_start | freed)[waited].all()


def _night_records(c, day: int) -> tuple[int, int, int]:
    """From the records: waiting at day ``day``'s close, arriving overnight, waiting at the next opening."""
    close, opening = day * 1440 + CLOSE, (day + 1) * 1440 + OPEN
    leave = c["start"].fillna(np.inf)
    at_close = int(((c["arrival"] < close) & (leave >= close)).sum())
    overnight = int(((c["arrival"] > close) & (c["arrival"] < opening)).sum())
    backlog = int(((c["arrival"] < opening) & (leave >= opening)).sum())
    return at_close, overnight, backlog


def test_backlog_is_carried_over_exactly_and_reported_as_the_records_say():
    team = {"name": "office", "serves": ["email"], "staff": 2, "deferred": {"target_hours": 12}}
    res = simsvc.simulate(make([_email(9, 3)], [team], days=5, replications=4, seed=11))
    c = res.customers
    for r, cr in c.groupby("replication"):
        reported = []
        for d in range(4):
            at_close, overnight, backlog = _night_records(cr, d)
            assert backlog == at_close + overnight > 0
            assert kpi(res, "backlog_at_opening", "day", str(d + 2))[r] == backlog
            reported.append(backlog)
        assert kpi(res, "backlog_at_opening")[r] == pytest.approx(np.mean(reported), rel=1e-12)
        assert kpi(res, "max_backlog_at_opening")[r] == max(reported)
        assert kpi(res, "backlog_at_opening", "class", "email")[r] == pytest.approx(np.mean(reported), rel=1e-12)
    served = c[c["outcome"] == "served"]  # staff per interval: on duty in opening hours only
    assert ((served["start"] % 1440 >= OPEN) & (served["start"] % 1440 < CLOSE)).all()
    # Overnight work belongs to the next day's first interval, with its real arrival time.
    night = c[(c["arrival"] % 1440 >= CLOSE) | (c["arrival"] % 1440 < OPEN)]
    assert len(night) and (night["interval"] == "09:00").all()
    assert (night["day"] == (night["arrival"] // 1440 + np.where(night["arrival"] % 1440 >= CLOSE, 2, 1))).all()
    assert not (c["arrival"] > 4 * 1440 + CLOSE).any()  # nothing arrives after the last closing


def test_share_within_target_and_response_time_are_the_records():
    team = {"name": "office", "serves": ["email"], "staff": 2, "deferred": {"target_hours": 6}}
    chat = {"name": "chat", "arrivals": {"per_hour": 20}, "service_time": {"dist": "exponential", "mean": 2}}
    agents = {"name": "agents", "serves": ["chat"], "staff": 1}
    res = simsvc.simulate(make([_email(8, 3), chat], [team, agents], days=3, replications=3, seed=2))
    c = res.customers
    for r, cr in c[c["class"] == "email"].groupby("replication"):
        served = (cr["outcome"] == "served").to_numpy()
        response = (cr["end"] - cr["arrival"]).to_numpy()
        late_open = ((cr["outcome"] == "open") & (cr["arrival"] + 360 <= 3 * 1440)).to_numpy()
        share = (served & (response <= 360)).sum() / (served.sum() + late_open.sum())
        for group, key in (("overall", "all"), ("class", "email")):
            assert kpi(res, "deferred_within_target", group, key)[r] == pytest.approx(share, rel=1e-12)
            assert kpi(res, "deferred_response_hours", group, key)[r] == pytest.approx(
                response[served].mean() / 60, rel=1e-12
            )
            assert kpi(res, "deferred_open_at_end", group, key)[r] == (cr["outcome"] == "open").sum()
    assert np.isnan(kpi(res, "deferred_within_target", "class", "chat")).all()  # not deferred work


def test_littles_law_per_day_with_carried_over_work():
    """Each day's time-average queue (opening hours) times their length = the waiting done in them.

    The sample-path form of L = lambda W: over ``[a, b)`` the area under the queue is the sum of each
    contact's wait within it, whether it arrived earlier (carried in) or leaves later (carried out).
    """
    team = {"name": "office", "serves": ["email"], "staff": 2, "deferred": {"target_hours": 8}}
    res = simsvc.simulate(make([_email(9, 3)], [team], days=4, replications=2, seed=4))
    c = res.customers
    for r, cr in c.groupby("replication"):
        arrival, leave = cr["arrival"].to_numpy(), (cr["arrival"] + cr["wait"]).to_numpy()
        for d in range(4):
            a, b = d * 1440 + OPEN, d * 1440 + CLOSE
            waited = np.clip(np.minimum(leave, b) - np.maximum(arrival, a), 0, None).sum()
            carried_in = ((arrival < a) & (leave > a)).sum()
            mean_queue = kpi(res, "mean_queue", "day", str(d + 1))[r]
            assert mean_queue * (b - a) == pytest.approx(waited, rel=1e-9)
            if d:
                assert carried_in > 0  # the identity is tested with work carried over


def test_round_the_clock_a_deferred_team_is_the_plain_team_and_erlang_c():
    """Open 24 h: the same records as a plain team, but for contacts still waiting at the end (open)."""

    def scenario(deferred: bool) -> simsvc.Scenario:
        team: dict[str, Any] = {"name": "office", "serves": ["email"], "staff": 5}
        if deferred:
            team["deferred"] = {"target_hours": 1}
        email = {"name": "email", "arrivals": {"per_hour": 50}, "service_time": {"dist": "exponential", "mean": 5}}
        return make([email], [team], days=4, hours=("00:00", "24:00"), replications=60, seed=3, warmup=120)

    deferred, plain = simsvc.simulate(scenario(True)), simsvc.simulate(scenario(False))
    a, b = plain.customers, deferred.customers
    served = (b["outcome"] == "served").to_numpy()
    assert (b["outcome"][~served] == "open").all() and (a["outcome"] == "served").all()
    for column in ("arrival", "wait", "start", "end"):
        assert np.array_equal(a[column].to_numpy()[served], b[column].to_numpy()[served])
    assert (a["start"].to_numpy()[~served] >= 4 * 1440).all()  # the plain team serves them after the end
    late = b[(b["arrival"] >= 120) & (b["arrival"] < 4 * 1440 - 120)]
    assert (late["outcome"] == "served").all()
    waits = late.groupby("replication")["wait"].mean().to_numpy()
    exact = queueing.mmc_metrics(50 / 60, 1 / 5, 5, 1.0)["mean_wait"]
    assert_exact_in_ci("deferred 24 h M/M/5 mean wait", waits, exact, max_rel_half=0.12)


def test_overnight_work_poisson_backlog_and_waits_half_the_night():
    """Ample staff: the queue is empty at closing, each night brings Poisson(nu N), handled at the opening.

    nu = 6/h over a night of N = 840 min: a backlog of 84 at each opening, each waiting N/2 = 420 min
    on average (uniform arrival times). With handling 2 min and a target of 4 h, an overnight
    contact is in target when it came in the last 238 minutes before the opening.
    """
    team = {"name": "office", "serves": ["email"], "staff": 200, "deferred": {"target_hours": 4}}
    email = {"name": "email", "arrivals": {"per_hour": 30, "overnight_per_hour": 6}, "service_time": det(2)}
    res = simsvc.simulate(make([email], [team], days=6, hours=("08:00", "18:00"), replications=20, seed=8))
    assert_exact_in_ci("backlog at opening", kpi(res, "backlog_at_opening"), 84.0, max_rel_half=0.05)
    c = res.customers
    night = c[(c["arrival"] % 1440 >= 1080) | (c["arrival"] % 1440 < 480)]
    waits = night.groupby("replication")["wait"].mean().to_numpy()
    assert_exact_in_ci("overnight wait until the opening", waits, 420.0, max_rel_half=0.05)
    day, nights = 30 / 60 * 600 * 6, 84 * 5
    share = (day + nights * 238 / 840) / (day + nights)
    assert_exact_in_ci("share within target", kpi(res, "deferred_within_target"), share, max_rel_half=0.02)


def test_overnight_work_leaves_the_opening_hours_customers_unchanged():
    """Its own random stream: the opening hours' customers are those of the scenario without it (quality on)."""
    team = {"name": "office", "serves": ["email"], "staff": 3, "deferred": {"target_hours": 8}}
    with_night = simsvc.simulate(make([_email(6, 2)], [team], days=2, quality=True)).customers
    without = simsvc.simulate(make([_email(6, 0)], [team], days=2, quality=True)).customers
    inside = with_night[(with_night["arrival"] % 1440 >= OPEN) & (with_night["arrival"] % 1440 < CLOSE)]
    assert len(inside) < len(with_night)
    assert np.array_equal(inside["arrival"].to_numpy(), without["arrival"].to_numpy())


def test_the_kernel_refuses_deferred_work():
    with pytest.raises(KernelUnsupported, match="deferred work"):
        simsvc.simulate(ten_letters(days=2), engine="kernel")


def test_overload_is_judged_over_the_horizon_and_declared_demand_includes_the_nights():
    """Deferred work waits: an interval or a day without staff is no overload, more work than time on duty is."""
    from simsvc.sim.capacity import capacity_warnings, deferred_load
    from simsvc.sim.demand import declared_arrivals

    shifts = [{"start": "09:00", "end": "13:00", "staff": 1}]  # nobody on duty 13:00-17:00
    team = {"name": "office", "serves": ["email"], "shifts": shifts, "deferred": {"target_hours": 8}}
    light = make([_email(1.5, 0.5)], [team], days=3)  # 1.5*8*3 + 0.5*16*2 = 52 contacts of 12 min; 12 h on duty
    assert deferred_load(light) == pytest.approx((52 * 12, 3 * 240))
    assert capacity_warnings(light) == []
    heavy = make([_email(4, 1)], [team], days=3)  # 128 contacts: 1536 min of work
    assert any("deferred work overloaded" in w and "2.13x" in w for w in capacity_warnings(heavy))
    weekdays = [{"start": "09:00", "end": "17:00", "staff": 1, "days": [0, 2]}]  # nobody on day 2: work waits
    day_off = make([_email(1, 0)], [{**team, "shifts": weekdays}], days=3)
    assert capacity_warnings(day_off) == []
    declared = declared_arrivals(light)[:, :, 0]
    assert declared[:, 0].tolist() == pytest.approx([1.5, 1.5 + 8.0, 1.5 + 8.0])  # the night before, in 09:00


def test_with_the_quality_model_open_contacts_are_judged_and_file_no_complaint():
    team = {"name": "office", "serves": ["email"], "staff": 1, "deferred": {"target_hours": 8}}
    scenario = make([_email(8, 4)], [team], days=2, quality=True).replace({
        "complaints": {"voice_probability": 1.0, "handling_time": det(10), "teams": [{"name": "desk", "staff": 1}]},
    })  # fmt: skip
    res = simsvc.simulate(scenario)
    c = res.customers
    still = c[c["outcome"] == "open"]
    assert len(still) and still["category"].notna().all() and not still["complained"].any()
    assert len(res.complaints) and res.complaints["customer"].isin(c.loc[c["outcome"] == "served", "customer"]).all()
    assert (res.complaints["filed"] < 2 * 1440).all()
