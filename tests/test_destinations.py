"""Where commands write, checked before any work; an unreachable Dask scheduler is a message, not a hang."""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import pytest

from simsvc.destinations import DestinationError, check_destinations
from tests.helpers import SCENARIOS, invoke_cli

EXPERIMENT = Path(__file__).resolve().parent.parent / "experiments" / "staffing_small.yaml"


@pytest.fixture
def no_work(monkeypatch):
    """Fail the test if a command starts simulating or optimizing: the check must come first."""

    def refuse(*args, **kwargs):
        raise AssertionError("the command started working before checking its destinations")

    import simsvc.experiments.runner as runner
    import simsvc.run as run
    import simsvc.staffing as staffing

    monkeypatch.setattr(run, "simulate", refuse)
    monkeypatch.setattr(staffing, "optimize", refuse)
    monkeypatch.setattr(runner, "simulate", refuse)


@pytest.fixture
def a_file(tmp_path) -> Path:
    path = tmp_path / "a_file"
    path.write_text("not a folder", encoding="utf-8")
    return path


def commands(target: Path) -> dict[str, tuple[str, ...]]:
    return {
        "run --out": ("run", str(SCENARIOS / "teaching.yaml"), "--out", str(target)),
        "run --plots": ("run", str(SCENARIOS / "teaching.yaml"), "--plots", str(target)),
        "optimize --out": ("optimize", str(SCENARIOS / "call_centre.yaml"), "--out", str(target)),
        "sweep --out": ("sweep", str(EXPERIMENT), "--out", str(target)),
        "examples FOLDER": ("examples", str(target)),
    }


@pytest.mark.parametrize("command", list(commands(Path("x"))))
@pytest.mark.parametrize("under", [False, True], ids=["is-a-file", "under-a-file"])
def test_a_folder_option_naming_a_file_is_refused_before_any_work(no_work, a_file, command, under):
    target = a_file / "sub" if under else a_file
    option = command.split()[1]
    done = invoke_cli(*commands(target)[command])
    assert done.returncode == 2, done.stderr
    want = f"cannot be created: {a_file} is a file" if under else "exists and is a file, not a folder"
    assert f"{option} {target}: {want}" in done.stderr
    assert "Traceback" not in done.stderr
    assert a_file.read_text(encoding="utf-8") == "not a folder"


def test_every_bad_destination_is_named_at_once(no_work, a_file):
    done = invoke_cli("run", str(SCENARIOS / "teaching.yaml"), "--out", str(a_file), "--plots", str(a_file / "p"))
    assert done.returncode == 2
    assert f"--out {a_file}:" in done.stderr and f"--plots {a_file / 'p'}:" in done.stderr


def test_report_out_naming_a_folder_is_refused(tmp_path):
    done = invoke_cli("report", str(tmp_path), "--out", str(tmp_path))
    assert done.returncode == 2 and f"--out {tmp_path}: is a folder; give a file name" in done.stderr


def test_missing_parent_folders_are_created(tmp_path):
    out = tmp_path / "new" / "deeper" / "run"
    done = invoke_cli("run", str(SCENARIOS / "teaching.yaml"), "-r", "2", "-w", "1", "--no-records", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert (out / "summary.csv").is_file()


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_a_folder_nobody_may_write_is_refused(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    try:
        with pytest.raises(DestinationError, match="not writable"):
            check_destinations({"--out": locked / "run"})
        with pytest.raises(DestinationError, match="not writable"):
            check_destinations({"--out": locked})
    finally:
        locked.chmod(0o700)


def test_good_destinations_pass_and_nothing_is_written(tmp_path):
    (tmp_path / "exists").mkdir()
    check_destinations({"--out": tmp_path / "exists", "--plots": tmp_path / "a" / "b"}, {"--out": tmp_path / "r.html"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exists"]


# --- the Dask scheduler --------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def silent_server():
    """A TCP server that accepts connections and never says a word (not a Dask scheduler)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"tcp://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    server.close()


@pytest.mark.parametrize("kind", ["nobody-listens", "silent-server"])
def test_an_unreachable_scheduler_is_a_message_within_the_timeout(tmp_path, request, kind):
    address = f"tcp://127.0.0.1:{free_port()}" if kind == "nobody-listens" else request.getfixturevalue("silent_server")
    started = time.monotonic()
    done = invoke_cli("sweep", str(EXPERIMENT), "--out", str(tmp_path / "out"), "--scheduler", address,
                      "--connect-timeout", "1")  # fmt: skip
    took = time.monotonic() - started
    assert done.returncode == 2, done.stderr
    assert f"no Dask scheduler answered at {address} within 1 s" in done.stderr
    assert "--connect-timeout" in done.stderr and "Traceback" not in done.stderr
    assert took < 8, f"took {took:.1f} s"
    assert not (tmp_path / "out").exists()


def test_a_malformed_scheduler_address_is_named(tmp_path):
    done = invoke_cli("sweep", str(EXPERIMENT), "--out", str(tmp_path / "out"), "--scheduler", "nonsense")
    assert done.returncode == 2 and "nonsense is not a Dask scheduler address" in done.stderr


def test_run_sweep_into_a_file_raises_naming_out(a_file):
    from simsvc.experiments import run_sweep

    with pytest.raises(DestinationError, match=f"out {a_file}: exists and is a file"):
        run_sweep(EXPERIMENT, a_file)


def test_a_running_scheduler_passes_the_probe_and_runs_the_sweep(tmp_path):
    from distributed import LocalCluster

    from simsvc.experiments import dask_executor, load, run_sweep

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        with dask_executor(cluster.scheduler_address, timeout=5) as executor:
            run = run_sweep(EXPERIMENT, tmp_path / "out", executor)
    assert run.ran == run.total == 12
    assert len(load(tmp_path / "out")) == 6 * 10


def test_report_of_a_file_instead_of_a_folder_names_folder(a_file):
    done = invoke_cli("report", str(a_file))
    assert done.returncode == 2 and f"FOLDER {a_file}: exists and is a file, not a folder" in done.stderr
