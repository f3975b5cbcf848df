"""The optimizer on teams that share contacts (pools) and on chat agents: requirements from theory,
plans the simulation of the real routing confirms."""

from __future__ import annotations

import math

import pytest

import simsvc
from simsvc import queueing
from simsvc.staffing.model import solve_staffing
from simsvc.staffing.patterns import generate_patterns
from simsvc.staffing.pooling import pools
from simsvc.staffing.prepare import model_input


def centre(serves: dict[str, list[str]], per_hour=(120.0, 60.0), hours=2, replications=10, seed=7) -> dict:
    """Two contact types (5-minute exponential handling) and the teams ``serves`` names, one shift a day."""
    names = ["sales", "service"]
    return {
        "name": "pool",
        "horizon": {"days": 1, "open": "08:00", "close": f"{8 + hours:02d}:00", "interval_minutes": 60},
        "customer_classes": [
            {"name": n, "arrivals": {"per_hour": r}, "service_time": {"dist": "exponential", "mean": 5.0}}
            for n, r in zip(names, per_hour, strict=True)
        ],
        "teams": [{"name": t, "serves": s, "staff": 10} for t, s in serves.items()],
        "training_levels": [{"level": 0, "speed": 1.0, "wage_per_hour": 24}],
        "targets": {"service_level": {"within": 0.5, "fraction": 0.8}},
        "optimizer": {"shifts": [{"teams": list(serves), "lengths": [60 * hours],
                                  "start": {"earliest": "08:00", "latest": "08:00", "every": 60}}]},
        "simulation": {"replications": replications, "seed": seed},
    }  # fmt: skip


def requirements(scenario) -> dict[str, int]:
    inp = model_input(scenario, generate_patterns(scenario), {}, {}, scenario.simulation.seed)
    sol, _ = solve_staffing(inp, "highs", 60, 0.0)
    return {team: int(sol.on_duty[team][0]) for team in sol.on_duty}


def test_two_groups_holding_both_skills_are_staffed_as_one_pooled_erlang_c_queue():
    scenario = simsvc.load_scenario(centre({"a": ["sales", "service"], "b": ["sales", "service"]}))
    staff = requirements(scenario)
    pooled = queueing.required_servers(180 / 60, 1 / 5.0, 0.5, 0.8, None)
    apart = 2 * queueing.required_servers(90 / 60, 1 / 5.0, 0.5, 0.8, None)  # each team its even half
    assert sum(staff.values()) == pooled
    assert pooled < apart  # the pooling gain the even split would give away


def test_a_specialist_and_a_generalist_meet_hall_s_conditions_at_least_cost():
    # The generalist alone may take service; both together take everything: n_g >= N(service),
    # n_s + n_g >= N(sales + service); nothing binds the specialist alone (sales may go to either).
    scenario = simsvc.load_scenario(centre({"specialist": ["sales"], "generalist": ["sales", "service"]}))
    (pool,) = pools(scenario)
    sets = {tuple(scenario.teams[t].name for t in teams): {st.klass for st in work} for teams, work in pool.sets}
    assert sets == {("generalist",): {1}, ("specialist", "generalist"): {0, 1}}
    staff = requirements(scenario)
    service = queueing.required_servers(60 / 60, 1 / 5.0, 0.5, 0.8, None)
    both = queueing.required_servers(180 / 60, 1 / 5.0, 0.5, 0.8, None)
    assert staff["generalist"] >= service
    assert staff["specialist"] + staff["generalist"] == both


def test_teams_apart_are_staffed_as_before():
    # No shared contact type: no pool, each team's own Erlang C requirement.
    scenario = simsvc.load_scenario(centre({"a": ["sales"], "b": ["service"]}))
    assert pools(scenario) == []
    assert requirements(scenario) == {
        "a": queueing.required_servers(2.0, 0.2, 0.5, 0.8, None),
        "b": queueing.required_servers(1.0, 0.2, 0.5, 0.8, None),
    }


@pytest.mark.parametrize("slots", [2, 3])
def test_chat_agents_without_slowdown_are_staffed_as_that_many_servers_each(slots):
    # With a slowdown of 0 an agent holding c chats is c independent servers (the engine's rule,
    # tests/test_concurrency.py): the least agents are ceil(Erlang C servers / c).
    data = centre({"chat": ["sales"]}, per_hour=(120.0, 0.0))
    data["customer_classes"].pop()
    data["teams"][0].update(concurrency=slots, concurrency_slowdown=0.0)
    staff = requirements(simsvc.load_scenario(data))
    assert staff == {"chat": math.ceil(queueing.required_servers(2.0, 0.2, 0.5, 0.8, None) / slots)}


def test_a_chat_agent_with_slowdown_counts_as_its_full_rate():
    # Slowdown s: each of c contacts at 1 / (1 + s (c - 1)) of the speed; the agent is planned as c
    # servers at that rate (conservative: with fewer contacts each goes faster).
    data = centre({"chat": ["sales"]}, per_hour=(120.0, 0.0))
    data["customer_classes"].pop()
    data["teams"][0].update(concurrency=3, concurrency_slowdown=0.5)
    staff = requirements(simsvc.load_scenario(data))
    servers = queueing.required_servers(2.0, 0.2 / (1 + 0.5 * 2), 0.5, 0.8, None)
    assert staff == {"chat": math.ceil(servers / 3)}


def test_unlimited_concurrency_is_refused_with_its_field():
    data = centre({"chat": ["sales"]}, per_hour=(120.0, 0.0))
    data["customer_classes"].pop()
    data["teams"][0].update(concurrency="unlimited")
    with pytest.raises(simsvc.ScenarioError, match=r"teams\[0\]\.concurrency"):
        simsvc.optimize(simsvc.load_scenario(data), simulate_plan=False)


def test_the_pooled_plan_meets_its_target_in_a_simulation_with_another_seed_and_three_times_the_replications():
    # A specialist and a generalist sharing sales; at most 12 per team, so both are needed. The plan
    # comes from the pooled requirements and the correction rounds; a verification it did not see
    # (another seed, 3x the replications) confirms the service level with 95 % confidence.
    data = centre({"specialist": ["sales"], "generalist": ["sales", "service"]})
    data["optimizer"]["max_staff"] = 12
    plan = simsvc.optimize(simsvc.load_scenario(data))
    assert plan.status == "confirmed", plan.iterations[-1].misses
    staff = plan.staffing.groupby("team")["staff"].max()
    assert staff["specialist"] > 0 and staff["generalist"] > 0
    check = simsvc.simulate(plan.scenario, replications=30, seed=99).summary()
    assert check.loc["service_level", "ci_low"] >= 0.8


def test_a_pool_beyond_max_staff_names_its_teams_the_interval_and_what_they_need():
    # The generalist alone may take service (10 Erlangs at 5 minutes): Erlang C needs 14 for 80 % in 30 s.
    data = centre({"specialist": ["sales"], "generalist": ["sales", "service"]}, per_hour=(60.0, 120.0))
    data["optimizer"]["max_staff"] = 13
    assert queueing.required_servers(2.0, 0.2, 0.5, 0.8, None) == 14
    with pytest.raises(simsvc.InfeasibleError, match=r"teams 'generalist' need 14 on the floor together at 08:00"):
        simsvc.optimize(simsvc.load_scenario(data), simulate_plan=False)


def test_a_pool_with_shrinkage_has_the_pooled_requirement_on_the_floor():
    # A quarter of the rostered staff off the floor: floor(0.75 n) of each team serve (the simulation's rule).
    from simsvc.sim.shrinkage import on_floor

    data = centre({"a": ["sales", "service"], "b": ["sales", "service"]})
    for team in data["teams"]:
        team["shrinkage"] = 0.25
    staff = requirements(simsvc.load_scenario(data))
    pooled = queueing.required_servers(180 / 60, 1 / 5.0, 0.5, 0.8, None)
    assert sum(on_floor(n, 0.25) for n in staff.values()) == pooled
    assert sum(on_floor(n, 0.25) for n in (staff["a"] - 1, staff["b"])) < pooled  # none to spare
