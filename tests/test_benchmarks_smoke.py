"""Smoke test of the benchmark suite: ``benchmarks/run.py --quick`` runs and reports."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HAVE_CIW = importlib.util.find_spec("ciw") is not None  # optional: the [bench] extra


def test_quick_benchmark_runs_and_prints_the_table(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--out", str(out)],
        cwd=tmp_path,  # the script must find its package from anywhere
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    table = proc.stdout
    needles = (
        "simsvc",
        "SimPy (minimal)",
        "customers/s",
        "Erlang C",
        "Erlang A",
        "peak RSS",
        "targets",
    )
    for needle in needles:
        assert needle in table, f"{needle!r} missing from the report:\n{table}"
    assert ("PASS" in table) or ("FAIL" in table)

    result = json.loads(out.read_text())
    assert result["mode"] == "quick"
    n = result["config"]["customers"]
    for name in ("simsvc", "SimPy (minimal)"):
        run = result["mmc"][name]
        assert run["simulated"] == n
        assert run["throughput"] > 0
        assert 0 < run["mean_wait"] < 50  # a stable queue, not a runaway one
        assert 0 < result["abandonment"][name]["abandoned_share"] < 0.5
    if HAVE_CIW:
        assert result["mmc"]["Ciw"]["simulated"] == result["config"]["ciw_customers"]
        assert result["mmc"]["Ciw"]["throughput"] > 0
    else:
        assert "Ciw is not installed" in table
    assert result["memory"]["run"]["peak_rss_mb"] > result["memory"]["baseline"]["peak_rss_mb"] * 0.5
    assert {t["name"].split(",")[0] for t in result["targets"]} >= {"throughput simsvc / SimPy", "peak RSS"}


def _quick_run(script: str, out: Path) -> subprocess.CompletedProcess:
    """``benchmarks/SCRIPT --quick --out OUT`` from OUT's folder; it must succeed."""
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), "--quick", "--out", str(out)],
        cwd=out.parent, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return proc


def test_quick_optimizer_benchmark_runs(tmp_path: Path) -> None:
    out = tmp_path / "opt.json"
    proc = _quick_run("optimizer.py", out)
    for needle in ("instance:", "round 1: HiGHS", "reference: CBC", "target: each round solved to a 1 % gap"):
        assert needle in proc.stdout, proc.stdout
    (result,) = json.loads(out.read_text())
    assert result["rounds"] and result["rounds"][0]["gap"] is not None and result["rounds"][0]["gap"] <= 0.01
    assert result["patterns"]["counter"] >= 30 and set(result["levels"]) == {"counter", "specialists"}


def test_only_runs_the_chosen_section(tmp_path: Path, capsys) -> None:
    from benchmarks import run  # in this process: what ``python -m benchmarks.run`` runs

    out = tmp_path / "bench.json"
    assert run.main(["--quick", "--only", "quality", "--out", str(out)]) == 0
    stdout = capsys.readouterr().out
    assert "service-quality layer" in stdout and "Erlang C" not in stdout
    result = json.loads(out.read_text())
    assert result["mmc"] == {} and result["abandonment"] == {} and result["memory"] is None
    assert set(result["quality"]) == {"simsvc", "simsvc + quality", "simsvc + judgement only"}
    assert [t["name"] for t in result["targets"]] == [
        "time with / without the quality layer, M/M/10+M",
        "  the same, judgement only (no complaints)",
    ]


def test_quick_roster_benchmark_runs(tmp_path: Path) -> None:
    out = tmp_path / "roster.json"
    proc = _quick_run("roster.py", out)
    for needle in ("instance: 1 week(s), 24 people", "target: under 60 s to a 1 % gap"):
        assert needle in proc.stdout, proc.stdout
    result = json.loads(out.read_text())
    assert result["gap"] is not None and result["gap"] <= 0.01 and not result["breaches"]


def test_network_benchmark_runs_and_compares_with_jackson(tmp_path: Path, capsys) -> None:
    from benchmarks import network  # in this process: what ``python -m benchmarks.network`` runs

    out = tmp_path / "network.json"
    assert network.main(["--customers", "3000", "--ciw-customers", "3000", "--out", str(out)]) == 0
    table = capsys.readouterr().out
    for needle in ("Jackson", "simsvc", "SimPy", "Ciw", "customers/s", "counter mean wait"):
        assert needle in table, f"{needle!r} missing from the report:\n{table}"
    result = json.loads(out.read_text())
    for name in ("simsvc", "SimPy", "Ciw"):
        run = result["models"][name]
        assert run["customers"] == 3000 and run["throughput"] > 0
        assert set(run["estimate"]["stations"]) == {"greeter", "counter", "advisor"}
    assert result["jackson"]["stations"]["counter"]["visits"] == pytest.approx(1 / 0.95)
    assert all(isinstance(t["pass"], bool) for t in result["targets"])


def test_simsvc_runs_the_benchmark_network_with_its_visits() -> None:
    """The scenario built from the spec routes as the spec does: the traffic equations of its
    compiled journey give Jackson's visits per station."""
    import simsvc
    from benchmarks.network_spec import BRANCH
    from benchmarks.simsvc_network import scenario_mapping
    from simsvc.scenario.journeys import station_visits

    scenario = simsvc.load_scenario(scenario_mapping(BRANCH, 1000, 1))
    jackson = [s["visits"] for s in BRANCH.jackson()["stations"]]
    assert station_visits(scenario)[0] == pytest.approx(jackson, rel=1e-12)
    assert [t.name for t in scenario.teams] == list(BRANCH.names)
    assert [t.staff for t in scenario.teams] == [(c,) for c in BRANCH.servers]  # round the clock


def test_quick_omnichannel_benchmark_runs(tmp_path: Path) -> None:
    out = tmp_path / "omni.json"
    proc = _quick_run("omnichannel.py", out)
    for needle in ("simulate:", "target: under 10 s", "optimize:", "target: under 60 s to a 1 % gap", "first plan"):
        assert needle in proc.stdout, proc.stdout
    result = json.loads(out.read_text())
    assert result["simulate"]["replications"] == 2 and result["optimize"]["status"] in ("confirmed", "unresolved")
