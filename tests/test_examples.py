"""Every bundled scenario validates and runs from the command line, in every format."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest

import simsvc
from tests.helpers import SCENARIOS, invoke_cli

EXAMPLES = sorted(SCENARIOS.glob("*.yaml"))
REQUIRED_KPIS = {"arrivals", "served", "mean_wait", "p95_wait", "service_level", "abandonment_rate", "utilization"}


def test_there_are_examples():
    assert {p.name for p in EXAMPLES} >= {"teaching.yaml", "bank_branch.yaml", "call_centre.yaml"}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_validates_and_runs(path):
    proc = invoke_cli("validate", str(path))
    assert proc.returncode == 0, proc.stderr
    assert "overloaded" not in proc.stderr  # the examples are realistically staffed
    proc = invoke_cli("run", str(path), "--replications", "3", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["replications"] == 3
    assert REQUIRED_KPIS <= set(out["kpis"])
    kpis = out["kpis"]
    assert kpis["arrivals"]["mean"] > 0
    # Everyone inside is served by the end, or (deferred work) still open when the horizon ends.
    outcomes = sum(kpis[k]["mean"] for k in ("served", "abandoned", "balked", "deferred_open_at_end") if k in kpis)
    assert outcomes == pytest.approx(kpis["arrivals"]["mean"])
    assert 0 <= kpis["service_level"]["mean"] <= 1 and 0 < kpis["utilization"]["mean"] <= 1
    assert kpis["mean_wait"]["ci_low"] <= kpis["mean_wait"]["mean"] <= kpis["mean_wait"]["ci_high"]


def test_run_table_and_csv_formats():
    path = str(SCENARIOS / "teaching.yaml")
    table = invoke_cli("run", path, "-r", "2")
    assert table.returncode == 0 and "service_level" in table.stdout and "95 % CI" in table.stdout
    rows = list(csv.DictReader(io.StringIO(invoke_cli("run", path, "-r", "2", "--format", "csv").stdout)))
    assert {r["kpi"] for r in rows} >= REQUIRED_KPIS and set(rows[0]) >= {"mean", "ci_low", "ci_high"}


def test_run_out_writes_records_and_tables(tmp_path):
    proc = invoke_cli("run", str(SCENARIOS / "bank_branch.yaml"), "-r", "2", "--seed", "5", "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    customers = pd.read_parquet(tmp_path / "customers.parquet")
    summary = pd.read_csv(tmp_path / "summary.csv", index_col="kpi")
    assert set(customers["replication"]) == {0, 1}
    assert set(customers["class"].astype(str)) == {"retail", "premium"}
    # The summary agrees with the records it was computed from.
    arrivals = customers[~customers["warmup"]].groupby("replication").size().mean()
    assert summary.loc["arrivals", "mean"] == pytest.approx(arrivals)
    assert {"by_class.csv", "by_interval.csv", "by_day.csv", "result.json"} <= {p.name for p in tmp_path.iterdir()}
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_python_api_tables():
    result = simsvc.simulate(simsvc.load_scenario(SCENARIOS / "bank_branch.yaml"), replications=3, seed=1)
    assert list(result.summary().columns[:3]) == ["mean", "ci_low", "ci_high"]
    by_interval = result.by_interval()
    assert by_interval.index.get_level_values("interval")[0] == "09:00"
    assert len(by_interval.index.unique("interval")) == 16
    assert set(result.by_class().index.unique("class")) == {"retail", "premium"}
    per_interval = by_interval.xs("arrivals", level="kpi")["mean"].sum()
    assert per_interval == pytest.approx(result.summary().loc["arrivals", "mean"])


def test_schema_command_prints_json_schema():
    proc = invoke_cli("schema")
    schema = json.loads(proc.stdout)
    assert proc.returncode == 0 and "customer_classes" in schema["properties"]
