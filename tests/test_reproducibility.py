"""Same scenario and seed, same numbers: across calls, processes, and staffing changes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import yaml

import simsvc
from tests.helpers import ROOT, SCENARIOS, ctrl_c_as_in_a_terminal, run_cli


def _scenario(**team_changes):
    data = yaml.safe_load((SCENARIOS / "call_centre.yaml").read_text(encoding="utf-8"))
    data["teams"][0].update(team_changes)
    return simsvc.load_scenario(data, base_dir=SCENARIOS)


def test_same_seed_same_kpis_in_two_processes():
    args = ("run", str(SCENARIOS / "bank_branch.yaml"), "-r", "4", "--seed", "99", "--format", "json")
    first, second = run_cli(*args), run_cli(*args)
    assert first.returncode == 0 and second.returncode == 0
    assert json.loads(first.stdout) == json.loads(second.stdout)


def test_different_seed_different_numbers():
    sc = _scenario()
    a = simsvc.simulate(sc, replications=2, seed=1).summary()
    b = simsvc.simulate(sc, replications=2, seed=2).summary()
    assert a.loc["arrivals", "mean"] != b.loc["arrivals", "mean"]


def test_common_random_numbers_when_only_staffing_changes():
    """Two staffing plans see the same customers: arrivals, service needs and patience."""
    lean = simsvc.simulate(_scenario(), replications=3, seed=11).customers
    rich = simsvc.simulate(_scenario(staff=30), replications=3, seed=11).customers
    cols = ["replication", "customer", "arrival"]
    pd.testing.assert_frame_equal(lean[cols], rich[cols])
    served = (lean["outcome"] == "served") & (rich["outcome"] == "served")
    np.testing.assert_allclose((lean["end"] - lean["start"])[served], (rich["end"] - rich["start"])[served])
    # Paired comparison: more staff never makes a replication's mean wait longer here.
    lw = lean.groupby("replication")["wait"].mean()
    rw = rich.groupby("replication")["wait"].mean()
    assert (rw <= lw).all()


def test_adding_a_class_leaves_other_classes_customers_unchanged():
    base = yaml.safe_load((SCENARIOS / "teaching.yaml").read_text(encoding="utf-8"))
    more = yaml.safe_load(yaml.safe_dump(base))
    more["customer_classes"].append(
        {"name": "extra", "arrivals": {"per_hour": 5}, "service_time": {"dist": "exponential", "mean": 2}}
    )
    more["teams"][0]["serves"].append("extra")
    a = simsvc.simulate(simsvc.load_scenario(base), replications=1, seed=3).customers
    b = simsvc.simulate(simsvc.load_scenario(more), replications=1, seed=3).customers
    b = b[b["class"] == "customer"]
    np.testing.assert_array_equal(a["arrival"].to_numpy(), b["arrival"].to_numpy())


# ``simsvc run`` as the console script starts it, telling the test (a file, ``MARKER``) how many
# replications have finished, so that Ctrl-C comes mid-run however busy the machine is.
_RUN_AND_TELL = """
import sys
from pathlib import Path

import simsvc.run as run
from simsvc.cli import main

marker = Path(sys.argv.pop(1))
simulate = run.simulate


def simulate_and_tell(*args, progress=None, **kwargs):
    def tell(done, total):
        marker.write_text(str(done))
        if progress is not None:
            progress(done, total)

    return simulate(*args, progress=tell, **kwargs)


run.simulate = simulate_and_tell
sys.argv[0] = "simsvc"
main()
"""


def test_interrupted_run_keeps_finished_replications(tmp_path):
    """Ctrl-C during a long run: exit 130, finished replications printed and written."""
    data = yaml.safe_load((SCENARIOS / "call_centre.yaml").read_text(encoding="utf-8"))
    shutil.copy(SCENARIOS / "call_centre_forecast.csv", tmp_path)  # a scenario reads files beside it
    data["customer_classes"][0]["arrivals"]["csv"] = "call_centre_forecast.csv"
    data["simulation"]["replications"] = 5000
    path = tmp_path / "long.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    out, marker = tmp_path / "out", tmp_path / "finished"
    proc = subprocess.Popen(
        [sys.executable, "-c", _RUN_AND_TELL, str(marker), "run", str(path), "--format", "json", "--out", str(out),
         "--workers", "2"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=ctrl_c_as_in_a_terminal,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "no replication finished within 120 s"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr and "interrupted" in stderr
    done = json.loads(stdout)["replications"]
    assert 0 < done < 5000
    written = pd.read_parquet(out / "kpis_by_replication.parquet")
    assert written["replication"].nunique() == done
