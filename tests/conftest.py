"""Fixtures shared by the browser tests: one Chromium per session, the app server per module."""

from __future__ import annotations

import os

import pytest

# One BLAS thread per process: the suite runs on two cores shared with other work, where
# OpenBLAS's spinning threads burn CPU for nothing (tests/test_queueing.py: 5.6 s of CPU with
# two threads, 3.1 s with one, and less wall time too). Set before NumPy is first imported
# (this file is loaded first) and inherited by the commands the tests start.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from tests.browser import CHROMIUM, CHROMIUM_ARGS, app_server, require_browser


def pytest_configure(config):
    """Compile the kernel once, before pytest-xdist starts its workers: they then load it from numba's cache
    instead of each compiling it at the same time (about 30 s of CPU each on a fresh clone)."""
    if hasattr(config, "workerinput"):
        return  # a worker: the controller has compiled it
    from simsvc.sim import kernel

    if kernel.available():
        import simsvc
        from benchmarks.simsvc_model import scenario_mapping

        spec = scenario_mapping(2.0, 1.0, 3, 50, seed=1, patience_mean=2.0, quality=True)
        simsvc.simulate(simsvc.load_scenario(spec), 1, engine="kernel")


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium from the system package, driven by Playwright."""
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def app_url():
    """``simsvc app`` started on a free port, one server for the whole run (each test opens its own browser
    session, so nothing carries over but warm caches); killed at teardown."""
    with app_server() as url:
        yield url


@pytest.fixture(scope="session")
def bank_result():
    """A small run of the bank branch (quality model, complaints, costs), records kept."""
    import simsvc
    from tests.helpers import SCENARIOS

    scenario = simsvc.load_scenario(SCENARIOS / "bank_branch.yaml")
    return simsvc.simulate(scenario, replications=4, seed=3, keep_records=True)


@pytest.fixture(scope="session")
def run_folder(tmp_path_factory):
    """What ``simsvc run --out`` writes for a small teaching run, made by the command itself."""
    from tests.helpers import invoke_cli

    folder = tmp_path_factory.mktemp("run") / "teaching"
    done = invoke_cli("run", "scenarios/teaching.yaml", "--replications", "4", "--out", str(folder))
    assert done.returncode == 0, done.stderr
    return folder


@pytest.fixture(scope="session")
def optimization_folder(tmp_path_factory):
    """A hand-made folder of the shape ``simsvc optimize --out`` writes (plan, optimization.json, ...)."""
    import json
    import shutil

    import pandas as pd

    from simsvc.plots import save_png, staffing_vs_demand
    from tests.helpers import SCENARIOS

    folder = tmp_path_factory.mktemp("optimization")
    plan = pd.DataFrame({
        "team": ["tellers", "tellers", "premium_desk"], "shift": ["early", "late", "day"],
        "start": ["09:00", "12:00", "09:00"], "end": ["13:00", "17:00", "17:00"],
        "training_level": [1, 1, 2], "staff": [5, 4, 1], "cost": [440.0, 440.0, 240.0],
    })  # fmt: skip
    plan.to_csv(folder / "plan.csv", index=False)
    optimization = {
        "scenario": "Bank branch — weekday",
        "cost": {"cost": 1262.0, "cost_wages": 1120.0, "cost_training": 52.0, "cost_complaints": 90.0},
        "predicted": {"service_level": 0.83, "mean_wait": 1.4, "satisfaction": 0.66},
        "simulated": {"service_level": {"mean": 0.85, "ci_low": 0.82, "ci_high": 0.88},
                      "mean_wait": {"mean": 1.2, "ci_low": 1.0, "ci_high": 1.4}},
        "targets": {"service_level": {"target": 0.8, "predicted": 0.83, "simulated_ci": [0.82, 0.88], "met": True,
                                      "verdict": "met"},
                    "abandonment_rate": {"target": 0.02, "predicted": 0.03, "simulated_ci": [0.025, 0.04],
                                         "met": False, "verdict": "missed"}},
        "iterations": [{"iteration": 1, "cost": 1300.0}, {"iteration": 2, "cost": 1262.0}],
    }  # fmt: skip
    (folder / "optimization.json").write_text(json.dumps(optimization), encoding="utf-8")
    shutil.copy(SCENARIOS / "bank_branch.yaml", folder / "scenario.yaml")
    frame = pd.DataFrame({"demand": [40.0, 60.0, 55.0], "staff": [7, 11, 6], "required": [6, 8, 6]},
                         index=["09:00", "12:00", "13:00"])  # fmt: skip
    save_png(staffing_vs_demand(frame), folder / "staffing.png")
    return folder
