"""The README's path from the shipped contact log to a simulated roster (issue 15, item 7), through the CLI.

``fit`` -> ``forecast --fit`` (scenario.yaml) -> ``optimize`` -> ``roster`` (scenario.yaml of the
roster) -> ``run``, each step reading only what the one before wrote, on
``scenarios/contact_log.csv.gz``; one forecast week and the scenario's 20 replications keep it short.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from simsvc import load_scenario
from simsvc.scenario.base import clock_to_minutes
from tests.helpers import SCENARIOS, invoke_cli, strict_json

LOG = str(SCENARIOS / "contact_log.csv.gz")


def _ok(*args: str):
    done = invoke_cli(*args)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr
    assert "Traceback" not in done.stderr
    return done


def _label(shift) -> str:
    """A scenario shift as the roster names it: ``"09:00-17:00"`` or ``"09:00-17:00 break 12:00-12:30"``."""
    text = f"{shift.start}-{shift.end}"
    return text + "".join(f" break {b.start}-{b.end}" for b in shift.breaks)


def _staffed(scenario, team: str) -> Counter:
    """People per (day, team, shift label) in a scenario's shifts."""
    found = next(t for t in (*scenario.teams, *scenario.complaints.teams) if t.name == team)
    counts: Counter = Counter()
    for shift in found.shifts:
        for day in shift.days if shift.days is not None else range(scenario.horizon.days):
            counts[day, team, _label(shift)] += shift.staff
    return counts


def _rostered(roster: pd.DataFrame, teams: list[str]) -> Counter:
    """People per (day, team, shift label) in roster.csv's person × day table (cells "[team ]label" or "off")."""
    days = [c for c in roster.columns if c.split(" ")[0].isdigit()]
    counts: Counter = Counter()
    for t, column in enumerate(days):
        for cell in roster[column]:
            if cell == "off":
                continue
            team, label = (teams[0], cell) if len(teams) == 1 else cell.split(" ", 1)
            counts[t, team, label] += 1
    return counts


@pytest.fixture(scope="module")
def path(tmp_path_factory) -> Path:
    """The README's commands, one forecast week: the folders they write."""
    root = tmp_path_factory.mktemp("path")
    _ok("fit", LOG, "--out", str(root / "fit"))
    _ok("forecast", LOG, "--weeks", "1", "--backtest-weeks", "1", "--fit", str(root / "fit" / "fit.yaml"),
        "--out", str(root / "forecast"))  # fmt: skip
    _ok("optimize", str(root / "forecast" / "scenario.yaml"), "--out", str(root / "plan"), "--workers", "1")
    _ok("roster", str(root / "plan"), "--weeks", "1", "--out", str(root / "roster"))
    return root


def test_the_forecasts_scenario_carries_the_fit_and_the_forecast(path):
    """scenario.yaml beside forecast.csv: fit.yaml's blocks, the forecast's horizon and rates, and it validates."""
    fit = yaml.safe_load((path / "fit" / "fit.yaml").read_text(encoding="utf-8"))
    assert fit["service_time"]["dist"] == "lognormal" and fit["patience"]["dist"] == "exponential"
    scenario = load_scenario(path / "forecast" / "scenario.yaml")
    caller = scenario.customer_classes[0]
    assert caller.service_time.model_dump(by_alias=True, exclude_none=True) == fit["service_time"]
    assert caller.patience.model_dump(by_alias=True, exclude_none=True) == fit["patience"]
    forecast = pd.read_csv(path / "forecast" / "forecast.csv")
    assert scenario.horizon.days == forecast["day"].nunique() == 7
    assert scenario.horizon.open == forecast["interval"].iloc[0]
    np.testing.assert_array_equal(caller.arrivals.rates_per_hour, forecast["per_hour"].to_numpy())
    assert scenario.optimizer is not None and scenario.targets.service_level.fraction == 0.8
    assert invoke_cli("validate", str(path / "forecast" / "scenario.yaml")).returncode == 0


def test_the_rosters_scenario_is_staffed_by_the_people_rostered(path):
    """Shift by shift and day, the roster's scenario has exactly the people roster.csv puts there."""
    scenario = load_scenario(path / "roster" / "scenario.yaml")
    roster = pd.read_csv(path / "roster" / "roster.csv")
    plan = pd.read_csv(path / "plan" / "plan.csv", dtype={"days": str})
    teams = sorted(set(plan["team"]))
    assert teams == ["agents"] and scenario.optimizer is None and scenario.horizon.days == 7
    assert _staffed(scenario, "agents") == _rostered(roster, teams)
    assert sum(_staffed(scenario, "agents").values()) == int((plan["staff"] * plan["days"].str.split().str.len()).sum())
    planned = load_scenario(path / "plan" / "scenario.yaml")
    assert scenario.customer_classes == planned.customer_classes  # the same demand, the same customers
    # The anonymous pool is paid the plan's wage: rostering exactly the plan's shifts costs the plan's wages.
    done = _ok("roster", str(path / "plan"), "--weeks", "1")
    wages = float(re.search(r"\(wages ([\d,.]+),", done.stdout).group(1).replace(",", ""))
    assert "0.0 person-hours under, 0.0 over" in done.stdout
    assert wages == pytest.approx(plan["cost"].sum())  # not the built-in full-time wage of 20 an hour


def test_the_simulated_roster_meets_the_targets_and_matches_the_plans_check(path):
    """`simsvc run` of the roster: the targets hold with confidence, and (same staff, same seed) the plan's numbers."""
    plan = json.loads((path / "plan" / "optimization.json").read_text(encoding="utf-8"))
    assert plan["status"] == "confirmed", plan["status"]
    reps = plan["replications"]
    done = _ok("run", str(path / "roster" / "scenario.yaml"), "-r", str(reps), "-f", "json", "-w", "1")
    kpis = strict_json(done.stdout)["kpis"]
    targets = load_scenario(path / "roster" / "scenario.yaml").targets
    assert kpis["service_level"]["ci_low"] >= targets.service_level.fraction, kpis["service_level"]
    assert kpis["abandonment_rate"]["ci_high"] <= targets.max_abandonment, kpis["abandonment_rate"]
    for name in ("service_level", "abandonment_rate"):
        assert kpis[name]["mean"] == pytest.approx(plan["simulated"][name]["mean"], rel=1e-12), name
    table = _ok("run", str(path / "roster" / "scenario.yaml"), "-r", str(reps), "-w", "1").stdout
    assert "service_level" in table and "met" in table and "missed" not in table


def test_a_one_day_plan_rostered_for_a_week_repeats_its_demand_and_rosters_every_team(tmp_path):
    """call_centre.yaml's one-day plan (agents and the complaint desk) over a week: 7 days, every team as rostered."""
    _ok("optimize", "scenarios/call_centre.yaml", "--no-simulate", "--out", str(tmp_path / "plan"))
    _ok("roster", str(tmp_path / "plan"), "--weeks", "1", "--out", str(tmp_path / "roster"))
    planned = load_scenario(tmp_path / "plan" / "scenario.yaml")
    scenario = load_scenario(tmp_path / "roster" / "scenario.yaml")
    roster = pd.read_csv(tmp_path / "roster" / "roster.csv")
    teams = sorted(set(pd.read_csv(tmp_path / "plan" / "plan.csv")["team"]))
    assert teams == ["agents", "customer_relations"] and scenario.horizon.days == 7
    assert _staffed(scenario, "agents") + _staffed(scenario, "customer_relations") == _rostered(roster, teams)
    rates = planned.customer_classes[0].arrivals.rates_per_hour
    assert scenario.customer_classes[0].arrivals.rates_per_hour == rates  # one day's rates: every day
    cover = pd.read_csv(tmp_path / "roster" / "cover.csv")
    for (day, team), rows in cover.groupby(["day", "team"]):  # people on duty per interval, as cover.csv counts
        found = next(t for t in (*scenario.teams, *scenario.complaints.teams) if t.name == team)
        mid = [clock_to_minutes(c) + planned.horizon.interval_minutes / 2 for c in rows["interval"]]
        duty = [sum(s.staff for s in found.shifts if s.works_on(day - 1) and s.on_duty(m)) for m in mid]
        assert duty == rows["roster"].tolist(), (day, team)


def test_a_bad_fit_file_is_refused_naming_the_file_and_the_field(tmp_path):
    """`forecast --fit`: exit 2 before any work, with the file and the field; --fit without --out is a usage error."""
    fit = tmp_path / "fit.yaml"
    fit.write_text("patience: {dist: exponential, mean: -4}\nshape: 3\n", encoding="utf-8")
    done = invoke_cli("forecast", LOG, "--fit", str(fit), "--out", str(tmp_path / "f"))
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert f"{fit}: invalid fit file" in done.stderr and "service_time: missing" in done.stderr
    assert "patience.mean" in done.stderr and "shape: unknown block" in done.stderr
    assert not (tmp_path / "f").exists()
    done = invoke_cli("forecast", LOG, "--fit", str(fit))
    assert done.returncode == 2 and "--fit" in done.stderr and "needs --out" in done.stderr


def test_a_week_plan_rostered_for_a_fortnight_repeats_its_days(path, tmp_path):
    """Roster day t is plan day t mod 7: the forecast's rates per day repeat, and the staffing is roster.csv's."""
    _ok("roster", str(path / "plan"), "--weeks", "2", "--out", str(tmp_path / "roster"))
    planned = load_scenario(path / "plan" / "scenario.yaml")
    scenario = load_scenario(tmp_path / "roster" / "scenario.yaml")
    assert scenario.horizon.days == 14
    rates = planned.customer_classes[0].arrivals.rates_per_hour
    assert len(rates) == 7 * 24 and scenario.customer_classes[0].arrivals.rates_per_hour == rates + rates
    roster = pd.read_csv(tmp_path / "roster" / "roster.csv")
    assert _staffed(scenario, "agents") == _rostered(roster, ["agents"])


TRACE_DESK = """
name: trace desk
horizon: {days: 1, open: "09:00", close: "13:00", interval_minutes: 60}
customer_classes:
  - name: walk_in
    arrivals: {trace: [1.5, 10, 30.25, 61, 125, 200]}
    service_time: {dist: exponential, mean: 5}
teams:
  - {name: desk, serves: [walk_in], staff: [1]}
complaints:
  teams: [{name: back, shifts: [{start: "09:00", end: "11:00", staff: 1, days: [0]}]}]
training_levels: [{level: 0, wage_per_hour: 20}]
optimizer:
  shifts: [{teams: [desk], start: {earliest: "09:00", latest: "09:00", every: 60}, lengths: [240]}]
"""


def test_a_replayed_trace_and_a_fixed_shift_repeat_over_the_rosters_days(tmp_path):
    """A one-day plan with a trace and a complaint desk it does not staff, rostered for a week: both every day."""
    (tmp_path / "desk.yaml").write_text(TRACE_DESK, encoding="utf-8")
    _ok("optimize", str(tmp_path / "desk.yaml"), "--no-simulate", "--out", str(tmp_path / "plan"))
    _ok("roster", str(tmp_path / "plan"), "--weeks", "1", "--out", str(tmp_path / "roster"))
    scenario = load_scenario(tmp_path / "roster" / "scenario.yaml")
    arrivals = scenario.customer_classes[0].arrivals
    np.testing.assert_array_equal(np.asarray(arrivals.trace_days), np.repeat(np.arange(7), 6))
    np.testing.assert_array_equal(np.asarray(arrivals.trace_times), np.tile([1.5, 10, 30.25, 61, 125, 200], 7))
    (back,) = scenario.complaints.teams
    assert [s.days for s in back.shifts] == [tuple(range(7))]
    assert [(s.start, s.end, s.staff, s.days) for s in scenario.teams[0].shifts] == [("09:00", "13:00", 1, None)]


def test_the_roster_is_not_written_over_its_plan(path):
    """--out the plan's own folder would replace the plan's scenario.yaml by the roster's: refused, exit 2."""
    before = (path / "plan" / "scenario.yaml").read_bytes()
    done = invoke_cli("roster", str(path / "plan" / "plan.csv"), "--out", str(path / "plan"))
    assert done.returncode == 2 and "the plan's folder" in done.stderr and "Traceback" not in done.stderr
    assert (path / "plan" / "scenario.yaml").read_bytes() == before and not (path / "plan" / "roster.csv").exists()
