"""One definition of cost: the operating cost (what the firm pays) and, apart, the value of customers lost.

On the bank branch every money KPI is checked per replication against the scenario's own
numbers, independently of :mod:`simsvc.costs`: wages from its shifts and the customer and
complaint records (paid time is the scheduled staff, or the servers still busy when more
are busy than scheduled), training from its headcount, complaint handling and lost value
from the counts. Then the displays: ``--format json`` carries the agreed names only, and a
scenario without any money gets no cost chart.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import simsvc
from simsvc.cli import app
from tests.helpers import SCENARIOS

REPS = 4
SHIFTS = {  # team: (wage per hour, [(start, end, staff) in minutes of the day]), from bank_branch.yaml
    "tellers": (22.0, [(540, 780, 5), (720, 1020, 4), (540, 1020, 1)]),
    "premium_desk": (30.0, [(540, 1020, 1)]),
    "complaints_desk": (22.0, [(600, 1080, 1)]),
}
# Training: 10 tellers at level 1 (800), the premium desk at level 2 (2500), the complaint clerk at level 1.
TRAINING_PER_DAY = (10 * 800 + 2500 + 800) / 250


@pytest.fixture(scope="module")
def bank() -> simsvc.SimResult:
    return simsvc.simulate(simsvc.load_scenario(SCENARIOS / "bank_branch.yaml"), replications=REPS, seed=12,
                           keep_records=True)  # fmt: skip


def kpi(res: simsvc.SimResult, name: str, group: str = "overall", key: str = "all") -> np.ndarray:
    """One value per replication, in replication order, from the per-replication KPI table."""
    k = res.kpis
    rows = k[(k["group"] == group) & (k["key"] == key) & (k["kpi"] == name)].sort_values("replication")
    assert len(rows) == res.replications, (name, group, key)
    return rows["value"].to_numpy(dtype=float)


def paid_minutes(shifts: list[tuple[float, float, int]], services: pd.DataFrame) -> float:
    """Integral over the day of max(scheduled staff, servers busy), from shifts and service start/end times."""
    edges = [(s, n) for s, _, n in shifts] + [(e, -n) for _, e, n in shifts]
    scheduled = pd.Series([n for _, n in edges], index=[t for t, _ in edges]).groupby(level=0).sum()
    busy = pd.concat([pd.Series(1, index=services["start"]), pd.Series(-1, index=services["end"])])
    busy = busy.groupby(level=0).sum()
    steps = pd.DataFrame({"scheduled": scheduled, "busy": busy}).fillna(0).sort_index().cumsum()
    level = steps.max(axis=1).to_numpy()[:-1]
    return float((level * np.diff(steps.index.to_numpy(dtype=float))).sum())


def test_wages_are_the_paid_time_of_the_shifts_and_of_the_overtime(bank):
    customers, complaints = bank.customers, bank.complaints
    expected = np.zeros(REPS)
    for r in range(REPS):
        for team, (wage, shifts) in SHIFTS.items():
            records = complaints if team == "complaints_desk" else customers
            done = records[(records["replication"] == r) & (records["team"] == team) & records["start"].notna()]
            expected[r] += wage / 60 * paid_minutes(shifts, done)
    scheduled = sum(wage / 60 * sum((e - s) * n for s, e, n in shifts) for wage, shifts in SHIFTS.values())
    print(f"cost_wages {kpi(bank, 'cost_wages')}, independent {expected}, scheduled only {scheduled:g}")
    assert (expected > scheduled).any()  # overtime happens here, so the check sees it
    np.testing.assert_allclose(kpi(bank, "cost_wages"), expected, rtol=1e-9)
    np.testing.assert_allclose(kpi(bank, "cost_training"), TRAINING_PER_DAY, rtol=1e-12)


def test_operating_cost_and_lost_value_per_replication(bank):
    complaints = bank.complaints.groupby("replication").size().reindex(range(REPS), fill_value=0).to_numpy()
    np.testing.assert_allclose(kpi(bank, "cost_complaints"), 15 * complaints, rtol=1e-12)
    lost = kpi(bank, "lost_customer_value")
    np.testing.assert_allclose(lost, 120 * kpi(bank, "lost_customers"), rtol=1e-12)
    cost = kpi(bank, "cost")
    parts = kpi(bank, "cost_wages") + kpi(bank, "cost_training") + kpi(bank, "cost_complaints")
    np.testing.assert_allclose(cost, parts, rtol=1e-12)  # what the firm pays, and nothing else
    np.testing.assert_allclose(kpi(bank, "cost_and_lost_value"), cost + lost, rtol=1e-12)
    assert (lost > cost).all()  # the bank branch's lost value dwarfs its operating cost: never mix them
    assert "cost_lost_customers" not in set(bank.kpis["kpi"])


def test_day_interval_and_class_costs_never_include_lost_value(bank):
    # One day: the day is the whole run.
    for name in ("cost", "cost_wages", "cost_training", "cost_complaints", "lost_customer_value"):
        np.testing.assert_allclose(kpi(bank, name, "day", "1"), kpi(bank, name), rtol=1e-12)
    intervals = bank.kpis.query("group == 'interval'")["key"].unique()
    total = {n: sum(kpi(bank, n, "interval", j) for j in intervals) for n in ("cost", "lost_customer_value")}
    handling = sum(kpi(bank, "cost_complaints", "interval", j) for j in intervals)
    np.testing.assert_allclose(handling, kpi(bank, "cost_complaints"), rtol=1e-12)
    np.testing.assert_allclose(total["lost_customer_value"], kpi(bank, "lost_customer_value"), rtol=1e-12)
    for j in intervals:  # an interval's cost: its front-line on-duty wages and its complaints' handling
        np.testing.assert_allclose(kpi(bank, "cost_training", "interval", j), 0.0)
        parts = kpi(bank, "cost_wages", "interval", j) + kpi(bank, "cost_complaints", "interval", j)
        np.testing.assert_allclose(kpi(bank, "cost", "interval", j), parts, rtol=1e-12)
    # Front-line on-duty time within opening hours: at most the paid wages, never the lost value.
    assert (total["cost"] <= kpi(bank, "cost")).all()
    # By class only what a class causes is known: its complaints and the customers it lost.
    lost = sum(kpi(bank, "lost_customer_value", "class", c) for c in ("retail", "premium"))
    np.testing.assert_allclose(lost, kpi(bank, "lost_customer_value"), rtol=1e-12)
    assert np.isnan(kpi(bank, "cost", "class", "retail")).all()


def test_json_has_the_agreed_cost_names_only():
    done = CliRunner().invoke(app, ["run", str(SCENARIOS / "bank_branch.yaml"), "-r", "2", "--format", "json"])
    assert done.exit_code == 0, done.output
    kpis = json.loads(done.stdout)["kpis"]
    names = {"cost", "cost_wages", "cost_training", "cost_complaints", "lost_customer_value", "cost_and_lost_value"}
    assert names <= set(kpis) and "cost_lost_customers" not in kpis
    assert not any(k.startswith("cost") and k not in names for k in kpis)
    parts = sum(kpis[k]["mean"] for k in ("cost_wages", "cost_training", "cost_complaints"))
    assert kpis["cost"]["mean"] == pytest.approx(parts)
    both = kpis["cost"]["mean"] + kpis["lost_customer_value"]["mean"]
    assert kpis["cost_and_lost_value"]["mean"] == pytest.approx(both)


def test_run_table_shows_lost_value_apart_from_the_operating_cost():
    done = CliRunner().invoke(app, ["run", str(SCENARIOS / "bank_branch.yaml"), "-r", "2"])
    assert done.exit_code == 0, done.output
    lines = done.stdout.splitlines()
    row = {name: next(i for i, line in enumerate(lines) if f" {name} " in line)
           for name in ("cost", "cost_complaints", "lost_customer_value", "cost_and_lost_value")}  # fmt: skip
    assert "operating cost" in lines[row["cost"]] and "value of customers lost" in lines[row["lost_customer_value"]]
    assert row["cost"] < row["cost_complaints"] < row["lost_customer_value"] < row["cost_and_lost_value"]
    assert "total cost" not in done.stdout


def test_a_scenario_without_money_gets_no_cost_chart(tmp_path):
    """teaching.yaml declares no wages, training costs, complaint costs or lost-customer value."""
    teaching = simsvc.load_scenario(SCENARIOS / "teaching.yaml")
    assert all(level.wage_per_hour == 0 for level in teaching.training_levels)
    done = CliRunner().invoke(app, ["run", str(SCENARIOS / "teaching.yaml"), "-r", "2", "--plots", str(tmp_path)])
    assert done.exit_code == 0, done.output
    written = {p.stem for p in tmp_path.glob("*.png")}
    assert "waits" in written and "day" in written and "costs" not in written
    summary = simsvc.simulate(teaching, 2).summary()
    assert (summary.loc[["cost", "lost_customer_value"], "mean"] == 0).all()


def test_a_scenario_with_money_gets_its_cost_chart(tmp_path):
    done = CliRunner().invoke(app, ["run", str(SCENARIOS / "bank_branch.yaml"), "-r", "2", "--plots", str(tmp_path)])
    assert done.exit_code == 0, done.output
    assert (tmp_path / "costs.png").stat().st_size > 10_000


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_report_shows_lost_value_in_its_own_section(bank, tmp_path, lang):
    from simsvc.i18n import tr
    from simsvc.output import write_result
    from simsvc.report import build_report

    write_result(bank, tmp_path)
    html = build_report(tmp_path, lang)
    sections = dict(re.findall(r"<h2>(.*?)</h2>\s*<table class=\"kpis\">(.*?)</table>", html, re.S))
    operating, lost = sections[tr("ui.operating_cost", lang)], sections[tr("ui.lost_value", lang)]
    assert tr("kpi.cost", lang) in operating and tr("kpi.cost_wages", lang) in operating
    assert tr("kpi.lost_customer_value", lang) not in operating
    assert tr("kpi.lost_customer_value", lang) in lost and tr("kpi.cost_and_lost_value", lang) in lost
    assert html.count("<img") == 6  # the bank branch has money: its cost chart is there


def test_app_draws_the_cost_chart_only_with_money():
    from simsvc.app import charts, core

    for name, has_chart in (("bank_branch", True), ("teaching", False)):
        scenario = simsvc.load_scenario(SCENARIOS / f"{name}.yaml")
        run = core.run_setting(scenario, core.Setting(core.default_setting(scenario).values, replications=2))
        tables = {"A": charts.run_tables(run.result)}
        assert ("costs" in charts.run_charts(tables, scenario.targets)) is has_chart, name
