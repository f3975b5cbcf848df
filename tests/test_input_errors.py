"""Bad input is refused with exit code 2 and one clear message naming file and field.

The commands run in this process (``invoke_cli``: the same exit code and output, a second
of CPU less each); ``test_refused_input_end_to_end`` runs one in a process of its own, as
a user would, for the exit code and the absence of a traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import simsvc
from tests.helpers import SCENARIOS, invoke_cli, run_cli

TEACHING = yaml.safe_load((SCENARIOS / "teaching.yaml").read_text(encoding="utf-8"))


def _write(tmp_path: Path, data: dict | str, name: str = "bad.yaml") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _teaching(**changes) -> dict:
    data = yaml.safe_load(yaml.safe_dump(TEACHING))
    for dotted, value in changes.items():
        node = data
        keys = dotted.split("__")
        for key in keys[:-1]:
            node = node[int(key)] if key.isdigit() else node[key]
        last = keys[-1]
        node[int(last) if last.isdigit() else last] = value
    return data


def _assert_refused(tmp_path: Path, data: dict | str, *expected: str, files: dict[str, str] | None = None) -> str:
    for name, text in (files or {}).items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    path = _write(tmp_path, data)
    for command in ("validate", "run"):
        proc = invoke_cli(command, str(path))
        assert proc.returncode == 2, proc.stderr
        assert "Traceback" not in proc.stderr + proc.stdout
        assert str(path) in proc.stderr
        for text in expected:
            assert text in proc.stderr, proc.stderr
    return proc.stderr


def test_yaml_syntax_error_names_the_line(tmp_path):
    text = "name: x\nhorizon: {days: 1\ncustomer_classes: []\n"
    _assert_refused(tmp_path, text, "line 3", "YAML syntax error")


def test_negative_rate(tmp_path):
    err = _assert_refused(
        tmp_path, _teaching(customer_classes__0__arrivals={"per_hour": -5}),
        "customer_classes[0].arrivals.per_hour[0]", "must be between 0 and 1e+06 (got -5)",
    )  # fmt: skip
    assert err.count("\n  ") == 1  # one problem, one line


def test_unknown_distribution(tmp_path):
    _assert_refused(
        tmp_path, _teaching(customer_classes__0__service_time={"dist": "weibull", "mean": 3}),
        "customer_classes[0].service_time", "'weibull'",
    )  # fmt: skip


def test_distribution_parameter_missing(tmp_path):
    _assert_refused(
        tmp_path, _teaching(customer_classes__0__service_time={"dist": "lognormal", "mean": 3}),
        "customer_classes[0].service_time.cv", "Field required",
    )  # fmt: skip


def test_shift_ending_before_it_starts(tmp_path):
    data = _teaching()
    data["teams"][0] = {
        "name": "clerks",
        "serves": ["customer"],
        "shifts": [{"start": "11:00", "end": "10:00", "staff": 2}],
    }
    _assert_refused(tmp_path, data, "teams[0].shifts[0]", "end (10:00) must be after start (11:00)")


def test_team_serving_unknown_class(tmp_path):
    data = _teaching()
    data["teams"][0]["serves"] = ["customer", "vip"]
    _assert_refused(tmp_path, data, "teams[0].serves[1]", "unknown class 'vip'")


def test_missing_csv_file(tmp_path):
    data = _teaching(customer_classes__0__arrivals={"csv": "nowhere.csv"})
    _assert_refused(tmp_path, data, "customer_classes[0].arrivals.csv", "file not found", "nowhere.csv")


def test_non_numeric_cell_in_forecast(tmp_path):
    data = _teaching(customer_classes__0__arrivals={"csv": "f.csv"})
    rows = "interval,per_hour\n09:00,30\n09:30,abc\n10:00,30\n10:30,30\n11:00,30\n11:30,30\n"
    _assert_refused(
        tmp_path, data, "customer_classes[0].arrivals.csv", "f.csv row 3", "'per_hour'", "'abc' is not a number",
        files={"f.csv": rows},
    )  # fmt: skip


def test_forecast_with_wrong_number_of_rows(tmp_path):
    data = _teaching(customer_classes__0__arrivals={"csv": "f.csv"})
    _assert_refused(tmp_path, data, "has 2 rows in f.csv; expected 1 or 6", files={"f.csv": "per_hour\n1\n2\n"})


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ("time,day\n1.5,0\n09:75,0\n", "t.csv row 3, column 'time': '09:75' is not a clock time"),
        ("time,day\n1.5,0\n2,0.7\n", "t.csv row 3, column 'day': 0.7 is not a whole day number"),
        ("time,day\n1.5,0\n09:15,0.5\n", "t.csv row 3, column 'day': '0.5' is not a whole day number"),
        ("time,day\n1.5,-1\n", "t.csv row 2, column 'day': -1.0 must be between 0 and 3659"),
        ("time,day\n1.5,0\n2,0,secret\n", "t.csv: row 3 has a different number of cells than the header"),
        ("time,service_time\n1.5,nan\n", "t.csv row 2, column 'service_time': nan is not a number"),
        ("time\n1.5\n08:59\n", "t.csv row 3, column 'time': '08:59' is before opening"),
    ],
    ids=["minute-75", "fractional-day", "fractional-day-text", "negative-day", "ragged", "nan", "before-opening"],
)
def test_bad_trace_cell_is_named_by_row_and_column(tmp_path, rows, expected):
    data = _teaching(customer_classes__0__arrivals={"trace_csv": "t.csv"})
    err = _assert_refused(tmp_path, data, "customer_classes[0].arrivals.trace_csv", expected, files={"t.csv": rows})
    assert "secret" not in err  # no more of the file than the one bad cell


@pytest.mark.parametrize(
    ("trace", "expected"),
    [
        ([1.5, "soon", 3], ("customer_classes[0].arrivals.trace[1]", "'soon' is not a number")),
        ([1.5, float("nan")], ("customer_classes[0].arrivals.trace[1]", "must be a finite number, not nan")),
        ([1.5, -2], ("customer_classes[0].arrivals.trace[1]", "must be between 0 and 1440 (got -2)")),
    ],
)
def test_bad_inline_trace_item_is_named(tmp_path, trace, expected):
    _assert_refused(tmp_path, _teaching(customer_classes__0__arrivals={"trace": trace}), *expected)


@pytest.mark.parametrize("source", ["trace", "trace_csv"])
def test_unsorted_trace_is_replayed_in_time_order_with_a_warning(tmp_path, source):
    (tmp_path / "t.csv").write_text("time,service_time\n5,1\n1,2\n3,4\n", encoding="utf-8")
    arrivals = {"trace": [5, 1, 3]} if source == "trace" else {"trace_csv": "t.csv"}
    path = _write(tmp_path, _teaching(customer_classes__0__arrivals=arrivals), "unsorted.yaml")
    where = "item 1" if source == "trace" else "row 3"
    done = invoke_cli("validate", str(path))
    assert done.returncode == 0 and f"arrivals.{source}: arrivals are not in time order (first at {where}" in " ".join(
        done.stderr.split()
    )
    res = simsvc.simulate(simsvc.load_scenario(path), replications=1, keep_records=True)
    c = res.customers
    assert (c["arrival"] - 540).tolist() == [1, 3, 5]  # in time order, after the 09:00 opening
    if source == "trace_csv":  # each row's service time stays with its arrival
        assert (c["end"] - c["start"]).tolist() == pytest.approx([2, 4, 1])
    assert any("not in time order" in w for w in res.warnings)


def test_unknown_field_is_named(tmp_path):
    data = _teaching()
    data["teams"][0]["stafff"] = 3
    _assert_refused(tmp_path, data, "teams[0].stafff", "unknown field")


def test_every_problem_is_reported_at_once(tmp_path):
    data = _teaching(customer_classes__0__arrivals={"per_hour": -1})
    data["horizon"]["close"] = "25:00"
    err = _assert_refused(tmp_path, data, "horizon.close", "customer_classes[0].arrivals.per_hour[0]")
    assert "(2 problems)" in err


def test_missing_scenario_file(tmp_path):
    proc = invoke_cli("run", str(tmp_path / "nope.yaml"))
    assert proc.returncode == 2 and "file not found" in proc.stderr and "Traceback" not in proc.stderr


def test_refused_input_end_to_end(tmp_path):
    """``python -m simsvc.cli`` in its own process: exit code 2, the file and field named, no traceback."""
    path = _write(tmp_path, _teaching(customer_classes__0__arrivals={"per_hour": -5}))
    for command in ("validate", "run"):
        proc = run_cli(command, str(path))
        assert proc.returncode == 2, proc.stderr
        assert "Traceback" not in proc.stderr + proc.stdout
        assert str(path) in proc.stderr and "customer_classes[0].arrivals.per_hour[0]" in proc.stderr


def test_python_api_raises_scenario_error_with_paths():
    with pytest.raises(simsvc.ScenarioError) as info:
        simsvc.load_scenario(_teaching(teams__0__serves=["nobody"]))
    assert isinstance(info.value, ValueError)
    assert ("teams[0].serves[0]", "unknown class 'nobody' (classes: customer)") in info.value.problems


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"horizon": {"open": "09:00", "close": "12:00", "interval_minutes": 25}}, "horizon"),
        ({"simulation": {"replications": 0}}, "simulation.replications"),
        ({"targets": {"service_level": {"within": 2, "fraction": 1.5}}}, "targets.service_level.fraction"),
    ],
)
def test_other_field_errors(change, path):
    data = _teaching()
    data.update(change)
    with pytest.raises(simsvc.ScenarioError) as info:
        simsvc.load_scenario(data)
    assert any(p == path for p, _ in info.value.problems), info.value.problems


def test_gross_overload_finishes_and_says_so(tmp_path):
    data = _teaching(customer_classes__0__arrivals={"per_hour": 20000}, teams__0__staff=1)
    data["simulation"] = {"replications": 2, "seed": 1, "max_customers": 30000}
    proc = invoke_cli("run", str(_write(tmp_path, data)), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert "overloaded" in proc.stderr and "max_customers=30000" in proc.stderr
    assert '"truncated": true' in proc.stdout


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {
                "customer_classes__0__expectations": {
                    "weights": {
                        "reliability": 0.5,
                        "responsiveness": 0.5,
                        "assurance": 0.2,
                        "empathy": 0.1,
                        "tangibles": 0.1,
                    }
                }
            },
            ("customer_classes[0].expectations.weights", "weights must sum to 1 (they sum to 1.4)"),
        ),
        ({"complaints": {"voice_probability": 1.3}}, ("complaints.voice_probability", "between 0 and 1 (got 1.3)")),
        (
            {
                "loyalty": {
                    "return_probability": {"delighted": 0.6, "satisfied": -0.1, "dissatisfied": 0.1, "unresolved": 0.0}
                }
            },
            ("loyalty.return_probability.satisfied", "must be between 0 and 1"),
        ),
        (
            {"training_levels": [{"level": 0, "failure_prob": 2}]},
            ("training_levels[0].failure_prob", "must be between 0 and 1"),
        ),
        (
            {
                "complaints": {
                    "teams": [{"name": "back_office", "shifts": [{"start": "09:00", "end": "17:00", "staff": 0}]}]
                }
            },
            ("complaints.teams[0]", "has no staff on any shift: it would handle no complaint"),
        ),
    ],
    ids=["weights", "voice", "return-probability", "failure-probability", "idle-complaint-team"],
)
def test_quality_model_input_errors(tmp_path, change, expected):
    data = _teaching(**{k: v for k, v in change.items() if "__" in k})
    data.update({k: v for k, v in change.items() if "__" not in k})
    _assert_refused(tmp_path, data, *expected)


def test_a_scenario_error_pickles_whole():
    """It crosses to and from worker processes (the app's side-by-side runs, sweeps) with its fields."""
    import pickle

    from simsvc.errors import ExperimentError, ScenarioError

    for cls in (ScenarioError, ExperimentError):
        exc = cls("bank.yaml", [("teams[0].staff", "must be >= 0"), ("", "no class")])
        back = pickle.loads(pickle.dumps(exc))
        assert type(back) is cls and str(back) == str(exc)
        assert back.source == "bank.yaml" and back.problems == exc.problems


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"teams__0__concurrency": 0}, ("teams[0].concurrency", "must be at least 1 (got 0)")),
        ({"teams__0__concurrency": "many"}, ("teams[0].concurrency", "or 'unlimited' (got 'many')")),
        ({"teams__0__concurrency_slowdown": -0.5}, ("teams[0].concurrency_slowdown", "must be between 0 and 10")),
    ],
    ids=["concurrency-zero", "concurrency-word", "negative-slowdown"],
)
def test_chat_concurrency_input_errors(tmp_path, change, expected):
    err = _assert_refused(tmp_path, _teaching(**change), *expected)
    assert err.count("\n  ") == 1  # one problem, one line


def test_self_service_with_concurrency_is_refused(tmp_path):
    data = _teaching()
    data["teams"].append({"name": "portal", "serves": ["customer"], "self_service": {"failure_prob": 0.2},
                          "concurrency": 3})  # fmt: skip
    _assert_refused(tmp_path, data, "teams[1].concurrency", "a self-service station serves everyone at once")


def _skills(serves, overflow=None, journey: bool = False, both_at_clerks: bool = False, deferred=None) -> dict:
    """The teaching counter with a second class, parcel, and a second team holding skills ``serves``.

    ``deferred``: the team (0 or 1) made a deferred-work team.
    """
    data = _teaching()
    if both_at_clerks:
        data["teams"][0]["serves"] = ["customer", "parcel"]
    parcel = {**data["customer_classes"][0], "name": "parcel"}
    if journey:
        parcel["journey"] = [{"station": "clerks"}]
    data["customer_classes"].append(parcel)
    team = {"name": "parcels", "staff": 1, "serves": serves}
    if overflow is not None:
        team["overflow"] = overflow
    data["teams"].append(team)
    if deferred is not None:
        data["teams"][deferred]["deferred"] = {"target_hours": 8}
    return data


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (_skills({"parcel": 1, "letter": 2}), ("teams[1].serves.letter", "unknown class 'letter'")),
        (_skills({"parcel": 1.5}), ("teams[1].serves.parcel", "a skill priority is a whole number", "(got 1.5)")),
        (_skills({"parcel": "high"}), ("teams[1].serves.parcel", "a whole number, smaller preferred (got 'high')")),
        (_skills({"parcel": True}), ("teams[1].serves.parcel", "a whole number, smaller preferred (got True)")),
        (_skills("parcel"), ("teams[1].serves", "must be a list of classes or a mapping {class: skill priority}")),
        (_skills({"parcel": 10**7}), ("teams[1].serves.parcel", "must be between -1000000 and 1000000 (got 10000000)")),
        (_skills({}, both_at_clerks=True), ("teams[1].serves", "must list at least one class")),
        (_skills({"parcel": 1}, {"letter": 2}), ("teams[1].overflow.letter", "unknown class 'letter'")),
        (_skills({"parcel": 1}, {"customer": -1}), ("teams[1].overflow.customer", "must be between 0 and")),
        (_skills({"parcel": 1}, {"parcel": 2}), ("teams[1].overflow.parcel", "a skill or as overflow, not both")),
        (_skills({"customer": 1}, {"parcel": 2}, journey=True), ("teams[1].overflow.parcel", "has a journey")),
        (_skills({"customer": 1, "parcel": 2}, journey=True), ("teams[1].serves.parcel", "has a journey, which names")),
        (_skills({"parcel": 1}, {"customer": 2}, deferred=0), ("teams[1].overflow.customer", "is deferred work")),
        (_skills({"parcel": 1}, {"customer": 2}, deferred=1), ("teams[1].overflow", "a deferred-work team takes no")),
    ],
    ids=(
        "unknown-skill fractional-priority word-priority bool-priority not-a-list huge-priority no-skill "
        "unknown-overflow negative-minutes "
        "skill-and-overflow overflow-of-a-journey skill-of-a-journey overflow-of-deferred overflow-onto-deferred"
    ).split(),
)
def test_skill_and_overflow_input_errors(tmp_path, data, expected):
    err = _assert_refused(tmp_path, data, *expected)
    assert err.count("\n  ") == 1  # one problem, one line


def test_a_contact_type_only_an_overflow_group_takes_is_served_by_no_team(tmp_path):
    """Overflow does not hold the skill: a class needs a group that takes it on arrival."""
    data = _skills({"customer": 1}, {"parcel": 2})
    data["teams"][0]["serves"] = {"customer": 1}
    _assert_refused(tmp_path, data, "customer_classes[1]", "class 'parcel' is served by no team",
                    "an overflow group takes it only after a wait")  # fmt: skip


_DEFERRED = {"target_hours": 8}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"teams__0__deferred": {"target_hours": 0}}, ("teams[0].deferred.target_hours", "must be above 0 hours")),
        ({"teams__0__deferred": {"target_hours": -2}}, ("teams[0].deferred.target_hours", "must be between 0")),
        ({"teams__0__deferred": {}}, ("teams[0].deferred.target_hours", "Field required")),
        ({"customer_classes__0__arrivals": {"per_hour": 35, "overnight_per_hour": 2}},
         ("customer_classes[0].arrivals.overnight_per_hour", "served by no deferred-work team")),
        ({"customer_classes__0__arrivals": {"per_hour": 35, "overnight_per_hour": -1}},
         ("customer_classes[0].arrivals.overnight_per_hour", "must be between 0")),
        ({"teams__0__deferred": _DEFERRED, "customer_classes__0__patience": {"dist": "exponential", "mean": 5}},
         ("customer_classes[0].patience", "deferred work waits for an answer")),
        ({"teams__0__deferred": _DEFERRED, "customer_classes__0__balk_at": 5},
         ("customer_classes[0].balk_at", "deferred work is never turned away")),
        ({"teams__0__deferred": _DEFERRED, "teams__0__concurrency": 2},
         ("teams[0].concurrency", "a deferred-work team handles one contact at a time")),
        ({"teams__0__deferred": _DEFERRED, "horizon": {"days": 2, "open": "00:00", "close": "24:00"},
          "customer_classes__0__arrivals": {"per_hour": 35, "overnight_per_hour": 2}},
         ("customer_classes[0].arrivals.overnight_per_hour", "open round the clock: there is no night")),
    ],
    ids=["target-zero", "target-negative", "target-missing", "overnight-not-deferred", "overnight-negative",
         "patience", "balk", "concurrency", "overnight-without-night"],
)  # fmt: skip
def test_deferred_work_input_errors(tmp_path, change, expected):
    err = _assert_refused(tmp_path, _teaching(**change), *expected)
    assert err.count("\n  ") == 1  # one problem, one line


def test_deferred_work_served_with_a_plain_team_is_refused(tmp_path):
    data = _teaching(teams__0__deferred=_DEFERRED)
    data["teams"].append({"name": "counter", "serves": ["customer"], "staff": 1})
    _assert_refused(tmp_path, data, "customer_classes[0]", "served by deferred-work and other teams (counter)")


def test_deferred_teams_naming_different_targets_or_self_service_are_refused(tmp_path):
    data = _teaching(teams__0__deferred=_DEFERRED)
    data["teams"].append({"name": "late", "serves": ["customer"], "staff": 1, "deferred": {"target_hours": 24}})
    _assert_refused(tmp_path, data, "customer_classes[0]", "name different targets (8, 24 hours)")
    data = _teaching()
    data["teams"].append({"name": "portal", "serves": ["customer"], "self_service": {"failure_prob": 0.2},
                          "deferred": _DEFERRED})  # fmt: skip
    _assert_refused(tmp_path, data, "teams[1].deferred", "a self-service station handles everyone at once")
