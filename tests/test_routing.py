"""Routing rules (simsvc.sim.routing): built-ins, a rule of one's own, bad names.

Two identical one-server teams share a class (M/M/2 at load 0.5 per server). Under
``longest_idle`` the teams are exchangeable after the first customer, so each does exactly half
the busy time in expectation; under ``first_idle`` the first team takes every arrival that finds
it idle, so it does more. Both are checked with 99 % t intervals over seeded replications.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import yaml

import simsvc
from simsvc.sim.routing import FirstIdle
from tests.confidence import assert_exact_in_ci, t_interval
from tests.helpers import invoke_cli

WARMUP = 60.0


class MostIdle(FirstIdle):  # the README's example
    """An arrival goes to the team with the most idle servers (ties: pool order)."""

    def pick_team(self, idle, now):
        return max(idle, key=lambda team: team.cap - team.busy)


class LowestFirst(FirstIdle):
    """A freed server takes the worst priority first (the opposite of the built-in)."""

    def pick_customer(self, waiting, now):
        return max(waiting, key=lambda w: (w.priority, -w.arrival))


def pool(routing: str | None, staff=(1, 1), classes=None, replications: int = 30, seed: int = 7) -> dict[str, Any]:
    classes = classes or [{"name": "a", "arrivals": {"per_hour": 60}}]
    teams = [{"name": f"t{i}", "staff": n, "serves": [c["name"] for c in classes]} for i, n in enumerate(staff)]
    for t in teams:
        if routing:
            t["routing"] = routing
    return {
        "name": "pool",
        "horizon": {"days": 1, "open": "00:00", "close": "24:00", "interval_minutes": 60},
        "customer_classes": [{"service_time": {"dist": "exponential", "mean": 1.0}, **c} for c in classes],
        "teams": teams,
        "quality": {"enabled": False},
        "simulation": {"replications": replications, "seed": seed, "warmup_minutes": WARMUP},
    }


def first_team_share(res: simsvc.SimResult) -> np.ndarray:
    """Per replication: team t0's share of the busy minutes of customers served after the warm-up."""
    c = res.customers
    c = c[(c["outcome"] == "served") & (c["arrival"] >= WARMUP)]
    busy = (c["end"] - c["start"]).groupby([c["replication"], c["team"].astype(str)], observed=True).sum()
    busy = busy.unstack()
    return (busy["t0"] / busy.sum(axis=1)).to_numpy()


def test_longest_idle_splits_busy_time_evenly_first_idle_loads_the_first_team():
    even = first_team_share(simsvc.simulate(simsvc.load_scenario(pool("longest_idle"))))
    assert_exact_in_ci("longest_idle: t0's share", even, 0.5, max_rel_half=0.02)
    first = first_team_share(simsvc.simulate(simsvc.load_scenario(pool(None))))
    mean, half = t_interval(first)
    print(f"first_idle: t0's share {mean:.4f} +- {half:.4f}")
    assert mean - half > 0.55  # t0 takes every arrival that finds it idle


def test_default_and_explicit_first_idle_are_the_same_run():
    a = simsvc.simulate(simsvc.load_scenario(pool(None, replications=2)))
    b = simsvc.simulate(simsvc.load_scenario(pool("first_idle", replications=2)))
    assert a.customers.equals(b.customers)


def test_priority_prefers_the_specialist_team():
    classes = [{"name": "vip", "priority": 0, "arrivals": {"per_hour": 20}},
               {"name": "std", "priority": 1, "arrivals": {"per_hour": 20}}]  # fmt: skip
    data = pool("priority", classes=classes, replications=3)
    data["teams"] = [{"name": "generalist", "staff": 2, "serves": ["vip", "std"], "routing": "priority"},
                     {"name": "std_desk", "staff": 2, "serves": ["std"], "routing": "priority"}]  # fmt: skip
    c = simsvc.simulate(simsvc.load_scenario(data)).customers
    std = c[(c["class"] == "std") & (c["outcome"] == "served")]
    by_team = std["team"].astype(str).value_counts(normalize=True)
    default = data | {"teams": [{k: v for k, v in t.items() if k != "routing"} for t in data["teams"]]}
    c0 = simsvc.simulate(simsvc.load_scenario(default)).customers
    std0 = c0[(c0["class"] == "std") & (c0["outcome"] == "served")]
    before = std0["team"].astype(str).value_counts(normalize=True)
    # first_idle sends std to the generalist listed first; priority sends it to its own desk first.
    assert by_team["std_desk"] > 0.8 > before.get("std_desk", 0.0)


def test_a_rule_of_ones_own_runs_end_to_end_and_is_reproducible():
    scenario = simsvc.load_scenario(pool(None, staff=(1, 3), replications=6))
    rules = {"t0": MostIdle(), "t1": MostIdle()}
    mine = simsvc.simulate(scenario, routing=rules)
    again = simsvc.simulate(scenario, routing=rules, workers=2)
    assert mine.customers.equals(again.customers)
    base = first_team_share(simsvc.simulate(scenario))
    most = first_team_share(mine)
    mean, half = t_interval(base - most)  # common random numbers: paired by replication
    assert mean - half > 0  # the 3-server team is preferred while it has more idle servers


def test_a_rule_of_ones_own_chooses_the_waiting_customer():
    classes = [{"name": "vip", "priority": 0, "arrivals": {"per_hour": 55}},
               {"name": "std", "priority": 1, "arrivals": {"per_hour": 55}}]  # fmt: skip
    scenario = simsvc.load_scenario(pool(None, staff=(2,), classes=classes, replications=4))
    rules = {"t0": LowestFirst()}
    waits = simsvc.simulate(scenario).customers.groupby("class", observed=True)["wait"].mean()
    flipped = simsvc.simulate(scenario, routing=rules).customers.groupby("class", observed=True)["wait"].mean()
    assert waits["vip"] < waits["std"] and flipped["vip"] > flipped["std"]


def test_bad_rule_name_exits_2_with_its_field_path(tmp_path: Path):
    path = tmp_path / "bad.yaml"
    data = pool("shortest_queue")
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    proc = invoke_cli("validate", str(path))
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "teams[0].routing" in proc.stderr and "longest_idle" in proc.stderr


def test_teams_sharing_a_queue_must_agree(tmp_path: Path):
    data = pool(None)
    data["teams"][1]["routing"] = "longest_idle"
    path = tmp_path / "mixed.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    proc = invoke_cli("validate", str(path))
    assert proc.returncode == 2, proc.stderr
    assert "teams[1].routing" in proc.stderr and "'t0'" in proc.stderr
