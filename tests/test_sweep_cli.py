"""``simsvc sweep`` as a user runs it: bad input, kills and Ctrl-C, resume, and a real Dask cluster."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from simsvc.experiments import Store, dask_executor, load, run_sweep
from tests.helpers import ROOT, ctrl_c_as_in_a_terminal, descendants, invoke_cli

# Five days of a small counter: a replication takes ~50 ms, a task (2 replications) ~0.1 s.
BASE = {
    "name": "counter, five days",
    "horizon": {"days": 5, "open": "09:00", "close": "12:00", "interval_minutes": 30},
    "customer_classes": [
        {
            "name": "walk_in",
            "arrivals": {"per_hour": 35},
            "service_time": {"dist": "exponential", "mean": 3},
            "patience": {"dist": "exponential", "mean": 10},
        },
    ],
    "teams": [{"name": "clerks", "serves": ["walk_in"], "staff": 3}],
}
SPEC = {
    "name": "kill and resume",
    "base": BASE,
    "factors": [{"name": "staff", "path": "teams[0].staff", "levels": [2, 3, 4]}],
    "replications": 24,
    "seed": 5,
    "replications_per_task": 2,
    "outputs": {"groups": ["overall"]},
}


def write_experiment(folder: Path, spec: dict | None = None, name: str = "exp.yaml") -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(spec or SPEC), encoding="utf-8")
    return path


def snapshot(out: Path) -> dict[str, tuple[int, int, int]]:
    """Every file of a store with its inode, size and modification time."""
    return {
        str(p.relative_to(out)): (p.stat().st_ino, p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


def start_sweep(experiment: Path, out: Path, *extra: str) -> subprocess.Popen:
    # A session of its own: a signal to its process group reaches the workers too, as from a terminal.
    return subprocess.Popen(
        [sys.executable, "-m", "simsvc.cli", "sweep", str(experiment), "--out", str(out), "--workers", "2", *extra],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        preexec_fn=ctrl_c_as_in_a_terminal,
    )  # fmt: skip


def wait_for_tasks(out: Path, proc: subprocess.Popen, at_least: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(list((out / "tasks").glob("*.parquet"))) >= at_least if (out / "tasks").is_dir() else False:
            return
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.02)
    raise AssertionError(f"no {at_least} tasks stored within {timeout} s")


@pytest.fixture(scope="module")
def reference_store(tmp_path_factory) -> Path:
    """The uninterrupted sweep, run in this process on the default local process pool."""
    folder = tmp_path_factory.mktemp("reference")
    run = run_sweep(write_experiment(folder), folder / "out", workers=2)
    assert run.ran == run.total == 36
    return folder / "out"


@pytest.fixture(scope="module")
def reference(reference_store) -> pd.DataFrame:
    return load(reference_store)


def assert_all_end(pids: set[int], within: float) -> None:
    deadline = time.monotonic() + within
    while (alive := {p for p in pids if Path(f"/proc/{p}").exists()}) and time.monotonic() < deadline:
        time.sleep(0.05)
    for pid in alive:  # leave nothing behind if the test fails
        os.kill(pid, signal.SIGKILL)
    assert not alive, f"processes outlived the killed sweep: {sorted(alive)}"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_sigkill_leaves_no_orphans_and_resume_recomputes_only_missing_tasks(tmp_path, reference):
    experiment, out = write_experiment(tmp_path), tmp_path / "out"
    proc = start_sweep(experiment, out)
    wait_for_tasks(out, proc, at_least=4)
    started = descendants(proc.pid)  # resource tracker, forkserver, two workers
    assert len(started) >= 4, started
    proc.kill()  # the main process alone (kill -9 PID): the workers and the forkserver must see it go
    proc.wait(timeout=30)
    assert_all_end(started, within=5)
    # A write cut short by the kill leaves a temporary file, never a partial task file.
    # (the lock file is rewritten with the pid of each sweep that takes the lock)
    before = {k: v for k, v in snapshot(out).items() if not k.endswith(".tmp") and k != ".lock"}
    kept = [k for k in before if k.startswith("tasks/")]
    assert 4 <= len(kept) < 36, "the kill should come mid-sweep"

    resumed = invoke_cli("sweep", str(experiment), "--out", str(out), "--workers", "2", "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert f"{36 - len(kept)} task(s) run, {len(kept)} already stored" in resumed.stderr
    after = snapshot(out)
    assert {k: after[k] for k in before} == before  # no finished task rewritten (same inode, size, mtime)
    assert not [k for k in after if k.endswith(".tmp")]
    pd.testing.assert_frame_equal(load(out), reference)


def test_a_second_sweep_into_a_busy_store_is_refused_at_once(tmp_path):
    experiment, out = write_experiment(tmp_path, {**SPEC, "replications": 4000}), tmp_path / "out"  # minutes
    proc = start_sweep(experiment, out)
    try:
        wait_for_tasks(out, proc, at_least=1)
        for extra in ([], ["--resume"], ["--dask-local"]):  # refused before a cluster starts
            started = time.monotonic()
            second = subprocess.run(
                [sys.executable, "-m", "simsvc.cli", "sweep", str(experiment), "--out", str(out), *extra],
                cwd=ROOT, capture_output=True, text=True, timeout=60,
            )  # fmt: skip
            assert second.returncode == 2, second.stderr
            assert f"another sweep is writing to {out} (pid {proc.pid})" in second.stderr, second.stderr
            assert "Traceback" not in second.stderr
            assert time.monotonic() - started < 10
        assert proc.poll() is None, "the refused sweeps should leave the running one alone"
    finally:
        proc.kill()
        proc.wait(timeout=30)
    try:
        Store(out).check_free()  # the lock went with the killed process at once (no worker holds it): no error
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)


def test_ctrl_c_keeps_finished_tasks_and_exits_130(tmp_path, reference):
    experiment, out = write_experiment(tmp_path), tmp_path / "out"
    proc = start_sweep(experiment, out)
    wait_for_tasks(out, proc, at_least=3)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr and "--resume" in stderr
    kept = load(out)
    assert 3 * 2 <= len(kept) < len(reference)
    merged = kept.merge(reference, on=["point", "replication"], suffixes=("", "_ref"))
    assert (merged["mean_wait"] == merged["mean_wait_ref"]).all()
    resumed = invoke_cli("sweep", str(experiment), "--out", str(out), "--resume")
    assert resumed.returncode == 0, resumed.stderr
    pd.testing.assert_frame_equal(load(out), reference)


@pytest.mark.parametrize(
    ("factors", "message"),
    [
        ([{"path": "teams[0].stafff", "levels": [2]}], "factors[0].path: unknown field path 'teams[0].stafff'"),
        ([{"path": "teams[0].staff", "levels": []}], "factors[0].levels: a factor needs at least one level"),
    ],
    ids=["unknown-path", "no-levels"],
)  # fmt: skip
def test_bad_experiment_exits_2_and_leaves_the_store_alone(tmp_path, reference_store, factors, message):
    out = tmp_path / "out"
    shutil.copytree(reference_store, out)
    before = snapshot(out)
    bad = write_experiment(tmp_path, {**SPEC, "factors": factors}, "bad.yaml")
    for args in ([], ["--resume"]):
        proc = invoke_cli("sweep", str(bad), "--out", str(out), *args)
        assert proc.returncode == 2, proc.stderr
        assert str(bad) in proc.stderr and message in proc.stderr
        assert "Traceback" not in proc.stderr
    assert snapshot(out) == before


def test_changed_experiment_under_resume_is_refused(tmp_path, reference_store):
    out = tmp_path / "out"
    experiment = write_experiment(tmp_path)
    shutil.copytree(reference_store, out)
    before = snapshot(out)
    write_experiment(tmp_path, {**SPEC, "seed": 6})  # same file, new content
    proc = invoke_cli("sweep", str(experiment), "--out", str(out), "--resume")
    assert proc.returncode == 2 and "different experiment" in proc.stderr and "Traceback" not in proc.stderr
    assert snapshot(out) == before
    again = invoke_cli("sweep", str(write_experiment(tmp_path, SPEC)), "--out", str(out))
    assert again.returncode == 2 and "--resume" in again.stderr  # same experiment, but no --resume


def test_real_dask_cluster_gives_the_local_results(tmp_path, reference):
    # A LocalCluster with processes: a scheduler and two worker processes on this machine.
    experiment = write_experiment(tmp_path)
    with dask_executor(workers=2) as executor:
        run = run_sweep(experiment, tmp_path / "api", executor)
    assert run.ran == 36
    pd.testing.assert_frame_equal(load(tmp_path / "api"), reference)


def test_cli_dask_local(tmp_path, reference):
    spec = {**SPEC, "factors": [{"name": "staff", "path": "teams[0].staff", "levels": [3]}], "replications": 4}
    proc = invoke_cli("sweep", str(write_experiment(tmp_path, spec)), "--out", str(tmp_path / "out"),
                      "--dask-local", "--workers", "2")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    got = load(tmp_path / "out")
    want = reference[(reference["staff"] == 3) & (reference["replication"] < 4)]
    assert (got["mean_wait"].to_numpy() == want["mean_wait"].to_numpy()).all() and len(got) == 4
