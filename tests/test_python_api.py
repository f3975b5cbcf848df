"""The Python API as a researcher uses it: change, copy, build, round-trip, simulate a path, display.

Every way of making a scenario is validated as loading a file is (fields, files, cross-field
checks) and fails with the field's path; ``load_scenario(scenario.to_dict()) == scenario``.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

import simsvc
from simsvc import ScenarioError, load_scenario, simulate
from simsvc.distributions import Exponential
from simsvc.scenario import Arrivals, CustomerClass, Scenario, Team
from simsvc.scenario.load import read_yaml

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
BANK = SCENARIOS / "bank_branch.yaml"
CALL_CENTRE = SCENARIOS / "call_centre.yaml"


def _paths(exc: ScenarioError) -> list[str]:
    return [p for p, _ in exc.problems]


# Scenario.replace ----------------------------------------------------------------------------


def test_replace_sets_fields_by_path_and_leaves_the_original_alone():
    base = load_scenario(BANK)
    changed = base.replace(
        {
            "teams[0].shifts": None,
            "teams[0].staff": 2,
            "customer_classes[0].service_time.mean": 7.5,
            "quality.promise_level": 0.5,
        }
    )
    assert changed.teams[0].staff == (2,) and changed.teams[0].shifts is None
    assert changed.customer_classes[0].service_time.mean == 7.5
    assert changed.quality.promise_level == 0.5
    assert base.teams[0].shifts is not None and base.customer_classes[0].service_time.mean != 7.5
    # Everything not named is as before.
    assert changed.teams[1] == base.teams[1] and changed.horizon == base.horizon
    assert simulate(changed, 1).summary().loc["arrivals", "mean"] > 0


def test_replace_reports_bad_values_and_cross_field_problems_with_their_paths():
    base = load_scenario(BANK)
    with pytest.raises(ScenarioError) as bad:
        base.replace({"teams[0].shifts": None, "teams[0].staff": -1})
    assert _paths(bad.value) == ["teams[0].staff[0]"]
    n = base.horizon.n_intervals
    with pytest.raises(ScenarioError) as length:
        base.replace({"teams[0].shifts": None, "teams[0].staff": [2, 3]})
    assert _paths(length.value) == ["teams[0].staff"] and f"expected 1 or {n}" in str(length.value)
    with pytest.raises(ScenarioError) as both:
        base.replace({"teams[0].staff": 2})  # the team has shifts too
    assert _paths(both.value) == ["teams[0]"] and "exactly one of shifts or staff" in str(both.value)
    with pytest.raises(ScenarioError) as unserved:
        base.replace({"teams[0].serves": ["premium"], "teams[1].serves": ["premium"]})
    assert "customer_classes[0]" in _paths(unserved.value)


def test_replace_refuses_paths_that_lead_nowhere():
    base = load_scenario(BANK)
    with pytest.raises(ScenarioError) as missing:
        base.replace({"teams[5].staff": 2})
    assert _paths(missing.value) == ["teams[5].staff"] and "does not exist" in str(missing.value)
    with pytest.raises(ScenarioError) as typo:
        base.replace({"teams[0].stafff": 2})
    assert _paths(typo.value) == ["teams[0].stafff"] and "unknown field" in str(typo.value)
    with pytest.raises(ScenarioError) as underscore:
        base.replace({"teams[0].staff_": 2})
    assert _paths(underscore.value) == ["teams[0].staff_"]  # the key as typed
    with pytest.raises(ScenarioError) as malformed:
        base.replace({"teams[0]..staff": 2})
    assert "not a field path" in str(malformed.value)


def _copy_call_centre(folder: Path) -> Path:
    folder.mkdir()
    shutil.copy(CALL_CENTRE, folder / CALL_CENTRE.name)
    shutil.copy(SCENARIOS / "call_centre_forecast.csv", folder / "call_centre_forecast.csv")
    return folder / CALL_CENTRE.name


def test_relative_files_keep_resolving_against_the_scenario_folder(tmp_path, monkeypatch):
    path = _copy_call_centre(tmp_path / "model")
    base = load_scenario(path)
    n = base.horizon.n_intervals
    (tmp_path / "model" / "flat.csv").write_text("per_hour\n" + "30\n" * n, encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # neither file is here
    same = base.replace({"simulation.replications": 3})
    assert same.customer_classes[0].arrivals.rates_per_hour == base.customer_classes[0].arrivals.rates_per_hour
    flat = base.replace({"customer_classes[0].arrivals.csv": "flat.csv"})
    assert flat.customer_classes[0].arrivals.rates_per_hour == (30.0,) * n
    assert flat.folder == base.folder == (tmp_path / "model").resolve()
    with pytest.raises(ScenarioError) as gone:
        base.replace({"customer_classes[0].arrivals.csv": "nowhere.csv"})
    assert _paths(gone.value) == ["customer_classes[0].arrivals.csv"] and "file not found" in str(gone.value)


# to_dict and load_scenario round trips --------------------------------------------------------


def _trace_scenario(tmp_path: Path) -> Path:
    (tmp_path / "arrivals.csv").write_text(
        "day,time,service_time\n0,09:01:30,4.5\n0,9.25,3\n1,10:00,6\n", encoding="utf-8"
    )
    (tmp_path / "trace.yaml").write_text(
        "name: replayed\nhorizon: {days: 2, open: '09:00', close: '12:00'}\n"
        "customer_classes:\n  - name: walk_in\n    arrivals: {trace_csv: arrivals.csv}\n"
        "    service_time: {dist: exponential, mean: 5}\n"
        "teams:\n  - {name: desk, serves: [walk_in], staff: 1}\n",
        encoding="utf-8",
    )
    return tmp_path / "trace.yaml"


@pytest.mark.parametrize("name", [*sorted(p.name for p in SCENARIOS.glob("*.yaml")), "trace_csv"])
def test_to_dict_loads_back_equal_from_any_folder(name, tmp_path, monkeypatch):
    path = _trace_scenario(tmp_path) if name == "trace_csv" else SCENARIOS / name
    scenario = load_scenario(path)
    data = scenario.to_dict()
    text = json.dumps(data)  # JSON-able
    assert "rates_per_hour" not in text and "trace_times" not in text  # resolved fields are not input
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    allowed = [scenario.folder]  # a mapping reads files under the current folder, or a folder allowed
    assert load_scenario(json.loads(text), allowed_dirs=allowed) == scenario
    assert load_scenario(scenario.model_dump(), allowed_dirs=allowed) == scenario  # Python names load too
    if "csv" in text:  # the files lie outside the current folder: refused without allowed_dirs
        with pytest.raises(ScenarioError, match="outside the scenario's folder"):
            load_scenario(json.loads(text))


def test_trace_csv_is_read_with_clock_times_and_service_times(tmp_path):
    arrivals = load_scenario(_trace_scenario(tmp_path)).customer_classes[0].arrivals
    assert arrivals.trace_times == (1.5, 9.25, 60.0)  # minutes after the 09:00 opening
    assert arrivals.trace_days == (0, 0, 1) and arrivals.trace_service == (4.5, 3.0, 6.0)
    assert Path(arrivals.trace_csv).is_absolute()


def test_to_dict_holds_what_the_scenario_declares():
    data = load_scenario(BANK).to_dict()
    raw = read_yaml(BANK)
    assert set(data) == set(raw)  # defaults not declared in the file are not spelled out
    assert data["customer_classes"][0]["service_time"]["mean"] == raw["customer_classes"][0]["service_time"]["mean"]


# model_copy ----------------------------------------------------------------------------------


def test_model_copy_validates_like_construction():
    base = load_scenario(BANK)
    team = base.teams[0].model_copy(update={"shifts": None, "staff": 2})
    assert team.staff == (2,)  # one number for every interval, as in a file
    result = simulate(base.model_copy(update={"teams": (team, *base.teams[1:])}), 1)  # no len() error
    assert result.summary().loc["arrivals", "mean"] > 0
    with pytest.raises(ScenarioError) as bad:
        base.teams[0].model_copy(update={"shifts": None, "staff": "many"})
    assert _paths(bad.value) == ["staff"]
    wrong_length = base.teams[0].model_copy(update={"shifts": None, "staff": (2, 3)})
    with pytest.raises(ScenarioError) as cross:
        base.model_copy(update={"teams": (wrong_length, *base.teams[1:])})
    assert _paths(cross.value) == ["teams[0].staff"]
    with pytest.raises(ScenarioError) as unknown:
        base.model_copy(update={"team": ()})
    assert _paths(unknown.value) == ["team"] and "unknown field" in str(unknown.value)


def test_an_unvalidated_distribution_copy_cannot_slip_into_a_scenario():
    base = load_scenario(BANK)
    cls = base.customer_classes[0]
    negative = cls.service_time.model_copy(update={"mean_": -1.0})  # pydantic's copy: not checked
    with pytest.raises(ScenarioError) as exc:
        cls.model_copy(update={"service_time": negative})
    assert _paths(exc.value) == ["service_time.mean"]


def test_model_copy_keeps_file_demand_and_rereads_traces_for_a_new_opening(tmp_path):
    call = load_scenario(CALL_CENTRE)
    arrivals = call.customer_classes[0].arrivals
    scaled = arrivals.model_copy(update={"scale": 2.0})
    assert scaled.rates_per_hour == arrivals.rates_per_hour and scaled.scale == 2.0
    other_column = arrivals.model_copy(update={"column": "forecast"})  # read again when used
    cls = call.customer_classes[0].model_copy(update={"arrivals": other_column})
    with pytest.raises(ScenarioError) as column:
        call.model_copy(update={"customer_classes": (cls,)})
    assert _paths(column.value) == ["customer_classes[0].arrivals.csv"] and "no column 'forecast'" in str(column.value)
    traced = load_scenario(_trace_scenario(tmp_path))
    later = traced.model_copy(update={"horizon": traced.horizon.model_copy(update={"open": "08:00"})})
    assert later.customer_classes[0].arrivals.trace_times == (61.5, 9.25, 120.0)  # "HH:MM" counts from 08:00


# Scenario(...) from the exported models --------------------------------------------------------


def _direct(**arrivals) -> Scenario:
    return Scenario(
        name="direct",
        customer_classes=(
            CustomerClass(
                name="a", arrivals=Arrivals(**arrivals), service_time=Exponential(dist="exponential", mean=5)
            ),
        ),
        teams=(Team(name="t", serves=("a",), staff=(7,)),),
    )


def test_a_scenario_built_from_models_simulates_as_its_file_would():
    direct = _direct(per_hour=(60,))
    loaded = load_scenario(
        {
            "name": "direct",
            "customer_classes": [
                {"name": "a", "arrivals": {"per_hour": 60}, "service_time": {"dist": "exponential", "mean": 5}}
            ],
            "teams": [{"name": "t", "serves": ["a"], "staff": 7}],
        }
    )
    assert direct == loaded and direct.customer_classes[0].arrivals.rates_per_hour == (60.0,)
    a, b = simulate(direct, 2, seed=3), simulate(loaded, 2, seed=3)
    assert a.summary().equals(b.summary())
    assert _direct(trace=(1.0, 2.5)).customer_classes[0].arrivals.trace_times == (1.0, 2.5)


def test_a_scenario_built_from_models_reads_absolute_files_and_refuses_relative_ones():
    n = load_scenario(CALL_CENTRE).horizon.n_intervals
    assert n != 16  # the forecast does not fit the default horizon (09:00-17:00, 30 min)
    with pytest.raises(ValueError, match=r"customer_classes\[0\]\.arrivals\.csv: .*relative.*folder"):
        _direct(csv="call_centre_forecast.csv")
    with pytest.raises(ValueError, match=r"customer_classes\[0\]\.arrivals\.csv: has .* rows"):
        _direct(csv=str(SCENARIOS / "call_centre_forecast.csv"))  # read, then checked against the horizon
    with pytest.raises(ValueError, match="served by no team"):
        Scenario(
            name="x",
            customer_classes=_direct(per_hour=(6,)).customer_classes,
            teams=(Team(name="t", serves=("b",), staff=(1,)),),
        )


# simulate(path), optimize(path) ---------------------------------------------------------------


def test_simulate_and_optimize_take_a_path():
    expected = simulate(load_scenario(BANK), 1).summary()
    assert simulate(str(BANK), 1).summary().equals(expected)
    assert simulate(BANK, 1).summary().equals(expected)
    plan = simsvc.optimize(str(CALL_CENTRE), simulate_plan=False)
    assert plan.scenario.name == load_scenario(CALL_CENTRE).name
    with pytest.raises(TypeError, match=r"Scenario or the path .* not dict; for a mapping, use simsvc.load_scenario"):
        simulate({"name": "x"})
    with pytest.raises(TypeError, match=r"optimize.* not int"):
        simsvc.optimize(42)
    with pytest.raises(ScenarioError, match="file not found"):
        simulate("no_such_scenario.yaml")


# Display -------------------------------------------------------------------------------------


class _Checker(HTMLParser):
    """Collects text and checks that every tag opened is closed in order."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack.pop() == tag, f"</{tag}> closes nothing"

    def handle_data(self, data):
        self.text.append(data)


def _html_text(markup: str) -> str:
    checker = _Checker()
    checker.feed(markup)
    checker.close()
    assert not checker.stack, f"unclosed tags {checker.stack}"
    return " ".join(checker.text)


def test_scenario_display():
    scenario = load_scenario(BANK)
    text = repr(scenario)
    assert "\n" not in text and len(text) < 200
    assert text == f"<Scenario {scenario.name!r}: 1 day, 09:00-17:00, 2 classes, 2 teams>"
    shown = _html_text(scenario._repr_html_())
    for part in (scenario.name, "09:00-17:00", "retail", "premium", "tellers", "premium_desk"):
        assert part in shown


def test_result_display():
    result = simulate(BANK, 2, seed=5)
    text = repr(result)
    assert "\n" not in text and len(text) < 200
    assert "2 replications" in text and "seed 5" in text
    shown = _html_text(result._repr_html_())
    summary = result.summary()
    level = summary.loc["service_level"]
    assert f"{100 * level['mean']:.1f} %" in shown
    assert f"{100 * level['ci_low']:.1f} % – {100 * level['ci_high']:.1f} %" in shown
    assert f"{summary.loc['arrivals', 'mean']:,.1f}" in shown and "95 % CI" in shown


def test_plan_display_shows_the_operating_cost_and_status():
    plan = simsvc.optimize(CALL_CENTRE, simulate_plan=False)
    text = repr(plan)
    assert "\n" not in text and len(text) < 200 and f"{len(plan.shifts)} shifts" in text
    assert plan.status == "unverified" and "unverified" in text
    other = dataclasses.replace(plan, cost={"cost": 1234.4, "per_day": 1234.4})
    assert "operating cost 1,234" in repr(other)
    shown = _html_text(other._repr_html_())
    assert "1,234" in shown and f"agents: {plan.levels['agents']}" in shown
    assert "service_level" in _html_text(plan._repr_html_())


def test_trace_columns_are_read_only_values_that_travel(tmp_path):
    import pickle

    import numpy as np

    scenario = load_scenario(_trace_scenario(tmp_path))
    times = scenario.customer_classes[0].arrivals.trace_times
    with pytest.raises(ValueError, match="read-only"):
        np.asarray(times)[0] = 99.0  # a scenario is immutable, its trace too
    again = pickle.loads(pickle.dumps(scenario))  # as a worker process receives it
    assert again == scenario and hash(again.customer_classes[0].arrivals) == hash(scenario.customer_classes[0].arrivals)
    assert times != (1.5, 9.25) and times != (1.5, 9.25, 61.0) and list(times) == [1.5, 9.25, 60.0]
    assert load_scenario(scenario.to_dict(), allowed_dirs=[tmp_path]) == scenario  # read again, from its absolute path
    inline = _direct(trace=(4.0, 1.0))
    assert inline.to_dict()["customer_classes"][0]["arrivals"]["trace"] == [4.0, 1.0]  # as declared
    assert load_scenario(inline.to_dict()) == inline


def test_a_result_shows_tables_never_the_engines_rows():
    """SimResult's public attributes are DataFrames, scalars and the scenario: no engine arrays."""
    import numpy as np
    import pandas as pd

    result = simulate(BANK, 2, seed=5, keep_records=True)
    public = [name for name in dir(result) if not name.startswith("_")]
    for name in public:
        value = getattr(result, name)
        if callable(value):
            continue
        assert not isinstance(value, (np.ndarray, list, tuple)) or name == "warnings", name
    assert "records" not in public and "step_records" not in public and result.has_records
    for table in (result.customers, result.steps, result.kpis):
        assert isinstance(table, pd.DataFrame)
    assert not simulate(BANK, 1, seed=5, keep_records=False).has_records
