"""Smoke test of ``python -m benchmarks.app``: it runs the app's run function and prints its timings.

The speed target itself is checked by running the benchmark, not here.
"""

from __future__ import annotations


def test_app_benchmark_runs_and_reports(capsys):
    from benchmarks import app  # in this process: what ``python -m benchmarks.app --runs 1`` runs

    assert app.main(["--runs", "1", "--scenarios", "teaching", "bank_branch", "--lessons", "1-staff-and-waits"]) == 0
    out = capsys.readouterr().out
    for needle in ("app run_setting (10 replications, records, 2 charts)", "simsvc.simulate, defaults", "target:",
                   "Run to results ≤ 2 s for every scenario", "Run to results ≤ 2 s for every lesson"):  # fmt: skip
        assert needle in out, out
    lines = out.splitlines()
    rows = [line.split() for line in lines if line.startswith("  ") and line.rstrip().endswith(("PASS", "FAIL"))]
    assert [r[0] for r in rows] == ["teaching", "bank_branch", "1-staff-and-waits"], out
