"""Skills-based routing and overflow (issue 14, item 5).

Exact checks: a mapping of skills at one priority is today's list (records to the bit); a small
deterministic case shows both halves of the rule (arrivals to the best skill priority, a freed
agent to its best skill before a longer-waiting contact of a lesser one); an overflow threshold
of 0 is a skill at the lowest priority and one beyond the horizon is no overflow (to the bit);
no contact reaches a secondary group before its threshold. Theory: two groups that each hold
both skills give the pooled M/M/(n1+n2) of Erlang C, whatever their skill priorities (every
agent serves every contact and services are exponential with one rate, so the number in the
system is that birth-death chain). Tolerances are 99 % t-intervals over replications with a
fixed seed (``tests/confidence.py``).
"""

from __future__ import annotations

import copy
import json

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import simsvc
from simsvc.queueing import mmc_metrics
from simsvc.sim.kernel import KernelUnsupported, available
from simsvc.sim.routing import FirstIdle
from tests.confidence import assert_exact_in_ci
from tests.helpers import SCENARIOS, invoke_cli
from tests.test_kernel_differential import scenarios

DAY = {"days": 1, "open": "00:00", "close": "24:00", "interval_minutes": 60}
WARMUP = 120.0


def exponential(mean: float) -> dict:
    return {"dist": "exponential", "mean": mean}


def two_skills(serves: tuple, per_hour: tuple = (150.0, 186.0), mean: float = 1.0, **sim) -> dict:
    """Classes a and b, one exponential service; groups g1 (3 agents) and g2 (4) with ``serves``."""
    return {
        "name": "two skills",
        "horizon": DAY,
        "customer_classes": [
            {"name": "a", "arrivals": {"per_hour": [per_hour[0]]}, "service_time": exponential(mean)},
            {"name": "b", "arrivals": {"per_hour": [per_hour[1]]}, "service_time": exponential(mean)},
        ],
        "teams": [{"name": "g1", "staff": 3, "serves": serves[0]}, {"name": "g2", "staff": 4, "serves": serves[1]}],
        "quality": {"enabled": False},
        "simulation": {"warmup_minutes": WARMUP, **sim},
    }


def records(data: dict, **kw) -> pd.DataFrame:
    return simsvc.simulate(simsvc.load_scenario(data), keep_records=True, **kw).customers


def test_skills_at_one_priority_are_the_list():
    """The bundled bank branch (two teams, two classes of different priority) with each list as a mapping."""
    data = yaml.safe_load((SCENARIOS / "bank_branch.yaml").read_text(encoding="utf-8"))
    data["simulation"]["replications"] = 2
    mapped = copy.deepcopy(data)
    for team in mapped["teams"]:
        team["serves"] = dict.fromkeys(team["serves"], 1)
    a, b = records(data), records(mapped)
    assert len(a) > 500
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    # One skill, one group: any priority number is the same.
    one = {**two_skills(({"a": 1}, {"b": 1}), replications=2), "teams": [{"name": "g", "staff": 2, "serves": ["a"]}]}
    one["customer_classes"] = one["customer_classes"][:1]
    other = copy.deepcopy(one)
    other["teams"][0]["serves"] = {"a": -7}
    pd.testing.assert_frame_equal(records(one), records(other), check_exact=True)


@pytest.mark.parametrize(
    "serves",
    [({"a": 1, "b": 1}, {"a": 1, "b": 1}), ({"a": 1, "b": 2}, {"a": 2, "b": 1})],
    ids=["equal-priorities", "each-prefers-one"],
)
def test_two_groups_holding_both_skills_are_the_pooled_erlang_c(serves):
    lam, mu, n = (150.0 + 186.0) / 60, 1.0, 7  # per minute: load 5.6 on 7 agents
    res = simsvc.simulate(simsvc.load_scenario(two_skills(serves, replications=100, seed=20261207)), keep_records=True)
    c = res.customers
    c = c[(c["arrival"] >= WARMUP) & (c["arrival"] < 1440.0)]
    assert set(c["team"]) == {"g1", "g2"}
    exact = mmc_metrics(lam, mu, n, target_wait=0.0)
    by_rep = c.groupby("replication")["wait"]
    assert_exact_in_ci("mean wait, pooled M/M/7", by_rep.mean().to_numpy(), exact["mean_wait"], max_rel_half=0.07)
    p_wait = by_rep.apply(lambda w: (w > 0).mean()).to_numpy()
    assert_exact_in_ci("P(wait > 0), pooled M/M/7", p_wait, exact["p_wait"], max_rel_half=0.03)


def _specialist_and_generalist(generalist_serves) -> pd.DataFrame:
    """gen (1 agent, listed first) holds b and a; spec (1 agent) holds only a; every service takes 10 minutes."""
    ten = {"dist": "deterministic", "value": 10.0}
    data = {
        "name": "specialist and generalist",
        "horizon": {"days": 1, "open": "09:00", "close": "12:00", "interval_minutes": 60},
        "customer_classes": [
            {"name": "a", "arrivals": {"trace": [0.0, 0.5, 1.0, 1.5]}, "service_time": ten},
            {"name": "b", "arrivals": {"trace": [2.0]}, "service_time": ten},
        ],
        "teams": [
            {"name": "gen", "staff": 1, "serves": generalist_serves},
            {"name": "spec", "staff": 1, "serves": {"a": 1}},
        ],
        "quality": {"enabled": False},
        "simulation": {"replications": 1},
    }
    c = records(data).sort_values("arrival")
    return c.assign(at=c["arrival"] - 540.0, begins=c["start"] - 540.0)[["class", "at", "team", "begins"]]


def test_arrivals_go_to_the_best_skill_and_a_freed_agent_takes_its_best_skill_first():
    c = _specialist_and_generalist({"b": 1, "a": 2})
    # a at 0: both idle, spec holds a at priority 1 (gen at 2) although gen comes first in the file.
    # a at 0.5: spec busy, gen idle. a at 1 and 1.5 wait, b at 2 waits. spec frees at 10: a(1).
    # gen frees at 10.5 with a(1.5) and b(2) waiting: b, its best skill, though a waited longer.
    expected = [("a", 0.0, "spec", 0.0), ("a", 0.5, "gen", 0.5), ("a", 1.0, "spec", 10.0), ("a", 1.5, "spec", 20.0),
                ("b", 2.0, "gen", 10.5)]  # fmt: skip
    assert list(c.itertuples(index=False, name=None)) == expected
    # As a list (one priority), the arrival at 0 goes to gen, listed first, and gen takes the longest waiting.
    c = _specialist_and_generalist(["b", "a"])
    assert list(c.itertuples(index=False, name=None)) == [
        ("a", 0.0, "gen", 0.0), ("a", 0.5, "spec", 0.5), ("a", 1.0, "gen", 10.0), ("a", 1.5, "spec", 10.5),
        ("b", 2.0, "gen", 20.0)]  # fmt: skip


def test_longest_idle_chooses_among_the_best_skill_priority_only():
    c = _specialist_and_generalist_rule("longest_idle")
    assert c.loc[c["at"] == 0.0, "team"].item() == "spec"


def _specialist_and_generalist_rule(rule: str) -> pd.DataFrame:
    ten = {"dist": "deterministic", "value": 10.0}
    data = {
        "name": "longest idle",
        "horizon": {"days": 1, "open": "09:00", "close": "12:00", "interval_minutes": 60},
        "customer_classes": [{"name": "a", "arrivals": {"trace": [0.0]}, "service_time": ten}],
        # gen comes on duty first (idle longest), but holds a at a lesser priority.
        "teams": [
            {
                "name": "gen",
                "shifts": [{"start": "08:00", "end": "12:00", "staff": 1}],
                "serves": {"a": 2},
                "routing": rule,
            },
            {"name": "spec", "staff": 1, "serves": {"a": 1}, "routing": rule},
        ],
        "quality": {"enabled": False},
        "simulation": {"replications": 1},
    }
    c = records(data)
    return c.assign(at=c["arrival"] - 540.0)


def overflowing(overflow: dict | None, patience: bool = False, **sim) -> dict:
    """a served by g1 (3 agents, overloaded at times); g2 (4 agents) holds b and may take a as overflow.

    The last two hours bring nobody, so no one waits at closing.
    """
    data = two_skills(({"a": 1}, {"b": 1}), **sim)
    rates = [200.0] * 6 + [150.0] * 16 + [0.0, 0.0]
    data["customer_classes"][0]["arrivals"] = {"per_hour": rates}
    data["customer_classes"][1]["arrivals"] = {"per_hour": [100.0] * 22 + [0.0, 0.0]}
    if patience:
        data["customer_classes"][0]["patience"] = exponential(3.0)
    if overflow is not None:
        data["teams"][1]["overflow"] = overflow
    return data


@pytest.mark.parametrize("patience", [False, True], ids=["waits", "patience"])
def test_no_contact_reaches_the_secondary_group_before_its_threshold(patience):
    c = records(overflowing({"a": 1.5}, patience=patience, replications=3, seed=3))
    over = c[(c["class"] == "a") & (c["team"] == "g2")]
    assert len(over) > 300  # the overflow is used
    assert (over["start"] >= over["arrival"] + 1.5).all()
    # Those who waited that long are not left waiting while g2 is idle: g2 takes them at the threshold.
    assert (over["start"] == over["arrival"] + 1.5).mean() > 0.3


def test_a_threshold_of_zero_is_the_skill_at_the_lowest_priority():
    data = overflowing(None, replications=2, seed=11)
    data["teams"][1]["serves"] = {"b": 1, "a": 2}
    zero, held = (simsvc.simulate(simsvc.load_scenario(d), keep_records=True, engine="simpy")
                  for d in (overflowing({"a": 0.0}, replications=2, seed=11), data))  # fmt: skip
    c = zero.customers
    assert (c["team"].eq("g2") & c["class"].eq("a")).sum() > 1000
    pd.testing.assert_frame_equal(c, held.customers, check_exact=True)
    pd.testing.assert_frame_equal(zero.kpis, held.kpis, check_exact=True)


def test_a_threshold_nobody_reaches_is_no_overflow():
    """Its timers fire long after everyone has gone and change nothing: records and KPIs (time accounts too)."""
    run = [simsvc.simulate(simsvc.load_scenario(overflowing(o, replications=2, seed=11)), keep_records=True,
                           engine="simpy") for o in ({"a": 1e5}, None)]  # fmt: skip
    pd.testing.assert_frame_equal(run[0].customers, run[1].customers, check_exact=True)
    pd.testing.assert_frame_equal(run[0].kpis, run[1].kpis, check_exact=True)


def test_overflow_lowers_the_primary_class_wait():
    """Power check: overflow after 1.5 minutes cuts a's mean wait (g1 alone is overloaded in the morning)."""
    with_ = records(overflowing({"a": 1.5}, replications=2, seed=5))
    without = records(overflowing(None, replications=2, seed=5))
    a = with_["class"] == "a"
    assert with_.loc[a, "wait"].mean() < 0.5 * without.loc[without["class"] == "a", "wait"].mean()


def test_the_kernel_runs_skills_and_refuses_overflow():
    if available():
        data = two_skills(({"a": 1, "b": 2}, {"a": 2, "b": 1}), replications=2, seed=4)
        fast = simsvc.simulate(simsvc.load_scenario(data), keep_records=True, engine="kernel")
        slow = simsvc.simulate(simsvc.load_scenario(data), keep_records=True, engine="simpy")
        pd.testing.assert_frame_equal(fast.customers, slow.customers, check_exact=True)
    with pytest.raises(KernelUnsupported, match="overflow"):
        simsvc.simulate(simsvc.load_scenario(overflowing({"a": 1.0}, replications=1)), engine="kernel")
    res = simsvc.simulate(simsvc.load_scenario(overflowing({"a": 1.0}, replications=1)))
    assert res.engine == "simpy" and res.engine_note == "overflow to secondary groups"


def test_skills_round_trip_through_a_saved_file(tmp_path):
    from simsvc.scenario.dump import scenario_yaml

    sc = simsvc.load_scenario(overflowing({"a": 1.5}, replications=1))
    sc = sc.replace({"teams[0].serves": {"a": 3}})
    scenario_yaml(sc, tmp_path / "s.yaml")
    back = simsvc.load_scenario(tmp_path / "s.yaml")
    assert back.teams[0].skills == {"a": 3} and back.teams[1].overflow == {"a": 1.5}
    assert back.teams[1].skills == {"b": 1} and np.isclose(back.teams[1].overflow["a"], 1.5)


LAM1, MU1, TAU = 0.9, 1.0, 2.0  # per minute, minutes


def mm1_overflow() -> tuple[float, float]:
    """One primary agent, overflow after ``TAU`` to a group that is always free: P(overflow) and the mean wait.

    The primary is an M/M/1 whose arrivals join its work only if its virtual wait ``V`` (the work
    ahead of them) is below ``TAU`` (the others wait ``TAU`` and go to the secondary group). ``V``
    has an atom ``p0`` at 0, density ``lam p0 exp(-(mu - lam) v)`` below ``TAU`` and
    ``lam p0 exp(-(mu - lam) TAU) exp(-mu (v - TAU))`` above. By PASTA an arrival overflows with
    probability P(V >= TAU) and waits min(V, TAU).
    """
    d = MU1 - LAM1
    p0 = 1.0 / (1.0 + LAM1 / d * (1.0 - np.exp(-d * TAU)) + LAM1 / MU1 * np.exp(-d * TAU))
    p_over = LAM1 * p0 * np.exp(-d * TAU) / MU1
    # E[min(V, TAU)] = integral over 0..TAU of P(V > v) = 1 - p0 - lam p0 (1 - exp(-d v)) / d.
    c = LAM1 * p0 / d
    mean_wait = TAU * (1.0 - p0 - c) + c * (1.0 - np.exp(-d * TAU)) / d
    return float(p_over), float(mean_wait)


def test_overflow_to_a_free_group_is_the_mm1_with_deterministic_patience():
    data = {
        "name": "overflow theory",
        "horizon": DAY,
        "customer_classes": [
            {"name": "a", "arrivals": {"per_hour": [LAM1 * 60]}, "service_time": exponential(1 / MU1)},
            {"name": "b", "arrivals": {"per_hour": [0.0]}, "service_time": exponential(1.0)},
        ],
        "teams": [
            {"name": "primary", "staff": 1, "serves": ["a"]},
            {"name": "backup", "staff": 40, "serves": ["b"], "overflow": {"a": TAU}},
        ],
        "quality": {"enabled": False},
        "simulation": {"warmup_minutes": WARMUP, "replications": 60, "seed": 20261208},
    }
    c = records(data)
    c = c[(c["arrival"] >= WARMUP) & (c["arrival"] < 1440.0)]
    p_over, mean_wait = mm1_overflow()
    assert 0.15 < p_over < 0.3
    by_rep = c.groupby("replication")
    share = by_rep["team"].apply(lambda t: (t == "backup").mean()).to_numpy()
    assert_exact_in_ci("share overflowing, M/M/1 + D", share, p_over, max_rel_half=0.05)
    assert_exact_in_ci("mean wait, M/M/1 + D", by_rep["wait"].mean().to_numpy(), mean_wait, max_rel_half=0.04)
    over = c[c["team"] == "backup"]
    assert (over["start"] == over["arrival"] + TAU).all()  # always free: each at its threshold exactly


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=scenarios(), data=st.data())
def test_random_overflow_never_serves_before_the_threshold(spec, data):
    """Random scenarios (shifts, breaks, shrinkage, patience, balking, closing, ties on a coarse grid) with
    random overflow: every contact a secondary group serves started at least its threshold after arriving,
    and every customer is served, abandoned or balked; the same seed gives the same records."""
    names = [c["name"] for c in spec["customer_classes"]]
    # A spare group with a skill of its own (class z) that may take every other class as overflow.
    spec["customer_classes"].append({"name": "z", "arrivals": {"per_hour": 6.0}, "service_time": exponential(2.0)})
    spare = {"name": "spare", "serves": ["z"], "routing": spec["teams"][0]["routing"]}
    staffing = [{"staff": 1}, {"staff": 2}, {"shifts": [{"start": "09:00", "end": "11:00", "staff": 2}]}]
    spare.update(data.draw(st.sampled_from(staffing)))
    spare["overflow"] = {n: data.draw(st.sampled_from([0.0, 0.5, 2.0, 5.0])) for n in names}
    spec["teams"].append(spare)
    for team in spec["teams"][:-1]:
        others = [n for n in names if n not in team["serves"]]
        if others and data.draw(st.booleans()):
            chosen = data.draw(st.lists(st.sampled_from(others), min_size=1, unique=True))
            team["overflow"] = {n: data.draw(st.sampled_from([0.0, 0.5, 2.0, 5.0])) for n in chosen}
    try:
        scenario = simsvc.load_scenario(spec)
    except simsvc.ScenarioError:
        assume(False)
    c = simsvc.simulate(scenario, keep_records=True, engine="simpy").customers
    assert c["outcome"].isin(["served", "abandoned", "balked"]).all()
    for team in spec["teams"]:
        for name, minutes in team.get("overflow", {}).items():
            rows = c[(c["team"] == team["name"]) & (c["class"] == name)]
            assert (rows["start"] >= rows["arrival"] + minutes).all()
    again = simsvc.simulate(scenario, keep_records=True, engine="simpy").customers
    pd.testing.assert_frame_equal(c, again, check_exact=True)


class SameAsFirstIdle(FirstIdle):
    """A rule of one's own that decides as first_idle does (through the rule path: pick_team, pick_customer)."""

    def pick_team(self, idle, now):
        return idle[0]


class LastIdle(FirstIdle):
    """The last idle group offered: with one group per skill priority, the one first_idle takes."""

    def pick_team(self, idle, now):
        return idle[-1]


@pytest.mark.parametrize("rule", [SameAsFirstIdle, LastIdle])
def test_a_rule_of_ones_own_sees_the_skill_priorities(rule):
    """Offered only the idle groups of the best skill priority, and each head's ``skill``, it decides as first_idle."""
    data = two_skills(({"a": 1, "b": 2}, {"a": 2, "b": 1}), replications=2, seed=8)
    inline = records(data, engine="simpy")
    ruled = records(data, routing={"g1": rule(), "g2": rule()})
    pd.testing.assert_frame_equal(inline, ruled, check_exact=True)
    as_list = records(two_skills((["a", "b"], ["a", "b"]), replications=2, seed=8))
    assert not inline["team"].equals(as_list["team"])  # the priorities matter here


def test_run_and_validate_a_skills_file(tmp_path):
    """From a file on the command line: skills and overflow validate, run (on SimPy, saying why) and print KPIs."""
    path = tmp_path / "skills.yaml"
    data = overflowing({"a": 1.5}, replications=2, seed=1)
    data["teams"][0]["serves"] = {"a": 1}
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert invoke_cli("validate", str(path)).returncode == 0
    proc = invoke_cli("run", str(path), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    kpis = json.loads(proc.stdout)["kpis"]
    assert kpis["served"]["mean"] > 1000 and 0 < kpis["mean_wait"]["mean"] < 5
