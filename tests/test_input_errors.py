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
        "customer_classes[0].arrivals.per_hour[0]", "greater than or equal to 0",
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
        ({"complaints": {"voice_probability": 1.3}}, ("complaints.voice_probability", "less than or equal to 1")),
        (
            {
                "loyalty": {
                    "return_probability": {"delighted": 0.6, "satisfied": -0.1, "dissatisfied": 0.1, "unresolved": 0.0}
                }
            },
            ("loyalty.return_probability.satisfied", "greater than or equal to 0"),
        ),
        (
            {"training_levels": [{"level": 0, "failure_prob": 2}]},
            ("training_levels[0].failure_prob", "less than or equal to 1"),
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
