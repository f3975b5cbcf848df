"""Channel choice (issue 14, item 4): told a long wait, a customer switches to another channel.

The theory: an M/M/n line whose arrivals, finding all n busy and ``q`` waiting, are told the
wait ``(q + 1) / (n mu)`` and stay only if their exponential tolerance (mean ``theta``) is
longer is a birth-death chain with birth rate ``lam * exp(-(q + 1) / (n mu theta))`` in those
states: its stationary distribution gives the share who switch (PASTA) and, by Little's law,
the mean wait of those who stay. Tolerances are 99 % t-intervals over replications with a
fixed seed (``tests/confidence.py``).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import simsvc
from simsvc.sim.kernel import KernelUnsupported
from tests.confidence import assert_exact_in_ci
from tests.helpers import invoke_cli

DAY = {"days": 1, "open": "00:00", "close": "24:00", "interval_minutes": 60}
WARMUP = 120.0
LAM, MU, N, THETA = 2.2, 0.5, 5, 1.0  # per minute; load 4.4 on 5 agents


def exponential(mean: float) -> dict:
    return {"dist": "exponential", "mean": mean}


def phone_line(tolerance: dict, **sim) -> dict:
    return {
        "name": "phone line with channel choice",
        "horizon": DAY,
        "customer_classes": [
            {"name": "phone", "arrivals": {"per_hour": [LAM * 60]}, "service_time": exponential(1 / MU),
             "channel_choice": {"tolerance": tolerance, "to": {"chat": 0.6, "web": 0.4}}},
            {"name": "chat", "arrivals": {"per_hour": [0]}, "service_time": exponential(6.0)},
            {"name": "web", "arrivals": {"per_hour": [0]}, "service_time": exponential(3.0),
             "journey": [{"station": "portal"}, {"station": "chatters"}]},
        ],
        "teams": [
            {"name": "agents", "staff": N, "serves": ["phone"]},
            {"name": "chatters", "staff": 4, "serves": ["chat"]},
            {"name": "portal", "self_service": {"failure_prob": 0.5}},
        ],
        "quality": {"enabled": False},
        "simulation": {"warmup_minutes": WARMUP, **sim},
    }  # fmt: skip


def birth_death() -> tuple[float, float]:
    """The exact share of arrivals who switch and the mean wait of those who stay."""
    states = 400
    birth = np.full(states, LAM)
    ahead = np.arange(states) - N
    busy = ahead >= 0
    birth[busy] = LAM * np.exp(-(ahead[busy] + 1) / (N * MU * THETA))
    death = np.minimum(np.arange(1, states + 1), N) * MU
    log_pi = np.concatenate([[0.0], np.cumsum(np.log(birth[:-1] / death[:-1]))])
    pi = np.exp(log_pi - log_pi.max())
    pi /= pi.sum()
    switch = float(np.sum(pi[busy] * (1 - np.exp(-(ahead[busy] + 1) / (N * MU * THETA)))))
    queue = float(np.sum(pi[busy] * ahead[busy]))
    return switch, queue / (LAM * (1 - switch))


def observed(res: simsvc.SimResult) -> pd.DataFrame:
    c = res.customers
    return c[(c["arrival"] >= WARMUP) & (c["arrival"] < 1440.0)]


def test_switching_matches_the_birth_death_chain():
    res = simsvc.simulate(simsvc.load_scenario(phone_line(exponential(THETA), replications=60, seed=20261203)),
                          keep_records=True)  # fmt: skip
    assert res.engine == "simpy" and res.engine_note == "channel choice"
    c = observed(res)
    switched = c.groupby("replication")["class"].apply(lambda k: (k != "phone").mean()).to_numpy()
    exact_switch, exact_wait = birth_death()
    assert 0.1 < exact_switch < 0.3  # the choice matters here
    assert_exact_in_ci("share switching channel", switched, exact_switch, max_rel_half=0.05)
    stayed = c[c["class"] == "phone"].groupby("replication")["wait"].mean().to_numpy()
    assert_exact_in_ci("mean wait of those who stay", stayed, exact_wait, max_rel_half=0.06)
    # Where they go: by the `to` probabilities, with the target's own service and journey.
    gone = c[c["class"] != "phone"]
    assert_exact_in_ci("share of switchers to chat",
                       gone.groupby("replication")["class"].apply(lambda k: (k == "chat").mean()).to_numpy(),
                       0.6, max_rel_half=0.05)  # fmt: skip
    web = res.steps[res.steps["class"] == "web"]
    assert set(web["step"]) == {"portal", "chatters"} and web.groupby(["replication", "customer"]).size().max() == 2


def test_a_tolerance_no_wait_reaches_switches_nobody():
    """The choice draws from streams of its own: with nobody switching, the records are those without it."""
    never = phone_line({"dist": "deterministic", "value": 1e7}, replications=2, seed=5)
    without = phone_line(THETA, replications=2, seed=5)
    without["customer_classes"][0].pop("channel_choice")
    a = simsvc.simulate(simsvc.load_scenario(never), keep_records=True).customers
    b = simsvc.simulate(simsvc.load_scenario(without), keep_records=True).customers
    pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_the_same_seed_gives_the_same_switches():
    sc = simsvc.load_scenario(phone_line(exponential(THETA), replications=4, seed=9))
    one = simsvc.simulate(sc, keep_records=True, workers=1).customers
    two = simsvc.simulate(sc, keep_records=True, workers=2).customers
    pd.testing.assert_frame_equal(one, two, check_exact=True)
    assert (one["class"] != "phone").any()


def test_the_kernel_refuses_channel_choice():
    with pytest.raises(KernelUnsupported, match="channel choice"):
        simsvc.simulate(simsvc.load_scenario(phone_line(exponential(THETA), replications=1)), engine="kernel")


@pytest.mark.parametrize(
    "to, field, message",
    [
        ({"chat": 0.6, "web": 0.3}, "customer_classes[0].channel_choice.to", "probabilities sum to 0.9, not 1"),
        ({"chat": 0.6, "email": 0.4}, "customer_classes[0].channel_choice.to.email", "unknown class 'email'"),
        ({"chat": 0.6, "phone": 0.4}, "customer_classes[0].channel_choice.to.phone", "cannot switch to itself"),
        ({}, "customer_classes[0].channel_choice.to", "must name at least one class"),
    ],
)
def test_bad_channel_choice_is_refused_with_its_field(tmp_path: Path, to, field, message):
    data = phone_line(exponential(THETA))
    data["customer_classes"][0]["channel_choice"]["to"] = to
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    proc = invoke_cli("run", str(path))
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert field in proc.stderr and message in proc.stderr, proc.stderr


def test_a_class_switching_from_a_journey_of_several_steps_is_refused():
    data = phone_line(exponential(THETA))
    data["customer_classes"][2]["channel_choice"] = {"tolerance": exponential(1.0), "to": {"chat": 1.0}}
    with pytest.raises(simsvc.ScenarioError, match=r"customer_classes\[2\].channel_choice: only a class served in one"):
        simsvc.load_scenario(data)


def test_announced_wait_of_a_line_nobody_serves_is_infinite():
    from simsvc.sim.channel_choice import announced_wait

    assert announced_wait(3, 0.0) == math.inf and announced_wait(3, 2.0) == 2.0
