"""Smoke test of ``python -m benchmarks.app``: it runs the app's run function and prints its figures.

The speed target itself is checked by running the benchmark, not here.
"""

from __future__ import annotations


def test_app_benchmark_runs_and_reports(capsys):
    from benchmarks import app  # in this process: what ``python -m benchmarks.app --runs 1`` runs

    assert app.main(["--runs", "1"]) == 0
    out = capsys.readouterr().out
    for needle in ("app run_setting (10 replications, records, 4 figures)", "simsvc.simulate, defaults", "target:"):
        assert needle in out, out
