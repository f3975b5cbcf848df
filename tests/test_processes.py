"""Worker processes under Ctrl-C: a run interrupted while its pool starts exits 130 without a traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from tests.helpers import ROOT, SCENARIOS, ctrl_c_as_in_a_terminal, descendants

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")


@pytest.fixture(scope="module")
def long_run(tmp_path_factory) -> Path:
    data = yaml.safe_load((SCENARIOS / "teaching.yaml").read_text(encoding="utf-8"))
    data["simulation"]["replications"] = 5000  # minutes: the Ctrl-C always comes first
    path = tmp_path_factory.mktemp("ctrl_c") / "long.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


# After the pool's first process appears (the forkserver, then the workers it forks): the
# server importing simsvc, the workers being forked and unpickling their queues, running.
@pytest.mark.parametrize("delay", [0.0, 0.05, 0.3, 0.6])
def test_ctrl_c_while_the_pool_starts_exits_130_without_a_traceback(long_run, delay):
    proc = subprocess.Popen(
        [sys.executable, "-m", "simsvc.cli", "run", str(long_run), "--workers", "2", "--format", "json"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True,
        preexec_fn=ctrl_c_as_in_a_terminal,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while len(descendants(proc.pid)) < 2:  # the resource tracker, then the forkserver
        assert proc.poll() is None and time.monotonic() < deadline, "the pool did not start"
        time.sleep(0.002)
    time.sleep(delay)
    started = descendants(proc.pid)
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C in a terminal: the whole process group
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr and "interrupted" in stderr, stderr
    deadline = time.monotonic() + 10
    while (alive := {p for p in started if Path(f"/proc/{p}").exists()}) and time.monotonic() < deadline:
        time.sleep(0.05)
    for pid in alive:
        os.kill(pid, signal.SIGKILL)
    assert not alive, f"processes outlived the interrupted run: {sorted(alive)}"
