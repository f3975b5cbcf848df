"""The living queue's events (simsvc.app.living_queue) against the run's own records and KPIs."""

from __future__ import annotations

import itertools
import json
import math
import re
from collections import defaultdict

import pytest

import simsvc
from simsvc.app.living_queue import EVENT_KINDS, counts, events, hours, living_queue
from simsvc.app.living_queue_view import for_run, payload
from tests.helpers import SCENARIOS


@pytest.fixture(scope="module")
def centre():
    """A journey through four stations and a complaint desk, two replications."""
    scenario = simsvc.load_scenario(SCENARIOS / "service_centre.yaml")
    return simsvc.simulate(scenario, replications=2, seed=11, keep_records=True)


@pytest.fixture(scope="module")
def fortnight():
    """Fourteen days, one desk and a back office for complaints."""
    scenario = simsvc.load_scenario(SCENARIOS / "service_desk_fortnight.yaml")
    return simsvc.simulate(scenario, replications=1, seed=5, keep_records=True)


def _kpis(result, group: str, key: str, replication: int) -> dict[str, float]:
    k = result.kpis
    rows = k[(k["group"] == group) & (k["key"] == key) & (k["replication"] == replication)]
    return dict(zip(rows["kpi"], rows["value"], strict=True))


def _expected(kpi: dict[str, float], quality: bool = True) -> dict[str, int]:
    n = kpi["arrivals"]
    names = {"arrived": "arrivals", "served": "served", "abandoned": "abandoned", "balked": "balked"}
    out = {name: round(kpi[k]) for name, k in names.items()}
    out["dissatisfied"] = round(kpi["dissatisfied_share"] * n) if quality else 0
    out["complaints"] = round(kpi["complaint_rate"] * n) if quality else 0
    return out


@pytest.mark.parametrize(("which", "replication", "day"), [("bank", 2, 1), ("centre", 1, 1), ("fortnight", 0, 9)])
def test_a_days_totals_are_that_replications_kpis_of_that_day(which, replication, day, bank_result, centre, fortnight):
    result = {"bank": bank_result, "centre": centre, "fortnight": fortnight}[which]
    q = living_queue(result, replication, day)
    expected = _expected(_kpis(result, "day", str(day), replication))
    assert expected["arrived"] > 100 and expected["served"] > 0
    assert counts(q) == expected
    assert counts(q, until=q.t0 + 60)["arrived"] < expected["arrived"]  # counters grow with the clock


def test_an_hours_totals_are_its_intervals_kpis(centre):
    q = living_queue(centre, 1, 1, hour=10)
    first, second = (_expected(_kpis(centre, "interval", k, 1)) for k in ("10:00", "10:30"))
    assert counts(q) == {k: first[k] + second[k] for k in first}
    assert q.start == 600 and q.stop == 660 and q.t0 == 600 and q.t1 > 660
    faded = q.customers[~q.customers["counted"]]
    assert len(faded) and (faded["arrival"] < 600).any()  # those already inside at 10:00 are drawn too
    assert hours(centre) == list(range(8, 17))


def test_events_are_in_time_order_and_each_customer_arrives_first_and_leaves_last(centre):
    q = living_queue(centre, 0, 1)
    ev = events(q)
    times = [e[0] for e in ev]
    assert times == sorted(times) and q.t0 <= times[0] and times[-1] <= q.t1
    assert {e[1] for e in ev} <= set(EVENT_KINDS) and {"arrive", "join", "start", "end", "leave", "complain"} <= {
        e[1] for e in ev
    }
    per: dict[int, list[tuple[float, str, int, str]]] = defaultdict(list)
    for t, kind, row, station, detail in ev:
        if kind not in ("complain", "desk_start", "desk_end"):
            per[row].append((t, kind, station, detail))
    counted = q.customers["counted"].to_numpy()
    for row, seq in per.items():
        if not counted[row]:
            continue
        assert seq[0][1] == "arrive" and seq[-1][1] == "leave", seq
        assert re.fullmatch(r"(served|abandoned|balked):(delighted|satisfied|dissatisfied)", seq[-1][3])
        # a visit: join, then (if served) start and end at the same station; the next joins after the end
        open_station, state = None, "out"
        for _t, kind, station, _ in seq[1:-1]:
            if kind == "join":
                assert state in ("out", "ended")
                open_station, state = station, "waiting"
            elif kind == "start":
                assert state == "waiting" and station == open_station
                state = "serving"
            elif kind == "end":
                assert state == "serving" and station == open_station
                state = "ended"


def test_journeys_visit_the_stations_of_their_steps_and_station_kpis_agree(centre):
    q = living_queue(centre, 1, 1)
    steps = centre.steps[centre.steps["replication"] == 1]
    names = list(q.stations)
    station_of_step = {"greet": "greeter", "counter": "counters", "advisor": "advisors", "back_office": "back_office"}
    ids = q.customers["customer"].to_numpy()
    joined: dict[int, list[str]] = defaultdict(list)
    for _t, kind, row, station, _ in events(q):
        if kind == "join":
            joined[int(ids[row])].append(names[station])
    for customer, group in steps[steps["customer"].isin(ids[q.customers["counted"].to_numpy()])].groupby("customer"):
        assert joined[customer] == [station_of_step[s] for s in group["step"]], customer
    served = defaultdict(int)
    counted = q.customers["counted"].to_numpy()
    for _t, kind, row, station, _ in events(q):
        served[names[station]] += kind == "end" and counted[row]
    for team in ("greeter", "counters", "advisors", "back_office"):
        assert served[team] == round(_kpis(centre, "station", team, 1)["served"]), team
    assert q.stations[-1] == "complaint_desk" and q.desks == 1


def test_no_server_slot_holds_two_customers_at_once(bank_result):
    q = living_queue(bank_result, 0, 1)
    v = q.visits[q.visits["slot"] >= 0]
    for (_station, _slot), group in v.groupby(["station", "slot"]):
        spans = sorted(zip(group["start"], group["end"].fillna(math.inf), strict=True))
        assert all(a_end <= b_start + 1e-9 for (_, a_end), (b_start, _) in itertools.pairwise(spans))
    for k, servers in enumerate(q.servers):  # as many slots as the most in service at once
        at = v[v["station"] == k]
        moments = sorted([(s, 1) for s in at["start"]] + [(e, -1) for e in at["end"].fillna(math.inf)])
        busy = peak = 0
        for _, step in moments:
            busy += step
            peak = max(peak, busy)
        assert peak == servers, q.stations[k]


def test_warm_up_customers_are_drawn_but_not_counted():
    scenario = simsvc.load_scenario(SCENARIOS / "teaching.yaml")
    data = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    data["simulation"]["warmup_minutes"] = 30
    warm = simsvc.simulate(simsvc.load_scenario(data), replications=1, keep_records=True)
    q = living_queue(warm, 0, 1)
    assert counts(q) == _expected(_kpis(warm, "day", "1", 0))
    early = q.customers[q.customers["arrival"] < 540 + 30]
    assert len(early) > 5 and not early["counted"].any()


def test_the_page_embeds_its_data_and_texts_and_loads_nothing(centre):
    html, height = for_run(centre, 0, 1, None, "zh")
    assert height > 300
    assert not re.search(r"<script[^>]+src|<link|https?://", html)  # no network at run time
    data = json.loads(re.search(r"const D = (\{.*?\});\n", html).group(1))
    q = living_queue(centre, 0, 1)
    assert len(data["events"]) == len(events(q)) and data["stations"] == list(q.stations)
    assert data["labels"]["arrived"] == "已到达" and payload(q, "en")["labels"]["arrived"] == "arrived"
    assert len(data["customers"]["arrival"]) == len(q.customers) and len(data["visits"]["join"]) == len(q.visits)


def test_bad_windows_and_runs_without_records_are_refused(centre):
    with pytest.raises(ValueError, match="day"):
        living_queue(centre, 0, 2)
    with pytest.raises(ValueError, match="hour"):
        living_queue(centre, 0, 1, hour=20)
    with pytest.raises(ValueError, match="replication"):
        living_queue(centre, 2, 1)
    bare = simsvc.simulate(centre.scenario, replications=1, keep_records=False)
    with pytest.raises(ValueError, match="records"):
        living_queue(bare)
