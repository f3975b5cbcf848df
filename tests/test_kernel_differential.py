"""The compiled kernel against the SimPy model: the same records to the last bit, the same KPIs.

Random scenarios (Hypothesis) cover every feature the kernel runs: several classes with
priorities, patience and balking, several teams serving overlapping sets of classes (as lists,
or as skills with priorities) with ``first_idle`` or ``priority`` routing, shifts with breaks
and days off, staff per interval, shrinkage, training speeds, warm-up, several days, closing
with customers inside, and arrivals cut at ``max_customers``; and journeys of several steps
(pools, a choice of stations, rework back to an earlier step, patience per step, closing with
customers between steps). Arrival
times on a coarse grid and whole-minute services make ties (an arrival as a server frees, a
shift change on an arrival, a step ending as another begins) common, which is where an event
order that differs from SimPy's would show. Nothing is compared within a tolerance: the kernel computes each time with
the same operations in the same order as the SimPy model.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import simsvc
from benchmarks.simsvc_model import scenario_mapping
from simsvc.errors import ScenarioError
from simsvc.sim import kernel
from tests.helpers import SCENARIOS
from tests.test_journeys_theory import journeys

needs_numba = pytest.mark.skipif(not kernel.available(), reason="numba (simsvc[fast]) is not installed")

CLOCK = ["08:00", "09:00", "09:30", "10:00", "11:00", "12:00"]


def _distribution(draw: st.DrawFn, means: list[float]) -> dict[str, Any]:
    mean = draw(st.sampled_from(means))
    kind = draw(st.sampled_from(["exponential", "deterministic", "lognormal"]))
    if kind == "deterministic":
        return {"dist": kind, "value": mean}
    if kind == "lognormal":
        return {"dist": kind, "mean": mean, "cv": 0.8}
    return {"dist": kind, "mean": mean}


def _staffing(draw: st.DrawFn, n_intervals: int) -> dict[str, Any]:
    kind = draw(st.sampled_from(["staff", "per_interval", "shifts"]))
    if kind == "staff":
        return {"staff": draw(st.integers(1, 4))}
    if kind == "per_interval":
        return {"staff": draw(st.lists(st.integers(0, 4), min_size=n_intervals, max_size=n_intervals))}
    shifts = []
    for _ in range(draw(st.integers(1, 3))):
        start, end = sorted(draw(st.lists(st.sampled_from(range(len(CLOCK))), min_size=2, max_size=2, unique=True)))
        shift: dict[str, Any] = {"start": CLOCK[start], "end": CLOCK[end], "staff": draw(st.integers(0, 3))}
        if end - start >= 2 and draw(st.booleans()):
            shift["breaks"] = [{"start": CLOCK[start + 1], "end": CLOCK[start + 1][:3] + "15"}]
        if draw(st.booleans()):
            shift["days"] = [0]
        shifts.append(shift)
    return {"shifts": shifts}


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """A scenario mapping using only what the kernel runs (no quality model, one-step journeys)."""
    interval = draw(st.sampled_from([30, 60]))
    n_intervals = 4 * 60 // interval  # 08:00-12:00
    names = [f"c{k}" for k in range(draw(st.integers(1, 3)))]
    classes = []
    for name in names:
        spec: dict[str, Any] = {
            "name": name,
            "arrivals": {"per_hour": draw(st.sampled_from([6.0, 20.0, 45.0, 90.0]))},
            "service_time": _distribution(draw, [1.0, 4.0, 10.0]),
            "priority": draw(st.integers(1, 2)),
        }
        if draw(st.booleans()):
            spec["arrivals"] = {"trace": sorted(draw(st.lists(st.integers(0, 20).map(float), min_size=5, max_size=30)))}
        if draw(st.booleans()):
            spec["patience"] = _distribution(draw, [2.0, 8.0])
        if draw(st.booleans()):
            spec["balk_at"] = draw(st.integers(1, 6))
        classes.append(spec)
    teams = []
    for t in range(draw(st.integers(1, 3))):
        serves: Any = draw(st.lists(st.sampled_from(names), min_size=1, max_size=len(names), unique=True))
        if draw(st.booleans()):  # skills with priorities (the engine orders pools and queues by them)
            serves = {name: draw(st.integers(1, 3)) for name in serves}
        team: dict[str, Any] = {"name": f"t{t}", "serves": serves, "training_level": draw(st.sampled_from([0, 1]))}
        team.update(_staffing(draw, n_intervals))
        if draw(st.booleans()):
            team["shrinkage"] = draw(st.sampled_from([0.2, [0.0, 0.3, 0.5, 0.1][: n_intervals // 2] * 2]))
        teams.append(team)
    routing = draw(st.sampled_from(["first_idle", "priority"]))
    for team in teams:
        team["routing"] = routing
    return {
        "name": "differential",
        "horizon": {"days": draw(st.integers(1, 2)), "open": "08:00", "close": "12:00", "interval_minutes": interval},
        "customer_classes": classes,
        "teams": teams,
        "training_levels": [{"level": 0, "speed": 1.0}, {"level": 1, "speed": 1.7}],
        "quality": {"enabled": False},
        "simulation": {
            "replications": 2,
            "seed": draw(st.integers(0, 2**31)),
            "warmup_minutes": draw(st.sampled_from([0, 45])),
            "max_customers": draw(st.sampled_from([25, 100_000])),
        },
    }


def assert_same(scenario: simsvc.Scenario) -> simsvc.SimResult:
    """Simulate on both engines; the records (customers and their steps) and KPIs must be identical."""
    simpy = simsvc.simulate(scenario, keep_records=True, engine="simpy")
    fast = simsvc.simulate(scenario, keep_records=True, engine="kernel")
    assert (simpy.engine, fast.engine) == ("simpy", "kernel")
    pd.testing.assert_frame_equal(fast.customers, simpy.customers, check_exact=True)
    pd.testing.assert_frame_equal(fast.steps, simpy.steps, check_exact=True)
    if scenario.quality.enabled:
        pd.testing.assert_frame_equal(fast.complaints, simpy.complaints, check_exact=True)
    pd.testing.assert_frame_equal(fast.kpis, simpy.kpis, check_exact=True)
    assert fast.warnings == simpy.warnings and fast.truncated == simpy.truncated
    return fast


@needs_numba
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=scenarios())
def test_kernel_gives_the_simpy_records_on_random_scenarios(spec: dict[str, Any]):
    try:
        scenario = simsvc.load_scenario(spec)
    except ScenarioError:
        assume(False)  # e.g. a class no team serves
    assert_same(scenario)


@st.composite
def with_quality(draw: st.DrawFn) -> dict[str, Any]:
    """A random scenario of :func:`scenarios` with the quality model: complaints, a desk or none, loyalty."""
    spec = draw(scenarios())
    spec["quality"] = {"enabled": True}
    for cls in spec["customer_classes"]:  # quick to dissatisfy: many complain
        cls["expectations"] = {"desired_wait": draw(st.sampled_from([0.2, 1.0])), "adequate_wait": 3.0}
    desk = draw(st.sampled_from(["none", "staff", "shifts", "no block"]))
    if desk != "no block":
        complaints: dict[str, Any] = {"voice_probability": draw(st.sampled_from([0.3, 1.0])),
                                      "handling_time": _distribution(draw, [2.0, 15.0])}  # fmt: skip
        if desk == "staff":
            complaints["teams"] = [{"name": "desk", "staff": draw(st.integers(1, 2))}]
        elif desk == "shifts":
            complaints["teams"] = [{"name": "desk", "shifts": [{"start": "09:00", "end": "11:00", "staff": 1}]},
                                   {"name": "desk2", "staff": 1, "training_level": 1}]  # fmt: skip
        spec["complaints"] = complaints
    if draw(st.booleans()):
        spec["loyalty"] = {"return_after_days": {"dist": "exponential", "mean": 1.0}}
    return spec


@needs_numba
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=with_quality())
def test_kernel_gives_the_simpy_records_with_the_quality_model(spec: dict[str, Any]):
    """Judgement, complaints filed as customers are served, abandon or balk, the desk (staffed, by shifts
    across days, or none) and loyalty: customers, complaints and KPIs compared to the last bit."""
    try:
        scenario = simsvc.load_scenario(spec)
    except ScenarioError:
        assume(False)
    res = assert_same(scenario)
    assert res.engine == "kernel"


@needs_numba
@pytest.mark.parametrize("name", ["bank_branch.yaml", "call_centre.yaml", "service_desk_fortnight.yaml"])
def test_kernel_gives_the_simpy_records_on_the_bundled_quality_scenarios(name: str):
    """Every bundled scenario the kernel runs, as it is shipped (3 replications)."""
    res = assert_same(simsvc.load_scenario(SCENARIOS / name).replace({"simulation.replications": 3}))
    assert len(res.complaints) > 0


@needs_numba
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=journeys(), coarse=st.booleans(), trace=st.lists(st.integers(0, 40).map(float), min_size=5, max_size=40))
def test_kernel_gives_the_simpy_records_on_random_journeys(spec: dict[str, Any], coarse: bool, trace: list[float]):
    """Journeys of one to three steps: pools, a choice of stations, rework loops, patience per step, balking.

    ``coarse``: the first class arrives on whole minutes and every step takes whole minutes (ties).
    """
    spec["quality"] = {"enabled": False}
    if coarse:
        first = spec["customer_classes"][0]
        first["arrivals"] = {"trace": sorted(trace)}
        for step in first["journey"]:
            step["service_time"] = {"dist": "deterministic", "value": float(round(step["service_time"]["mean"]) or 1)}
    res = assert_same(simsvc.load_scenario(spec))
    assert len(res.steps) >= len(res.customers)


@needs_numba
def test_kernel_gives_the_simpy_records_on_a_round_the_clock_network():
    """The network benchmark's branch over days that run into each other: customers inside at midnight
    keep their visits while the visit arena drops the finished days'."""
    from benchmarks.network_spec import BRANCH
    from benchmarks.simsvc_network import scenario_mapping as network_mapping

    res = assert_same(simsvc.load_scenario(network_mapping(BRANCH, 6_000, seed=3)))
    assert res.customers["day"].nunique() >= 2 and (res.steps["visit"] >= 2).any()


@needs_numba
def test_kernel_gives_the_simpy_records_on_the_service_centre():
    """The bundled journey (greeter, counters, advisor with rework, back office), its quality model off."""
    spec = yaml.safe_load((SCENARIOS / "service_centre.yaml").read_text(encoding="utf-8"))
    spec["quality"] = {"enabled": False}
    spec["simulation"]["replications"] = 3
    res = assert_same(simsvc.load_scenario(spec))
    assert (res.steps["visit"] >= 3).any()  # some came back to the counter


@needs_numba
@pytest.mark.parametrize(("load", "patience"), [(0.95, None), (0.95, 10.0), (1.3, 3.0)])
def test_kernel_gives_the_simpy_records_on_long_congested_queues(load: float, patience: float | None):
    """M/M/10 (with abandonment; overloaded): 30,000 customers over whole days, queues in the hundreds."""
    spec = scenario_mapping(10 * load, 1.0, 10, 30_000, seed=7, patience_mean=patience)
    res = assert_same(simsvc.load_scenario(spec))
    assert len(res.customers) == 30_000
    assert (res.customers["wait"] > 0).mean() > 0.3  # a real queue, not an idle system


@needs_numba
def test_kernel_gives_the_simpy_records_with_thousands_of_complaints():
    """M/M/10+M with the quality model over several days: thousands of complaints wait at a 3-person desk."""
    spec = scenario_mapping(9.5, 1.0, 10, 30_000, seed=5, patience_mean=5.0, quality=True)
    spec["horizon"]["days"] = 3
    res = assert_same(simsvc.load_scenario(spec))
    assert len(res.complaints) > 2_000 and res.engine == "kernel"


@needs_numba
def test_auto_runs_the_kernel_and_falls_back_naming_the_feature():
    plain = simsvc.load_scenario(scenario_mapping(5.0, 1.0, 6, 500, seed=1))
    res = simsvc.simulate(plain, 2)
    assert (res.engine, res.engine_note) == ("kernel", None)
    journey = simsvc.load_scenario(SCENARIOS / "service_centre.yaml")
    res = simsvc.simulate(journey, 2)
    assert res.engine == "simpy" and res.engine_note == "journeys of several steps with the quality model"
    with pytest.raises(ValueError, match="kernel cannot run this scenario: journeys of several steps with the q"):
        simsvc.simulate(journey, 1, engine="kernel")
    with pytest.raises(ValueError, match="engine must be one of auto, simpy, kernel"):
        simsvc.simulate(plain, 1, engine="numba")


@needs_numba
def test_records_streamed_identically_in_blocks():
    """The kernel's arena drops finished days; many short days with records off give the same KPIs."""
    spec = scenario_mapping(9.5, 1.0, 10, 60_000, seed=3, patience_mean=10.0)
    spec["horizon"]["days"] = 8
    scenario = simsvc.load_scenario(spec)
    simpy = simsvc.simulate(scenario, 1, keep_records=False, engine="simpy")
    fast = simsvc.simulate(scenario, 1, keep_records=False, engine="kernel")
    pd.testing.assert_frame_equal(fast.kpis, simpy.kpis, check_exact=True)
    assert np.isfinite(fast.kpis["value"]).any()


def test_without_numba_everything_runs_on_simpy():
    """Without the extra (numba not importable), ``auto`` runs SimPy and says why; the numbers are the same."""
    code = (
        "import sys; sys.modules['numba'] = None\n"
        "import simsvc, json\n"
        "from benchmarks.simsvc_model import scenario_mapping\n"
        "res = simsvc.simulate(simsvc.load_scenario(scenario_mapping(5.0, 1.0, 6, 500, seed=1)), 2)\n"
        "print(json.dumps([res.engine, res.engine_note, res.summary().loc['mean_wait', 'mean']]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    engine, note, mean_wait = json.loads(out)
    assert engine == "simpy" and "numba is not installed" in note
    here = simsvc.simulate(simsvc.load_scenario(scenario_mapping(5.0, 1.0, 6, 500, seed=1)), 2)
    assert mean_wait == here.summary().loc["mean_wait", "mean"]
