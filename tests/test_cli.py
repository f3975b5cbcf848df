"""The command line: parallel replications, --version, help examples that work, the run table and CSV tables."""

from __future__ import annotations

import importlib.metadata
import io
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import yaml
from rich.console import Console
from typer.testing import CliRunner

import simsvc
from simsvc import run
from simsvc.bundled import bundled_examples, write_examples
from simsvc.cli import EXAMPLES, app
from simsvc.output import format_estimate, print_result
from simsvc.targets import Goal, goals, verdict
from tests.helpers import ROOT, SCENARIOS, descendants

runner = CliRunner()


def _cli(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


# --- parallel replications -------------------------------------------------------------------------------------


@pytest.fixture
def always_pool(monkeypatch):
    """Start the pool however short the replications (they are short here)."""
    monkeypatch.setattr(run, "POOL_WORTH_SECONDS", 0.0)


def test_replications_on_two_workers_are_bit_identical_to_one(always_pool):
    """Replication r draws from the streams of (seed, r) whichever process runs it."""
    scenario = simsvc.load_scenario(SCENARIOS / "bank_branch.yaml")  # quality, complaints, two classes
    one = simsvc.simulate(scenario, replications=5, seed=3, keep_records=True, workers=1)
    before, helpers = descendants(os.getpid()), []  # a forkserver of an earlier test may be running
    two = simsvc.simulate(
        scenario, replications=5, seed=3, keep_records=True, workers=2,
        progress=lambda done, total: helpers.append(len(descendants(os.getpid()) - before)),
    )  # fmt: skip
    assert max(helpers) >= 2, "the replications should have run in worker processes"
    for table in ("summary", "by_interval", "by_class", "by_day"):
        pd.testing.assert_frame_equal(getattr(one, table)(), getattr(two, table)(), check_exact=True)
    pd.testing.assert_frame_equal(one.kpis, two.kpis, check_exact=True)
    pd.testing.assert_frame_equal(one.customers, two.customers, check_exact=True)
    pd.testing.assert_frame_equal(one.complaints, two.complaints, check_exact=True)
    assert one.customers["replication"].unique().tolist() == [0, 1, 2, 3, 4]


def test_a_short_run_stays_in_this_process():
    scenario = simsvc.load_scenario(SCENARIOS / "teaching.yaml")
    before, helpers = descendants(os.getpid()), []
    simsvc.simulate(
        scenario, 3, workers=2, progress=lambda done, total: helpers.append(len(descendants(os.getpid()) - before))
    )
    assert helpers == [0, 0, 0]


def test_workers_in_blocks_give_the_numbers_of_one_run(always_pool):
    scenario = simsvc.load_scenario(SCENARIOS / "teaching.yaml")
    whole = simsvc.simulate(scenario, replications=4, seed=8, keep_records=False, workers=2).kpis
    tail = simsvc.simulate(scenario, replications=2, seed=8, keep_records=False, first_replication=2, workers=2).kpis
    pd.testing.assert_frame_equal(whole[whole["replication"] >= 2].reset_index(drop=True), tail, check_exact=True)


@pytest.mark.parametrize("workers", [0, -1, 1.5])
def test_bad_worker_count_is_refused_naming_workers(workers):
    scenario = simsvc.load_scenario(SCENARIOS / "teaching.yaml")
    with pytest.raises(ValueError, match=r"workers\(="):
        simsvc.simulate(scenario, replications=2, workers=workers)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_workers_end_when_the_run_is_killed(tmp_path):
    """SIGKILL leaves no process to clean up: the workers see their parent go and end."""
    data = yaml.safe_load((SCENARIOS / "teaching.yaml").read_text(encoding="utf-8"))
    data["simulation"]["replications"] = 5000
    path = tmp_path / "long.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "simsvc.cli", "run", str(path), "--workers", "2", "--format", "json"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while len(descendants(proc.pid)) < 3 and time.monotonic() < deadline:  # forkserver and two workers
        time.sleep(0.2)
    helpers = descendants(proc.pid)
    assert len(helpers) >= 3, "the pool should be running"
    proc.kill()
    proc.wait()
    deadline = time.monotonic() + 30
    while (alive := {p for p in helpers if Path(f"/proc/{p}").exists()}) and time.monotonic() < deadline:
        time.sleep(0.2)
    for pid in alive:  # do not leave them behind if the test fails
        os.kill(pid, signal.SIGKILL)
    assert not alive, f"processes outlived the killed run: {sorted(alive)}"


# --- version, bundled examples, help ---------------------------------------------------------------------------


def test_version_is_the_installed_distributions():
    result = _cli("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"simsvc {importlib.metadata.version('simsvc')}"


def test_bundled_examples_are_the_repositorys_files(tmp_path):
    """One copy: the package data under simsvc/examples/ links to scenarios/ and experiments/."""
    expected = sorted(
        [f"scenarios/{p.name}" for p in SCENARIOS.iterdir() if p.name.endswith((".yaml", ".csv", ".csv.gz"))]
        + ["experiments/staffing_small.yaml"]
    )
    assert sorted(e.path for e in bundled_examples()) == expected
    written = write_examples(tmp_path)
    for path in written:
        rel = path.relative_to(tmp_path)
        assert path.read_bytes() == (ROOT / rel).read_bytes()
    with pytest.raises(FileExistsError, match=r"bank_branch\.yaml"):
        write_examples(tmp_path)


def test_every_command_has_help_examples_and_no_readme_pointer():
    commands = {c.name or c.callback.__name__ for c in app.registered_commands}
    assert commands <= set(EXAMPLES)
    for name in ["", *sorted(commands)]:
        result = _cli(*([name] if name else []), "--help")
        assert result.exit_code == 0
        assert "Examples" in result.stdout and "README" not in result.stdout, name
        shown = " ".join(result.stdout.split())  # rich wraps long lines
        for line in EXAMPLES[name or "simsvc"]:
            assert " ".join(line.split()) in shown, (name, line)


# Examples that are not run here: the optimizer's verification takes a minute (tests/test_optimize_cli.py runs
# it), and the app starts a server (tests/test_app_browser.py).
_NOT_RUN = {"simsvc optimize demo/scenarios/call_centre.yaml --out results/plan", "simsvc app --port 8501 --browser"}


def test_help_examples_work_in_a_folder_with_only_the_bundled_examples(tmp_path, monkeypatch):
    """What someone who installed from a wheel types: `simsvc examples demo`, then any example of any --help."""
    monkeypatch.chdir(tmp_path)
    lines = list(dict.fromkeys(line for name in EXAMPLES for line in EXAMPLES[name]))
    lines.sort(key=lambda line: "simsvc examples demo" not in line)  # the examples folder first
    for line in lines:
        words = shlex.split(line)
        redirect = words.index(">") if ">" in words else None
        args, target = (words[1:redirect], words[redirect + 1]) if redirect else (words[1:], None)
        if line in _NOT_RUN:
            assert all((tmp_path / a).exists() for a in args if a.startswith("demo/")), line
            continue
        result = _cli(*args)
        assert result.exit_code == 0, f"{line}: {result.output}"
        if target:
            Path(target).write_text(result.stdout, encoding="utf-8")
    assert (tmp_path / "results" / "bank" / "report.html").is_file()
    assert (tmp_path / "scenario.schema.json").stat().st_size > 1000


def test_installed_wheel_writes_and_runs_its_examples(tmp_path):
    """Built and installed as a user would (no repository around): the wheel holds the example files
    themselves, not links, and its help's first steps work."""
    src = tmp_path / "src"
    skip = shutil.ignore_patterns(".git", ".venv", "build", "*.egg-info", "__pycache__", ".*_cache", "results")
    shutil.copytree(ROOT, src, symlinks=True, ignore=skip)
    build = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path)]
    proc = subprocess.run([*build, str(src)], capture_output=True, text=True, timeout=300)
    if proc.returncode != 0 and "No module named" in proc.stderr:
        pytest.skip(f"cannot build a wheel here: {proc.stderr.strip()[-200:]}")
    assert proc.returncode == 0, proc.stderr
    (wheel,) = tmp_path.glob("simsvc-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        for example in bundled_examples():
            data = archive.read(f"simsvc/examples/{example.path}")
            assert data == (ROOT / example.path).read_bytes(), example.path
        lessons = sorted((ROOT / "lessons").glob("*.yaml"))  # the app's lessons (simsvc.app.lessons) too
        assert lessons and all(archive.read(f"simsvc/examples/lessons/{p.name}") == p.read_bytes() for p in lessons)
    site = tmp_path / "site"
    install = [sys.executable, "-m", "pip", "install", "--no-deps", "--no-compile", "-q", "--target", str(site)]
    proc = subprocess.run([*install, str(wheel)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    user = tmp_path / "user"
    user.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}  # the installed copy, ahead of any checkout

    def simsvc_cli(*args: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "simsvc.cli", *args]
        return subprocess.run(command, cwd=user, env=env, capture_output=True, text=True, timeout=300)

    version = simsvc_cli("--version")
    assert version.returncode == 0 and version.stdout.strip() == f"simsvc {importlib.metadata.version('simsvc')}"
    assert simsvc_cli("examples", "demo").returncode == 0
    proc = simsvc_cli("run", "demo/scenarios/call_centre.yaml", "-r", "2", "--format", "json")  # reads its CSV
    assert proc.returncode == 0, proc.stderr
    assert "scenarios/teaching.yaml" in simsvc_cli("examples").stdout
    where = [sys.executable, "-c", "import simsvc; print(simsvc.__file__)"]
    assert subprocess.run(where, cwd=user, env=env, capture_output=True, text=True).stdout.startswith(str(site))


# --- the run table and CSV tables ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sense", "low", "high", "expected"),
    [
        (">=", 0.81, 0.9, "met"), (">=", 0.8, 0.9, "met"), (">=", 0.7, 0.79, "missed"), (">=", 0.7, 0.85, "unresolved"),
        ("<=", 0.01, 0.04, "met"), ("<=", 0.06, 0.07, "missed"), ("<=", 0.04, 0.06, "unresolved"),
        (">=", float("nan"), float("nan"), None),
    ],
)  # fmt: skip
def test_verdict_by_where_the_interval_lies(sense, low, high, expected):
    goal = Goal("x", "x", sense, 0.8 if sense == ">=" else 0.05)
    assert verdict(goal, low, high) == expected


def test_format_estimate_writes_the_unit_once():
    assert format_estimate("service_level", 0.949, 0.931, 0.967) == "94.9 % [93.1, 96.7]"
    assert format_estimate("mean_wait", 2.27, 0.234, 4.3) == "2.27 min [0.23, 4.30]"
    assert format_estimate("arrivals", 390.6, 353.8, 427.4) == "390.6 [353.8, 427.4]"
    assert format_estimate("service_level", 0.5, float("nan"), float("nan")) == "50.0 %"


def _teaching(staff: int, **targets) -> simsvc.Scenario:
    data = yaml.safe_load((SCENARIOS / "teaching.yaml").read_text(encoding="utf-8"))
    data["teams"][0]["staff"] = staff
    data["customer_classes"][0]["patience"] = {"dist": "exponential", "mean": 5}
    data["targets"] = {"service_level": {"within": 2, "fraction": 0.8}, **targets}
    return simsvc.load_scenario(data)


def _table_text(result) -> str:
    console = Console(file=io.StringIO(), width=200, color_system=None)
    print_result(result, "table", console)
    return console.file.getvalue()


def test_run_table_says_which_targets_are_met_or_missed():
    ample = simsvc.simulate(_teaching(8, max_abandonment=0.5), replications=4, seed=1)
    lean = simsvc.simulate(_teaching(1, max_abandonment=0.001), replications=4, seed=1)
    assert ample.summary().loc["service_level", "ci_low"] >= 0.8  # the premise: 8 clerks never keep anyone waiting
    assert lean.summary().loc["service_level", "ci_high"] < 0.8
    rows = {line.split("│")[1].strip(): line for line in _table_text(ample).splitlines() if "targets." in line}
    assert set(rows) == {"service_level", "abandonment_rate"}
    assert "met" in rows["service_level"] and "≥ 80.0 %" in rows["service_level"]
    assert "met" in rows["abandonment_rate"] and "≤ 50.0 %" in rows["abandonment_rate"]
    lean_rows = [line for line in _table_text(lean).splitlines() if "targets." in line]
    assert all("missed" in line for line in lean_rows), lean_rows
    assert [g.kpi for g in goals(lean.scenario)] == ["service_level", "abandonment_rate"]


def test_csv_prints_any_table_and_out_writes_all_four(tmp_path):
    path = str(SCENARIOS / "bank_branch.yaml")
    reference = simsvc.simulate(simsvc.load_scenario(path), replications=3, seed=4)
    tables = {"overall": reference.summary(), "class": reference.by_class(),
              "interval": reference.by_interval(), "day": reference.by_day()}  # fmt: skip
    files = {"overall": "summary.csv", "class": "by_class.csv", "interval": "by_interval.csv", "day": "by_day.csv"}
    out = tmp_path / "out"
    result = _cli("run", path, "-r", "3", "--seed", "4", "--format", "csv", "--out", str(out))
    assert result.exit_code == 0, result.output
    for name, expected in tables.items():
        index = ["kpi"] if name == "overall" else [expected.index.names[0], "kpi"]
        printed = _cli("run", path, "-r", "3", "--seed", "4", "-w", "2", "--format", "csv", "--table", name).stdout
        frame = pd.read_csv(io.StringIO(printed), index_col=index)
        assert list(frame.columns) == ["mean", "ci_low", "ci_high", "n"]
        assert frame["mean"].to_numpy() == pytest.approx(expected["mean"].to_numpy(), nan_ok=True, rel=1e-12)
        written = pd.read_csv(out / files[name], index_col=index)
        assert written["mean"].to_numpy() == pytest.approx(frame["mean"].to_numpy(), nan_ok=True, rel=1e-12)
    refused = runner.invoke(app, ["run", path, "-r", "2", "--table", "day"])
    assert refused.exit_code == 2 and "--format csv" in refused.output
