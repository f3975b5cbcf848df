"""Smoke test of ``python -m benchmarks.app``: it runs the app's run function and prints its figures.

The speed target itself is checked by running the benchmark, not here.
"""

from __future__ import annotations

import subprocess
import sys

from tests.helpers import ROOT


def test_app_benchmark_runs_and_reports():
    done = subprocess.run([sys.executable, "-m", "benchmarks.app", "--runs", "1"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    for needle in ("app run_setting (10 replications, records, 4 figures)", "simsvc.simulate, defaults", "target:"):
        assert needle in done.stdout, done.stdout
