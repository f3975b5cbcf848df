"""Loading a scenario: YAML → validated, frozen :class:`Scenario`, or one clear error.

All problems found are reported together in a :class:`~simsvc.errors.ScenarioError`
whose lines read ``field.path: what is wrong``; a YAML syntax error names its line.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Union

import yaml
from pydantic import ValidationError

from simsvc.distributions import DISTRIBUTION_NAMES
from simsvc.errors import ScenarioError
from simsvc.scenario.checks import cross_checks
from simsvc.scenario.files import FileProblem, resolve_arrivals
from simsvc.scenario.models import Scenario

__all__ = ["load_scenario", "read_yaml", "scenario_json_schema"]

PathLike = Union[str, Path]


def format_loc(loc: tuple[Any, ...]) -> str:
    """``('teams', 0, 'shifts', 1, 'end')`` → ``teams[0].shifts[1].end``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in DISTRIBUTION_NAMES or str(part).startswith("function-"):
            continue  # pydantic's union-member label, not a field
        else:
            out += ("." if out else "") + str(part)
    return out


def _pydantic_problems(exc: ValidationError) -> list[tuple[str, str]]:
    problems = []
    for err in exc.errors(include_url=False):
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown field (check the spelling)"
        problems.append((format_loc(tuple(err["loc"])), msg))
    return problems


def read_yaml(path: Path) -> Any:
    """Parse a YAML file, turning syntax errors into a ScenarioError naming the line."""
    if not path.is_file():
        raise ScenarioError(str(path), [("", "file not found")])
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "YAML"
        what = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError(str(path), [(where, f"YAML syntax error: {what}")]) from None
    except UnicodeDecodeError as exc:
        raise ScenarioError(str(path), [("", f"not UTF-8 text: {exc}")]) from None


def load_scenario(source: PathLike | Mapping[str, Any], *, base_dir: PathLike | None = None) -> Scenario:
    """Load and validate a scenario from a YAML file or an in-memory mapping.

    Args:
        source: path of a YAML scenario file, or the scenario as a mapping.
        base_dir: where relative CSV paths point for a mapping (default: current dir;
            for a file, the file's folder).

    Raises:
        ScenarioError: listing every problem as ``field.path: what is wrong``.
    """
    if isinstance(source, Mapping):
        name, raw, folder = "<mapping>", dict(source), Path(base_dir or ".")
    else:
        path = Path(source)
        name, raw, folder = str(path), read_yaml(path), Path(base_dir or path.parent)
    if not isinstance(raw, Mapping):
        raise ScenarioError(name, [("", "the file must hold a mapping (name:, horizon:, ...)")])
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        raise ScenarioError(name, _pydantic_problems(exc)) from None

    problems: list[tuple[str, str]] = []
    classes = []
    for i, cls in enumerate(scenario.customer_classes):
        try:
            arrivals = resolve_arrivals(cls.arrivals, folder, scenario.horizon.open_minute)
        except FileProblem as exc:
            field = "csv" if cls.arrivals.csv is not None else "trace_csv"
            problems.append((f"customer_classes[{i}].arrivals.{field}", str(exc)))
            arrivals = cls.arrivals
        classes.append(cls.model_copy(update={"arrivals": arrivals}))
    if problems:
        raise ScenarioError(name, problems)
    scenario = scenario.model_copy(update={"customer_classes": tuple(classes)})
    problems = cross_checks(scenario)
    if problems:
        raise ScenarioError(name, problems)
    return scenario


def scenario_json_schema() -> str:
    """The JSON Schema of scenario files, for editors' completion and checking."""
    schema = Scenario.model_json_schema(by_alias=True, mode="validation")
    schema["title"] = "simsvc scenario"
    return json.dumps(schema, indent=2)
