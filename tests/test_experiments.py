"""Experiment files, designs, field paths, the results store and the analysis helpers (in-process)."""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest
import yaml

import simsvc
from simsvc.errors import ExperimentError
from simsvc.experiments import (
    load,
    main_effects,
    paired_differences,
    pareto_frontier,
    plan_sweep,
    run_sweep,
    summarize,
)
from simsvc.scenario.paths import PathError, parse_path, set_path
from tests.helpers import ROOT, SCENARIOS

SMALL_BASE = {
    "name": "small counter",
    "horizon": {"days": 1, "open": "09:00", "close": "11:00", "interval_minutes": 30},
    "customer_classes": [
        {"name": "walk_in", "arrivals": {"per_hour": 30}, "service_time": {"dist": "exponential", "mean": 4}},
    ],
    "teams": [{"name": "clerks", "serves": ["walk_in"], "staff": 3}],
}


def experiment(**changes):
    spec = {
        "name": "small",
        "base": SMALL_BASE,
        "factors": [{"name": "staff", "path": "teams[0].staff", "levels": [2, 3, 4]}],
        "replications": 6,
        "seed": 11,
        "replications_per_task": 4,
    }
    spec.update(changes)
    return spec


def test_paths_parse_and_set_on_a_copy():
    assert parse_path("teams[0].shifts[1].staff") == ("teams", 0, "shifts", 1, "staff")
    raw = {"teams": [{"staff": 3}]}
    changed = set_path(raw, parse_path("teams[0].staff"), 5)
    assert changed["teams"][0]["staff"] == 5 and raw["teams"][0]["staff"] == 3
    assert set_path({}, parse_path("quality.promise_level"), 0.5) == {"quality": {"promise_level": 0.5}}
    with pytest.raises(PathError, match=r"teams\[3\] does not exist"):
        set_path(raw, parse_path("teams[3].staff"), 1)
    with pytest.raises(PathError):
        parse_path("teams[0]..staff")


def test_grid_list_and_latin_hypercube_designs():
    grid = plan_sweep(experiment(factors=[
        {"name": "staff", "path": "teams[0].staff", "levels": [2, 3]},
        {"name": "mean", "path": "customer_classes[0].service_time.mean", "levels": [3, 4, 5]},
    ]))  # fmt: skip
    assert grid.points == [{"staff": s, "mean": m} for s in (2, 3) for m in (3, 4, 5)]
    assert [s.customer_classes[0].service_time.mean for s in grid.scenarios] == [3, 4, 5, 3, 4, 5]

    listed = plan_sweep(experiment(design={"type": "list", "points": [{"staff": 2}, {"staff": 5}]}))
    assert [s.teams[0].staff for s in listed.scenarios] == [(2,), (5,)]

    lhs = plan_sweep(experiment(
        factors=[
            {"name": "staff", "path": "teams[0].staff", "range": [2, 6], "integer": True},
            {"name": "rate", "path": "customer_classes[0].arrivals.per_hour", "range": [10, 40]},
        ],
        design={"type": "lhs", "samples": 8, "seed": 3},
    ))  # fmt: skip
    rates = np.array([p["rate"] for p in lhs.points])
    # Latin hypercube: exactly one sample in each eighth of the range.
    assert sorted(np.floor((rates - 10) / 30 * 8).astype(int)) == list(range(8))
    assert all(isinstance(p["staff"], int) and 2 <= p["staff"] <= 6 for p in lhs.points)
    assert plan_sweep(experiment(factors=lhs.experiment.factors, design=lhs.experiment.design)).points == lhs.points


def test_a_factor_may_set_several_fields_and_a_defaulted_field():
    plan = plan_sweep(experiment(factors=[
        {"name": "promise", "path": "quality.promise_level", "levels": [0.0, 1.0]},
        {"name": "both", "path": ["teams[0].staff", "customer_classes[0].balk_at"], "levels": [3]},
    ]))  # fmt: skip
    assert [s.quality.promise_level for s in plan.scenarios] == [0.0, 1.0]
    assert plan.scenarios[0].teams[0].staff == (3,) and plan.scenarios[0].customer_classes[0].balk_at == 3


@pytest.mark.parametrize(
    ("changes", "where", "what"),
    [
        ({"factors": [{"path": "teams[0].stafff", "levels": [1]}]}, "factors[0].path", "teams[0].stafff"),
        ({"factors": [{"path": "teams[4].staff", "levels": [1]}]}, "factors[0].path", "teams[4] does not exist"),
        ({"factors": [{"path": "teams[0].staff", "levels": []}]}, "factors[0].levels", "at least one level"),
        ({"factors": [{"path": "teams[0].staff", "levels": [2, -1]}]}, "design point 1 (teams[0].staff=-1): "
         "teams[0].staff[0]", "must be between 0 and 100000"),
        ({"factors": [{"path": "teams[0].staff", "levels": [2]}], "design": "lhs"}, "design", "samples"),
        ({"replications": 0}, "replications", "must be between 1 and 100000"),
    ],
    ids=["unknown-field", "no-such-item", "no-levels", "invalid-point", "lhs-without-samples", "no-replications"],
)  # fmt: skip
def test_bad_experiments_name_the_field(changes, where, what):
    with pytest.raises(ExperimentError, match=f"(?s)invalid experiment.*{re.escape(where)}.*{re.escape(what)}"):
        plan_sweep(experiment(**changes))


def test_blocks_of_replications_give_the_numbers_of_one_run(tmp_path):
    # 6 replications in tasks of 4 + 2 must equal one simulate() call with 6 (same streams).
    run = run_sweep(experiment(), tmp_path / "out", ThreadPoolExecutor(2))
    assert (run.total, run.ran, run.interrupted) == (6, 6, False)
    frame = load(tmp_path / "out")
    assert list(frame.columns[:3]) == ["point", "staff", "replication"] and len(frame) == 18
    for point, scenario in enumerate(run.plan.scenarios):
        whole = simsvc.simulate(scenario, replications=6, seed=11, keep_records=False).kpis
        whole = whole[whole["group"] == "overall"].pivot(index="replication", columns="kpi", values="value")
        got = frame[frame["point"] == point].set_index("replication")[whole.columns]
        pd.testing.assert_frame_equal(got, whole, check_names=False)
    by_class = load(tmp_path / "out", group="class")
    assert set(by_class["class"]) == {"walk_in"} and len(by_class) == 18
    assert json.loads((tmp_path / "out" / "manifest.json").read_text())["digest"] == run.plan.digest


def test_store_is_queryable_with_duckdb(tmp_path):
    duckdb = pytest.importorskip("duckdb")
    run_sweep(experiment(), tmp_path, ThreadPoolExecutor(2))
    query = f"""
        SELECT p.staff, avg(t.value) AS mean_wait, count(*) AS n
        FROM '{tmp_path}/tasks/*.parquet' t JOIN '{tmp_path}/points.parquet' p USING (point)
        WHERE t."group" = 'overall' AND t.kpi = 'mean_wait' GROUP BY p.staff ORDER BY p.staff
    """
    rows = duckdb.sql(query).fetchall()
    expected = load(tmp_path).groupby("staff")["mean_wait"].mean()
    assert [r[0] for r in rows] == [2, 3, 4] and [r[2] for r in rows] == [6, 6, 6]
    assert np.allclose([r[1] for r in rows], expected.to_numpy())


def test_analysis_summaries_effects_differences_and_frontier(tmp_path):
    spec = experiment(
        factors=[
            {"name": "staff", "path": "teams[0].staff", "levels": [2, 3, 4]},
            {"name": "mean", "path": "customer_classes[0].service_time.mean", "levels": [3.0, 4.0]},
        ],
        replications=8,
    )
    run_sweep(spec, tmp_path, ThreadPoolExecutor(2))
    frame = load(tmp_path)
    summary = summarize(frame, ["mean_wait", "cost", "satisfaction"])
    assert len(summary) == 6 and (summary["n"] == 8).all()
    assert (summary["mean_wait_ci_low"] <= summary["mean_wait"]).all()
    row = summary[(summary["staff"] == 2) & (summary["mean"] == 4.0)].iloc[0]
    assert row["mean_wait"] == pytest.approx(frame[frame["point"] == row["point"]]["mean_wait"].mean())

    effects = main_effects(frame, "staff", "mean_wait")
    assert list(effects.index) == [2, 3, 4] and (effects["n"] == 8).all()
    # More staff, shorter waits: the intervals (over independent replications) separate.
    assert effects.loc[2, "ci_low"] > effects.loc[3, "ci_high"] > effects.loc[4, "mean"]

    diff = paired_differences(frame, "staff", 2, "mean_wait")
    assert (diff["ci_high"] < 0).all()  # common random numbers: every pair says "shorter"
    assert diff.loc[3, "mean"] == pytest.approx(effects.loc[3, "mean"] - effects.loc[2, "mean"])

    front = pareto_frontier(summary)
    others = summary.drop(front.index)
    for _, p in others.iterrows():  # every point off the frontier is dominated by one on it
        assert ((front["cost"] <= p["cost"]) & (front["satisfaction"] >= p["satisfaction"])).any()


def test_example_experiment_file_plans():
    plan = plan_sweep(ROOT / "experiments" / "staffing_small.yaml")
    assert len(plan.points) == 6 and len(plan.tasks) == 12
    assert yaml.safe_load((ROOT / "experiments" / "staffing_small.yaml").read_text())["base"].endswith("teaching.yaml")
    assert (SCENARIOS / "teaching.yaml").is_file()


def test_sweep_benchmark_quick_runs(tmp_path, capsys):
    # Keeps benchmarks/sweep.py working; its figures are not checked here (no timed tests).
    from benchmarks import sweep

    assert sweep.main(["--quick", "--out", str(tmp_path / "bench.json")]) == 0
    figures = json.loads((tmp_path / "bench.json").read_text())
    assert figures["tasks"] == 20 and figures["speedup"] > 0 and "overhead_ms" in figures
    assert "speed-up" in capsys.readouterr().out


def test_store_refuses_foreign_folders_but_reuses_a_store_killed_before_its_manifest(tmp_path):
    (tmp_path / "foreign").mkdir()
    (tmp_path / "foreign" / "notes.txt").write_text("mine")
    with pytest.raises(ExperimentError, match="not a sweep store"):
        run_sweep(experiment(), tmp_path / "foreign", ThreadPoolExecutor(1))
    assert [p.name for p in (tmp_path / "foreign").iterdir()] == ["notes.txt"]
    half = tmp_path / "half"
    (half / "tasks").mkdir(parents=True)
    (half / "points.parquet").write_bytes(b"cut short")
    (half / ".manifest.json.x.tmp").write_text("{")
    run = run_sweep(experiment(), half, ThreadPoolExecutor(2))
    assert run.ran == run.total and not list(half.glob("*.tmp")) and len(load(half)) == 18


def test_a_store_has_one_writer_at_a_time(tmp_path):
    import os

    from simsvc.experiments import Store
    from simsvc.experiments.lock import StoreBusyError

    plan = plan_sweep(ROOT / "experiments" / "staffing_small.yaml")
    first, second = Store(tmp_path / "out"), Store(tmp_path / "out")
    first.open(plan, resume=False)
    try:
        for resume in (False, True):  # the busy store is said first, not "add --resume"
            with pytest.raises(StoreBusyError, match=rf"another sweep is writing to .*out \(pid {os.getpid()}\)"):
                second.open(plan, resume=resume)
        with pytest.raises(StoreBusyError):
            second.check_free()
    finally:
        first.close()
    second.check_free()
    second.open(plan, resume=True)  # free again once closed
    second.close()
