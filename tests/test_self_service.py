"""Self-service stations (issue 14, item 3): unlimited capacity, failures go on to a staffed step.

The theory: a self-service portal is an M/G/infinity station, whose departures are Poisson; its
failures are an independent thinning of them, so the staffed step after it is an M/M/c queue
with arrival rate ``failure_prob * lambda`` (Erlang C). Tolerances are 99 % t-intervals over
replications with a fixed seed (``tests/confidence.py``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

import simsvc
from simsvc import queueing
from simsvc.sim.capacity import capacity_warnings
from simsvc.sim.kernel import KernelUnsupported
from tests.confidence import assert_exact_in_ci
from tests.helpers import invoke_cli

DAY = {"days": 1, "open": "00:00", "close": "24:00", "interval_minutes": 60}
WARMUP = 120.0


def exponential(mean: float) -> dict:
    return {"dist": "exponential", "mean": mean}


def portal_then_agents(failure_prob: float, *, agents: int = 3, quality: bool = False, **sim) -> dict:
    """Everyone tries the portal (mean 5 min, any number at once); who fails goes to the agents (mean 4 min)."""
    return {
        "name": "portal then agents",
        "horizon": DAY,
        "customer_classes": [{
            "name": "web", "arrivals": {"per_hour": [60]}, "service_time": exponential(5.0),
            "journey": [{"station": "portal"}, {"station": "agents", "service_time": exponential(4.0)}],
        }],
        "teams": [{"name": "portal", "self_service": {"failure_prob": failure_prob}},
                  {"name": "agents", "staff": agents}],
        "quality": {"enabled": quality},
        "simulation": {"warmup_minutes": WARMUP, **sim},
    }  # fmt: skip


def test_failures_reach_the_staffed_step_as_an_erlang_c_queue():
    p, lam = 0.5, 1.0  # per minute; the agents see 0.5/min at 4 min each on 3: load 0.67
    res = simsvc.simulate(simsvc.load_scenario(portal_then_agents(p, replications=120, seed=20261203)),
                          keep_records=True, engine="simpy")  # fmt: skip
    s = res.steps
    s = s[(s["arrival"] >= WARMUP) & (s["arrival"] < 1440.0)]
    portal, agents = s[s["team"] == "portal"], s[s["team"] == "agents"]
    # Nobody waits for the portal, and each stays exactly its own service time.
    assert (portal["wait"] == 0).all() and len(portal) > 120 * 1000
    served = portal.groupby("replication").size()
    failed = agents.groupby("replication").size()
    assert_exact_in_ci("share failing at the portal", (failed / served).to_numpy(), p, max_rel_half=0.03)
    exact = queueing.mmc_metrics(p * lam, 1 / 4.0, 3, 1.0)
    waits = agents.groupby("replication")["wait"]
    assert_exact_in_ci("agents' mean wait (Erlang C)", waits.mean().to_numpy(), exact["mean_wait"], max_rel_half=0.1)
    assert_exact_in_ci("agents' P(wait > 0)", waits.apply(lambda w: (w > 0).mean()).to_numpy(), exact["p_wait"],
                       max_rel_half=0.05)  # fmt: skip


def test_a_customer_who_fails_is_one_customer_with_one_judgement():
    """Expectations and perceptions follow the customer: one record, its waits summed, judged once."""
    res = simsvc.simulate(simsvc.load_scenario(portal_then_agents(0.5, quality=True, replications=2, seed=7)),
                          keep_records=True, engine="simpy")  # fmt: skip
    c, s = res.customers, res.steps
    assert len(c) == s.groupby(["replication", "customer"]).ngroups  # one row per person, not per step
    per_customer = s.groupby(["replication", "customer"]).agg(visits=("team", "size"), last=("team", "last"))
    two = per_customer[per_customer["visits"] == 2]
    assert (two["last"] == "agents").all() and 0.4 < len(two) / len(c) < 0.6
    # Their perception of the whole journey: one satisfaction per customer, agents or not.
    assert c["gap"].notna().all() and c["category"].notna().all()
    merged = c.set_index(["replication", "customer"]).join(per_customer)
    assert (merged.loc[merged["visits"] == 1, "team"] == "portal").all()
    assert (merged.loc[merged["visits"] == 2, "team"] == "agents").all()


def test_self_service_books_no_time_and_costs_nothing():
    data = portal_then_agents(0.0, replications=2, seed=3)
    data["teams"][1]["staff"] = 1
    res = simsvc.simulate(simsvc.load_scenario(data), engine="simpy")
    kpis = res.summary()["mean"]
    assert kpis["cost"] == 0  # training level 0 has no wage; the portal adds none either
    assert kpis["utilization"] == 0  # the agents never see anyone; the portal books no busy time
    assert kpis["served"] == kpis["arrivals"]


def test_no_warning_for_a_station_without_staff_that_needs_none():
    sc = simsvc.load_scenario(portal_then_agents(0.3, replications=1))
    assert capacity_warnings(sc) == []


def test_the_kernel_names_self_service_and_auto_falls_back():
    sc = simsvc.load_scenario(portal_then_agents(0.3, replications=1, seed=1))
    res = simsvc.simulate(sc)
    assert res.engine == "simpy" and res.engine_note == "self-service stations"
    with pytest.raises(KernelUnsupported, match="self-service"):
        simsvc.simulate(sc, engine="kernel")


def test_the_file_format_round_trips():
    sc = simsvc.load_scenario(portal_then_agents(0.3))
    again = simsvc.load_scenario(sc.to_dict())
    assert again == sc and again.teams[0].self_service.failure_prob == 0.3
    assert again.journeys[0].steps[0].next_probs == pytest.approx((0.7, 0.3))


@pytest.mark.parametrize(
    "change, field, message",
    [
        (lambda d: d["teams"][0].update(shifts=[{"start": "09:00", "end": "17:00", "staff": 2}]),
         "teams[0]", "a self-service station has no shifts"),
        (lambda d: d["teams"][0].update(staff=2), "teams[0]", "a self-service station has no staff"),
        (lambda d: d["teams"][0].update(self_service={"failure_prob": 1.5}), "teams[0].self_service.failure_prob",
         "1"),
        (lambda d: d["customer_classes"][0]["journey"][0].update(station=["portal", "agents"], step="try"),
         "customer_classes[0].journey[0].station[0]", "must be its step's only station"),
        (lambda d: d["customer_classes"][0]["journey"][0].update(station={"portal": 0.5, "agents": 0.5}, step="try"),
         "customer_classes[0].journey[0].station.portal", "must be its step's only station"),
    ],
)  # fmt: skip
def test_bad_self_service_is_refused_with_its_field(tmp_path: Path, change, field, message):
    data = portal_then_agents(0.3)
    change(data)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    proc = invoke_cli("run", str(path))
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert field in proc.stderr and message in proc.stderr, proc.stderr


def test_a_self_service_only_class_is_served_at_once():
    data = portal_then_agents(0.2, replications=1, seed=5)
    data["customer_classes"][0].pop("journey")
    data["teams"] = [{**data["teams"][0], "serves": ["web"]}]
    res = simsvc.simulate(simsvc.load_scenario(data), keep_records=True, engine="simpy")
    c = res.customers
    assert (c["wait"] == 0).all() and (c["team"] == "portal").all()
    assert np.array_equal(c["start"], c["arrival"]) and (c["end"] > c["start"]).all()


def test_the_optimizer_staffs_the_agents_for_the_portals_failures_only():
    data = portal_then_agents(0.5, replications=5, seed=7)
    data["horizon"] = {"open": "09:00", "close": "17:00", "interval_minutes": 60}
    data["simulation"]["warmup_minutes"] = 0
    start = {"earliest": "09:00", "latest": "13:00", "every": 60}
    data["optimizer"] = {"shifts": [{"teams": ["agents"], "start": start, "lengths": [240]}], "iterations": 2}
    plan = simsvc.optimize(simsvc.load_scenario(data))
    assert set(plan.to_frame()["team"]) == {"agents"}
    staffed = plan.to_scenario()
    assert staffed.teams[0].self_service.failure_prob == 0.5
    # The agents see half the arrivals (0.5/min at 4 min: 2 Erlangs): the plan covers at least that load.
    on_duty = [sum(s.staff for s in staffed.teams[1].shifts if s.on_duty(m)) for m in range(9 * 60, 17 * 60, 60)]
    assert min(on_duty) >= 3
