"""Hostile values in every numeric field of every bundled scenario and experiment (issue 16).

Each numeric value of the bundled files (walked in the raw YAML, nested lists included) is
replaced by NaN, by a huge number (1e308) and by one of infinity, minus infinity, a tiny
number (1e-300) or a negative one, chosen in turn (so each of those hits about a quarter of
the fields). The mutated file must be either refused by ``simsvc validate`` (an experiment:
``simsvc sweep``) with exit code 2, no traceback and the field (or the block holding it)
named, or accepted, and then a short ``simsvc run`` finishes with exit code 0, no traceback
and strict JSON. NaN and infinity are always refused: no field gives them a meaning.

A list of numbers (``per_hour: [...]``, ``levels: [...]``) is one field: one item of it is
mutated, a different one for each value.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import ROOT, SCENARIOS, invoke_cli, strict_json

EXPERIMENT = ROOT / "experiments" / "staffing_small.yaml"
FILES = [*sorted(SCENARIOS.glob("*.yaml")), EXPERIMENT]
ALWAYS = {"nan": math.nan, "huge": 1e308}
IN_TURN = {"inf": math.inf, "-inf": -math.inf, "tiny": 1e-300, "negative": -1.0}
RUN_CAP = 400
"""Customers per replication in the runs of accepted values (``simulation.max_customers``), to keep them short."""

Path_ = tuple[Any, ...]


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def numeric_fields(node: Any, path: Path_ = ()) -> list[tuple[Path_, int]]:
    """Every numeric field under ``node``: ``(path, number of items)`` (0 for a single number)."""
    if isinstance(node, dict):
        return [f for k, v in node.items() for f in numeric_fields(v, (*path, k))]
    if isinstance(node, list):
        if node and all(_is_number(v) for v in node):
            return [(path, len(node))]
        return [f for i, v in enumerate(node) for f in numeric_fields(v, (*path, i))]
    return [(path, 0)] if _is_number(node) else []


def dotted(path: Path_) -> str:
    """``('teams', 0, 'staff')`` → ``teams[0].staff`` (the notation of error messages)."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _cases() -> list[Any]:
    cases = []
    turn = 0
    for file in FILES:
        raw = yaml.safe_load(file.read_text(encoding="utf-8"))
        for path, items in numeric_fields(raw):
            others = list(IN_TURN.items())[turn % len(IN_TURN)]
            turn += 1
            for j, (label, value) in enumerate([*ALWAYS.items(), others]):
                target = (*path, j % items) if items else path
                cases.append(pytest.param(file, target, value, id=f"{file.stem}:{dotted(target)}={label}"))
    return cases


CASES = _cases()


def _set(data: Any, path: Path_, value: Any) -> None:
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = value


def _problem_paths(stderr: str) -> list[str]:
    """The field paths of the problems an error message lists (lines ``  path: what``).

    A sweep's problem reads ``design point N (factor=value, ...): path: what``.
    """
    paths = []
    for line in stderr.splitlines():
        if line.startswith("  ") and ": " in line:
            line = line.strip()
            if line.startswith("design point") and "): " in line:
                line = line.split("): ", 1)[1]
            paths.append(line.split(": ", 1)[0])
    return paths


def _expected_fields(file: Path, target: Path_) -> list[str]:
    """What a refusal may name: the field, and for a factor's level the scenario field it sets."""
    fields = [dotted(target)]
    if file == EXPERIMENT and target[0] == "factors" and target[2] == "levels":
        factor = yaml.safe_load(file.read_text(encoding="utf-8"))["factors"][target[1]]
        fields.append(factor["path"])
    return fields


def _names_field(stderr: str, fields: list[str]) -> bool:
    """Whether a problem names one of ``fields``, an item of it, or the block holding it."""
    return any(
        path and (field.startswith(path) or path.startswith(field))
        for path in _problem_paths(stderr)
        for field in fields
    )


def _write_mutant(tmp_path: Path, file: Path, target: Path_, value: float) -> Path:
    raw = yaml.safe_load(file.read_text(encoding="utf-8"))
    if file == EXPERIMENT:
        shutil.copy(SCENARIOS / "teaching.yaml", tmp_path / "teaching.yaml")  # a base beside it
        raw["base"] = "teaching.yaml"
        raw["replications"] = raw["replications_per_task"] = 1  # short, unless mutated below
    else:
        for csv in file.parent.glob("*.csv"):
            shutil.copy(csv, tmp_path / csv.name)
        raw.setdefault("simulation", {})["max_customers"] = RUN_CAP
    _set(raw, target, value)
    path = tmp_path / file.name
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(("file", "target", "value"), CASES)
def test_hostile_value_is_refused_or_simulated(tmp_path, file, target, value):
    path = _write_mutant(tmp_path, file, target, value)
    if file == EXPERIMENT:
        done = invoke_cli("sweep", str(path), "--out", str(tmp_path / "out"), "--workers", "1")
    else:
        done = invoke_cli("validate", str(path))
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    assert done.returncode in (0, 2), done.stderr
    if not math.isfinite(value):  # no field gives NaN or infinity a meaning
        assert done.returncode == 2, done.stdout
    if done.returncode == 2:
        assert str(path) in done.stderr and _names_field(done.stderr, _expected_fields(file, target)), done.stderr
        return
    if file == EXPERIMENT:
        return  # the sweep ran to its end
    run = invoke_cli("run", str(path), "--replications", "1", "--workers", "1", "--format", "json")
    assert "Traceback" not in run.stderr, run.stderr
    assert run.returncode == 0, run.stderr
    data = strict_json(run.stdout)
    assert data["replications"] == 1 and "kpis" in data


@pytest.mark.parametrize("file", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.stem)
def test_json_output_of_every_bundled_scenario_is_strict(file, tmp_path):
    done = invoke_cli("run", str(file), "--replications", "2", "--workers", "1", "--format", "json")
    assert done.returncode == 0, done.stderr
    data = strict_json(done.stdout)
    assert set(data["kpis"]) >= {"arrivals", "served", "mean_wait", "service_level"}
    assert json.dumps(data, allow_nan=False)


def test_a_rate_beyond_max_customers_is_drawn_exactly_up_to_the_cap():
    # 1e6 customers an hour (16,667 a minute) against max_customers 5,000: the interval's
    # first 5,001 arrivals are drawn (as a Poisson process: exponential gaps of mean 1/rate),
    # the day stops there, and the run is truncated at 5,000 arrivals.
    import numpy as np

    import simsvc
    from simsvc.sim.demand import Demand

    spec = yaml.safe_load((SCENARIOS / "teaching.yaml").read_text(encoding="utf-8"))
    spec["customer_classes"][0]["arrivals"] = {"per_hour": 1e6}
    spec["simulation"] = {"replications": 1, "seed": 3, "max_customers": 5000, "keep_records": False}
    scenario = simsvc.load_scenario(spec)
    batch = Demand(scenario, seed=3, replication=0).day_batch(0)
    assert len(batch) == 5001
    gaps = np.diff(batch.arrival)
    rate = 1e6 / 60
    # Mean of 5,000 exponential gaps: standard error 1/rate/sqrt(5000); 5 SE is 7 %.
    assert abs(gaps.mean() * rate - 1) < 5 / np.sqrt(len(gaps))
    assert batch.arrival[0] - scenario.horizon.open_minute < 10 / rate
    result = simsvc.simulate(scenario)
    assert result.truncated and result.summary().loc["arrivals", "mean"] == 5000


def test_json_safe_writes_null_for_nan_and_infinity():
    import numpy as np

    from simsvc.jsonsafe import dumps

    text = dumps({"a": np.float64("inf"), "b": [math.nan, 1.5, -math.inf], "c": (np.float32(2.0), "x", None)})
    assert strict_json(text) == {"a": None, "b": [None, 1.5, None], "c": [2.0, "x", None]}
