"""Chat concurrency (``teams[].concurrency``, ``concurrency_slowdown``): hand cases and exact theory.

Theory checks follow tests/test_theory.py: 99 % Student-t intervals over replications with a
fixed seed, a 24 h round-the-clock day with a warm-up of at least twice the relaxation time,
and a bound on the interval's half-width so that no check passes by being vague.

* M/M/1 with unlimited concurrency and slowdown 1 is M/M/1-PS: mean sojourn 1/(mu - lam).
* One agent of concurrency c and slowdown s is a birth-death chain on the number k of
  contacts in the system, with departure rate min(k, c) mu / (1 + s (min(k, c) - 1));
  its stationary law gives the mean wait, sojourn, P(wait > 0) and utilization exactly.
* n agents with slowdown 0 and concurrency c are n*c independent servers: Erlang C.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import simsvc
from simsvc import queueing
from simsvc.sim.kernel import KernelUnsupported
from tests.confidence import assert_exact_in_ci

DAY = {"days": 1, "open": "00:00", "close": "24:00", "interval_minutes": 60}


def make(
    classes: list[dict[str, Any]],
    teams: list[dict[str, Any]],
    *,
    horizon: dict[str, Any] | None = None,
    replications: int = 1,
    seed: int = 1,
    warmup: float = 0.0,
    quality: bool = False,
) -> simsvc.Scenario:
    return simsvc.load_scenario(
        {
            "name": "concurrency",
            "horizon": horizon or {"days": 1, "open": "00:00", "close": "01:00", "interval_minutes": 60},
            "customer_classes": classes,
            "teams": teams,
            "quality": {"enabled": quality},
            "simulation": {"replications": replications, "seed": seed, "warmup_minutes": warmup},
        }
    )


def det(value: float) -> dict[str, Any]:
    return {"dist": "deterministic", "value": value}


def exponential(mean: float) -> dict[str, Any]:
    return {"dist": "exponential", "mean": mean}


def poisson_chat(per_hour: float, mean: float, staff: int, concurrency: Any, slowdown: float, **kw: Any):
    return make(
        [{"name": "chat", "arrivals": {"per_hour": per_hour}, "service_time": exponential(mean)}],
        [{"name": "agents", "serves": ["chat"], "staff": staff, "concurrency": concurrency,
          "concurrency_slowdown": slowdown}],
        horizon=DAY, **kw,
    )  # fmt: skip


def times(res: simsvc.SimResult) -> list[tuple[float, float, float]]:
    c = res.customers.sort_values("customer")
    return [tuple(round(float(v), 9) for v in row) for row in c[["wait", "start", "end"]].to_numpy()]


def per_replication(res: simsvc.SimResult, values) -> np.ndarray:
    c = res.customers
    c = c[~c["warmup"]]
    return values(c).groupby(c["replication"]).mean().to_numpy(dtype=float)


def utilization(res: simsvc.SimResult) -> np.ndarray:
    k = res.kpis
    rows = k[(k["group"] == "overall") & (k["key"] == "all") & (k["kpi"] == "utilization")]
    return rows.sort_values("replication")["value"].to_numpy(dtype=float)


# ------------------------------------------------------------------------- hand cases
def test_concurrency_one_is_todays_model_record_for_record():
    classes = [{"name": "a", "arrivals": {"per_hour": 50}, "service_time": exponential(3),
                "patience": exponential(6)}]  # fmt: skip
    plain = [{"name": "t", "serves": ["a"], "staff": 3}]
    explicit = [{**plain[0], "concurrency": 1, "concurrency_slowdown": 0.9}]
    for quality in (False, True):
        a = simsvc.simulate(make(classes, plain, quality=quality, replications=2), keep_records=True, engine="simpy")
        b = simsvc.simulate(make(classes, explicit, quality=quality, replications=2), keep_records=True, engine="simpy")
        assert len(a.customers) > 50
        assert a.customers.equals(b.customers)
        assert a.kpis.equals(b.kpis)


def test_rates_change_with_the_load_processor_sharing_by_hand():
    # One agent, two slots, slowdown 1 (processor sharing), needs 10, 10, 1 at t = 0, 5, 6.
    # A alone 0-5 (5 done); A and B at 1/2 each: A's other 5 take 10, A ends at 15, B has 5 done.
    # C waits for a slot (the agent is full) until 15; B and C at 1/2: C ends at 17, B has 6
    # done; B alone: 4 more, ends at 21.
    res = simsvc.simulate(
        make(
            [{"name": "long", "arrivals": {"trace": [0, 5]}, "service_time": det(10)},
             {"name": "short", "arrivals": {"trace": [6]}, "service_time": det(1)}],
            [{"name": "t", "serves": ["long", "short"], "staff": 1, "concurrency": 2, "concurrency_slowdown": 1}],
        ),
        keep_records=True,
    )  # fmt: skip
    got = sorted(times(res), key=lambda r: r[1])
    assert got == [(0.0, 0.0, 15.0), (0.0, 5.0, 21.0), (9.0, 15.0, 17.0)]
    assert res.engine == "simpy" and res.engine_note == "chat concurrency"


def test_slowdown_half_and_least_loaded_agent_by_hand():
    # Two agents, three slots each, s = 0.5, needs 3: arrivals at 0, 0, 0 go to agents 0, 1, 0.
    # Agent 0 holds two (each at 1/1.5): both end at 4.5; agent 1 one: ends at 3.
    res = simsvc.simulate(
        make(
            [{"name": "a", "arrivals": {"trace": [0, 0, 0]}, "service_time": det(3)}],
            [{"name": "t", "serves": ["a"], "staff": 2, "concurrency": 3, "concurrency_slowdown": 0.5}],
        ),
        keep_records=True,
    )
    assert times(res) == [(0.0, 0.0, 4.5), (0.0, 0.0, 3.0), (0.0, 0.0, 4.5)]
    assert float(res.summary().loc["utilization", "mean"]) < 1.0


def test_an_agent_whose_shift_ends_finishes_its_contacts_and_takes_no_new_ones():
    # Two agents (two slots each, s = 0) until 00:10, then one. Needs 30 at t = 0, 1, 2 go to
    # agents 0, 1, 0. At 10 the least loaded (agent 1) goes off duty: it finishes its contact
    # (ends 31) but takes no new one, so the contact at 11 (need 5) waits for agent 0's first
    # slot, freed at 30: start 30, end 35. (Were agent 1 still taking work, it would start at 11.)
    res = simsvc.simulate(
        make(
            [{"name": "long", "arrivals": {"trace": [0, 1, 2]}, "service_time": det(30)},
             {"name": "short", "arrivals": {"trace": [11]}, "service_time": det(5)}],
            [{"name": "t", "serves": ["long", "short"], "concurrency": 2, "concurrency_slowdown": 0,
              "shifts": [{"start": "00:00", "end": "00:10", "staff": 1},
                         {"start": "00:00", "end": "01:00", "staff": 1}]}],
        ),
        keep_records=True,
    )  # fmt: skip
    got = sorted(times(res), key=lambda r: r[1])
    assert got == [(0.0, 0.0, 30.0), (0.0, 1.0, 31.0), (0.0, 2.0, 32.0), (19.0, 30.0, 35.0)]


def test_agents_without_slowdown_are_their_slots_as_servers_customer_for_customer():
    # s = 0: each contact is served at full speed whatever the load, so 2 agents of 3 slots are
    # a team of 6 servers: every customer waits, starts and ends as there (up to rounding).
    plain = simsvc.simulate(poisson_chat(60, 4, 6, 1, 0.0, replications=3, seed=5), keep_records=True)
    chat = simsvc.simulate(poisson_chat(60, 4, 2, 3, 0.0, replications=3, seed=5), keep_records=True)
    assert plain.engine_note is None or plain.engine_note != "chat concurrency"
    a, b = plain.customers, chat.customers
    assert len(a) == len(b) > 3000 and (a["wait"] > 0).mean() > 0.2
    for name in ("arrival", "wait", "start", "end"):
        np.testing.assert_allclose(b[name].to_numpy(), a[name].to_numpy(), rtol=1e-12, atol=1e-9)


def test_a_journey_step_at_a_concurrent_station_moves_on_at_its_completion():
    chat_then_desk = {
        "name": "a", "arrivals": {"per_hour": 40}, "service_time": exponential(4),
        "journey": [{"step": "chat", "station": "chat"},
                    {"step": "desk", "station": "desk", "service_time": exponential(1)}],
    }  # fmt: skip
    teams = [
        {"name": "chat", "staff": 1, "concurrency": 4, "concurrency_slowdown": 0.5},
        {"name": "desk", "staff": 2},
    ]
    res = simsvc.simulate(make([chat_then_desk], teams, replications=2), keep_records=True)
    s = res.steps
    first, second = s[s["step"] == "chat"].set_index(["replication", "customer"]), s[s["step"] == "desk"]
    second = second.set_index(["replication", "customer"])
    assert len(second) > 40
    assert (second["arrival"] == first.loc[second.index, "end"]).all()  # the next step starts at completion
    assert (first["end"] > first["start"]).all()
    c = res.customers.set_index(["replication", "customer"])
    assert (c.loc[second.index, "end"] == second["end"]).all()
    # The concurrent team is busy by the k/concurrency rule, at most 1.
    assert 0 < float(res.summary().loc["utilization", "mean"]) <= 1


def test_the_quality_model_judges_and_files_complaints_at_the_actual_end():
    res = simsvc.simulate(
        make(
            [{"name": "a", "arrivals": {"per_hour": 150}, "service_time": exponential(4)}],
            [{"name": "chat", "serves": ["a"], "staff": 3, "concurrency": 3, "concurrency_slowdown": 0.5}],
            quality=True, replications=2,
        ),
        keep_records=True,
    )  # fmt: skip
    c = res.customers
    complainers = c[(c["complained"] == 1) & (c["outcome"] == "served")].set_index(["replication", "customer"])
    assert len(complainers) > 20  # an overloaded hour: many complain
    filed = res.complaints.set_index(["replication", "customer"]).loc[complainers.index, "filed"]
    assert (filed == complainers["end"]).all()  # filed when its (slowed) service actually ended
    assert (complainers["end"] > complainers["start"]).all()


def test_the_kernel_refuses_it_and_auto_falls_back_naming_it():
    sc = poisson_chat(30, 4, 1, 3, 0.5, replications=1)
    with pytest.raises(KernelUnsupported, match="chat concurrency"):
        simsvc.simulate(sc, engine="kernel")
    res = simsvc.simulate(sc, engine="auto")
    assert (res.engine, res.engine_note) == ("simpy", "chat concurrency")


# ------------------------------------------------------------------------------ theory
@pytest.mark.slow
def test_unlimited_processor_sharing_is_mm1_ps():
    lam, mu = 12 / 60, 1 / 3  # rho = 0.6; relaxation 1/(mu (1 - sqrt(rho))^2) ~ 59 min
    res = simsvc.simulate(
        poisson_chat(lam * 60, 1 / mu, 1, "unlimited", 1.0, replications=300, seed=14, warmup=120),
        keep_records=True, engine="simpy",
    )  # fmt: skip
    assert (res.customers["wait"] == 0).all()  # unlimited: nobody waits for a slot
    sojourn = per_replication(res, lambda c: c["end"] - c["arrival"])
    assert_exact_in_ci("M/M/1-PS mean sojourn", sojourn, 1 / (mu - lam), max_rel_half=0.05)
    # Busy (any contact) exactly when the M/M/1 server is: P(k >= 1) = rho.
    assert_exact_in_ci("M/M/1-PS utilization", utilization(res), lam / mu, max_rel_half=0.03)


def birth_death(lam: float, mu: float, c: int, s: float, n_states: int = 5000) -> dict[str, float]:
    """One agent, concurrency ``c``, slowdown ``s``: exact stationary metrics of the contacts' chain."""
    k = np.arange(n_states)
    held = np.minimum(k, c)
    death = np.where(k > 0, held * mu / (1 + s * (np.maximum(held, 1) - 1)), 1.0)
    log_p = np.concatenate([[0.0], np.cumsum(np.log(lam / death[1:]))])
    p = np.exp(log_p - log_p.max())
    p /= p.sum()
    assert p[-1] < 1e-12  # the truncated tail is negligible
    waiting, in_system = float(((k - c).clip(0) * p).sum()), float((k * p).sum())
    return {
        "mean_wait": waiting / lam,  # Little's law for the queue
        "mean_sojourn": in_system / lam,
        "p_wait": float(p[k >= c].sum()),  # PASTA: an arrival finds the agent full
        "utilization": float((held * p).sum()) / c,  # k/c busy
    }


@pytest.mark.slow
def test_one_agent_with_concurrency_three_matches_its_birth_death_chain():
    lam, mu, c, s = 15 / 60, 1 / 4, 3, 0.5  # full agent's rate 1.5 mu: lam / that = 0.67
    exact = birth_death(lam, mu, c, s)
    res = simsvc.simulate(
        poisson_chat(lam * 60, 1 / mu, 1, c, s, replications=800, seed=2026, warmup=240),
        keep_records=True, engine="simpy",
    )  # fmt: skip
    assert exact["p_wait"] > 0.3  # real queueing
    wait = per_replication(res, lambda d: d["wait"])
    assert_exact_in_ci("1 agent c=3 s=0.5 mean wait", wait, exact["mean_wait"], max_rel_half=0.07)
    sojourn = per_replication(res, lambda d: d["end"] - d["arrival"])
    assert_exact_in_ci("1 agent c=3 s=0.5 mean sojourn", sojourn, exact["mean_sojourn"], max_rel_half=0.04)
    p_wait = per_replication(res, lambda d: d["wait"] > 0)
    assert_exact_in_ci("1 agent c=3 s=0.5 P(wait > 0)", p_wait, exact["p_wait"], max_rel_half=0.03)
    assert_exact_in_ci("1 agent c=3 s=0.5 utilization", utilization(res), exact["utilization"], max_rel_half=0.02)


@pytest.mark.slow
def test_agents_without_slowdown_are_independent_servers_erlang_c():
    lam, mu, agents, c = 60 / 60, 1 / 4, 2, 3  # 6 servers, load 4 Erlangs, rho = 0.67
    exact = queueing.mmc_metrics(lam, mu, agents * c, 1 / 3)
    res = simsvc.simulate(
        poisson_chat(lam * 60, 1 / mu, agents, c, 0.0, replications=300, seed=99, warmup=120),
        keep_records=True, engine="simpy",
    )  # fmt: skip
    wait = per_replication(res, lambda d: d["wait"])
    assert_exact_in_ci("2 agents x 3, s=0: M/M/6 mean wait", wait, exact["mean_wait"], max_rel_half=0.06)
    p_wait = per_replication(res, lambda d: d["wait"] > 0)
    assert_exact_in_ci("2 agents x 3, s=0: M/M/6 P(wait > 0)", p_wait, exact["p_wait"], max_rel_half=0.03)
    assert_exact_in_ci("2 agents x 3, s=0: occupancy", utilization(res), exact["occupancy"], max_rel_half=0.01)
    assert math.isclose(exact["occupancy"], lam / (mu * agents * c))


def test_the_overload_warning_counts_a_full_agents_work():
    from simsvc.sim.capacity import overload_warning

    # 30 an hour x 4 min = 2 Erlangs for one agent: overloaded alone, not with 3 chats at
    # 1/(1 + 0.2 * 2) each (a full agent does 3/1.4 = 2.14 servers' worth).
    assert overload_warning(poisson_chat(30, 4, 1, 1, 0.2)) is not None
    assert overload_warning(poisson_chat(30, 4, 1, 3, 0.2)) is None
    assert overload_warning(poisson_chat(30, 4, 1, 3, 0.5)) is not None  # 3/2 = 1.5 < 2
