"""Honest statistics: pairing by replication, "not applicable" ratios, intervals within a KPI's range."""

from __future__ import annotations

import io
import json
import math

import numpy as np
import pandas as pd
import pytest
from rich.console import Console
from scipy import stats

import simsvc
from simsvc.experiments import main_effects, paired_differences
from simsvc.metrics import KPI_NAMES, KPI_RANGES, clip_to_range, confidence_intervals
from simsvc.output import format_kpi, print_result

QUIET = {
    "name": "quiet counter",
    "horizon": {"days": 1, "open": "09:00", "close": "11:00", "interval_minutes": 30},
    "customer_classes": [
        {"name": "walk_in", "arrivals": {"per_hour": 20}, "service_time": {"dist": "exponential", "mean": 4}},
    ],
    "teams": [{"name": "clerks", "serves": ["walk_in"], "staff": 4}],
    "quality": {"enabled": False},
}


def _t_interval(values: np.ndarray) -> tuple[float, float]:
    low, high = stats.t.interval(0.95, len(values) - 1, loc=values.mean(), scale=stats.sem(values))
    return float(low), float(high)


@pytest.fixture
def crn_frame() -> pd.DataFrame:
    """Two factors, five replications; a large replication effect shared by every point (CRN)."""
    rng = np.random.default_rng(7)
    reps = np.arange(5)
    shared = rng.normal(0, 5, size=len(reps))  # what common random numbers give every point
    rows = []
    for a in (0, 1):
        for b in ("x", "y"):
            for r in reps:
                value = shared[r] + 2.0 * a + (1.0 if b == "y" else 0.0) + rng.normal(0, 0.5)
                rows.append({"point": 2 * a + (b == "y"), "A": a, "B": b, "replication": r, "mean_wait": value})
    frame = pd.DataFrame(rows)
    frame.attrs["factors"] = ["A", "B"]
    return frame


def test_paired_differences_pair_by_replication_after_averaging_the_other_factor(crn_frame):
    diff = paired_differences(crn_frame, "A", 0, "mean_wait")
    assert list(diff.index) == [1]
    assert diff.loc[1, "n"] == 5  # replications, not 10 = replications × levels of B
    per_rep = crn_frame.groupby(["A", "replication"])["mean_wait"].mean().unstack("A")
    d = (per_rep[1] - per_rep[0]).to_numpy()
    low, high = _t_interval(d)
    assert diff.loc[1, "mean"] == pytest.approx(d.mean())
    assert (diff.loc[1, "ci_low"], diff.loc[1, "ci_high"]) == (pytest.approx(low), pytest.approx(high))


def test_paired_differences_by_point_of_the_other_factor(crn_frame):
    diff = paired_differences(crn_frame, "A", 0, "mean_wait", by=["B"])
    assert list(diff.index) == [(1, "x"), (1, "y")] and (diff["n"] == 5).all()
    for b in ("x", "y"):
        part = crn_frame[crn_frame["B"] == b].pivot(index="replication", columns="A", values="mean_wait")
        d = (part[1] - part[0]).to_numpy()
        low, high = _t_interval(d)
        assert diff.loc[(1, b), "mean"] == pytest.approx(d.mean())
        assert (diff.loc[(1, b), "ci_low"], diff.loc[(1, b), "ci_high"]) == (pytest.approx(low), pytest.approx(high))


def test_paired_differences_refuse_a_missing_baseline_or_the_factor_in_by(crn_frame):
    with pytest.raises(ValueError, match="no rows with A == 5"):
        paired_differences(crn_frame, "A", 5, "mean_wait")
    with pytest.raises(ValueError, match="by: 'A'"):
        paired_differences(crn_frame, "A", 0, "mean_wait", by=["A"])
    with pytest.raises(ValueError, match=r"no column\(s\) \['C'\]"):
        paired_differences(crn_frame, "A", 0, "mean_wait", by=["C"])


def test_main_effects_have_one_value_per_replication(crn_frame):
    effects = main_effects(crn_frame, "A", "mean_wait")
    assert (effects["n"] == 5).all()
    per_rep = crn_frame.groupby(["A", "replication"])["mean_wait"].mean().unstack("A")
    for a in (0, 1):
        low, high = _t_interval(per_rep[a].to_numpy())
        expected = (pytest.approx(max(low, 0)), pytest.approx(high))
        assert (effects.loc[a, "ci_low"], effects.loc[a, "ci_high"]) == expected


def test_every_kpi_has_a_range_and_shares_are_within_zero_and_one():
    assert set(KPI_RANGES) == set(KPI_NAMES)
    assert KPI_RANGES["service_level"] == (0.0, 1.0) and KPI_RANGES["recovery_rate"] == (0.0, 1.0)
    assert KPI_RANGES["mean_wait"] == (0.0, math.inf) and KPI_RANGES["gap_empathy"] == (-6.0, 6.0)
    table = pd.DataFrame(
        {"mean": [0.99, 0.1, -0.5], "ci_low": [0.95, -0.2, -7.0], "ci_high": [1.03, 0.4, 0.2]},
        index=pd.Index(["service_level", "mean_wait", "gap_tangibles"], name="kpi"),
    )
    clipped = clip_to_range(table)
    assert clipped["ci_low"].tolist() == [0.95, 0.0, -6.0] and clipped["ci_high"].tolist() == [1.0, 0.4, 0.2]
    assert clip_to_range(table, "no_such_kpi").equals(table)  # a derived column is unbounded


def test_interval_of_an_almost_never_waiting_queue_starts_at_zero():
    result = simsvc.simulate(simsvc.load_scenario(QUIET), replications=5, seed=3)
    waits = result.kpis.query("group == 'overall' and kpi == 'mean_wait'")["value"].to_numpy()
    raw_low, raw_high = _t_interval(waits)
    assert raw_low < 0  # the plain t-interval would promise negative waits
    row = result.summary().loc["mean_wait"]
    assert row["ci_low"] == 0.0 and row["ci_high"] == pytest.approx(raw_high)
    assert row["mean"] == pytest.approx(waits.mean())


def test_not_applicable_kpis_are_nan_averaged_over_the_replications_where_defined():
    values = pd.DataFrame({"kpi": ["recovery_rate"] * 4 + ["mean_resolution_time"] * 4,
                           "value": [0.5, math.nan, 0.7, 0.6] + [math.nan] * 4})  # fmt: skip
    ci = confidence_intervals(values, ["kpi"])
    assert ci.loc["recovery_rate", "n"] == 3 and ci.loc["recovery_rate", "mean"] == pytest.approx(0.6)
    low, high = _t_interval(np.array([0.5, 0.7, 0.6]))
    assert ci.loc["recovery_rate", ["ci_low", "ci_high"]].tolist() == [pytest.approx(low), pytest.approx(high)]
    assert ci.loc["mean_resolution_time", "n"] == 0
    assert ci.loc["mean_resolution_time", ["mean", "ci_low", "ci_high"]].isna().all()


def test_no_complaint_desk_makes_the_share_within_sla_not_applicable_and_shows_n_a():
    scenario = simsvc.load_scenario({**QUIET, "quality": {"enabled": True}})
    assert not scenario.complaints.teams
    result = simsvc.simulate(scenario, replications=3, seed=1)
    summary = result.summary()
    assert summary.loc["complaints_within_sla", ["mean", "ci_low", "ci_high"]].isna().all()
    assert summary.loc["complaints_within_sla", "n"] == 0
    assert math.isnan(summary.loc["complaint_team_utilization", "mean"])
    assert format_kpi("recovery_rate", math.nan) == "n/a"
    console = Console(file=io.StringIO(), width=200)
    print_result(result, "table", console)
    line = next(t for t in console.file.getvalue().splitlines() if "complaints_within_sla" in t)
    assert line.count("n/a") == 2


def test_every_ratio_with_nothing_to_count_is_nan_and_every_count_zero():
    from simsvc.metrics import _kpis, _quality_kpis
    from simsvc.sim.tally import COUNT_FIELDS, QUALITY_COUNT_FIELDS, WAIT_EDGES

    zero = dict.fromkeys(COUNT_FIELDS + QUALITY_COUNT_FIELDS, 0.0)
    values = _kpis(zero, np.zeros(len(WAIT_EDGES)), 0.0, 0.0, 0.0, 0.0) | _quality_kpis(zero, desk=True, loyal=True)
    counts = {"arrivals", "served", "abandoned", "balked", "max_queue", "lost_customers"}
    assert {k for k, v in values.items() if not math.isnan(v)} == counts
    assert all(values[k] == 0 for k in counts)


def test_an_interval_without_arrivals_has_not_applicable_ratios():
    walk_in = {**QUIET["customer_classes"][0], "arrivals": {"per_hour": [20, 0, 20, 20]}}
    closed = {**QUIET, "customer_classes": [walk_in]}
    by_interval = simsvc.simulate(simsvc.load_scenario(closed), replications=3, seed=2).by_interval()
    empty = by_interval.loc["09:30"]
    assert empty.loc["arrivals", "mean"] == 0 and empty.loc["arrivals", "n"] == 3
    for kpi in ("service_level", "abandonment_rate", "mean_wait", "p95_wait", "mean_service_time"):
        assert math.isnan(empty.loc[kpi, "mean"]) and empty.loc[kpi, "n"] == 0, kpi
    assert by_interval.loc[("09:00", "service_level"), "n"] == 3


def test_json_output_has_no_bare_nan_or_infinity():
    scenario = simsvc.load_scenario({**QUIET, "quality": {"enabled": True}})
    console = Console(file=io.StringIO(), width=200)
    print_result(simsvc.simulate(scenario, replications=2, seed=1), "json", console)

    def refuse(name: str) -> None:
        raise ValueError(f"bare {name} in JSON")

    data = json.loads(console.file.getvalue(), parse_constant=refuse)
    assert data["kpis"]["complaints_within_sla"] == {"mean": None, "ci_low": None, "ci_high": None}
