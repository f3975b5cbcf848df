"""Loading a scenario: YAML → validated, frozen :class:`Scenario`, or one clear error.

All problems found are reported together in a :class:`~simsvc.errors.ScenarioError`
whose lines read ``field.path: what is wrong``; a YAML syntax error names its line.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Union

from pydantic import ValidationError

from simsvc.errors import ScenarioError
from simsvc.scenario.confine import file_folders, resolved_dirs
from simsvc.scenario.models import Scenario
from simsvc.scenario.problems import pydantic_problems
from simsvc.scenario.yaml_safe import YamlProblem, parse_yaml

__all__ = ["as_scenario", "load_scenario", "read_yaml", "scenario_json_schema"]

PathLike = Union[str, Path]


def read_yaml(path: Path) -> Any:
    """Parse a YAML file with simsvc's one loader (:func:`~simsvc.scenario.yaml_safe.parse_yaml`).

    Syntax errors, duplicate keys and alias bombs become a ScenarioError naming the file and the line.
    """
    name = str(path)
    if not path.is_file():
        raise ScenarioError(name, [("", "file not found")])
    try:
        return parse_yaml(path.read_text(encoding="utf-8"))
    except YamlProblem as exc:
        raise ScenarioError(name, [(exc.where, exc.what)]) from None
    except UnicodeDecodeError as exc:
        raise ScenarioError(name, [("", f"not UTF-8 text (byte {exc.start})")]) from None
    except OSError as exc:
        raise ScenarioError(name, [("", f"cannot read: {exc.strerror or type(exc).__name__}")]) from None


def load_scenario(
    source: PathLike | Mapping[str, Any],
    *,
    base_dir: PathLike | None = None,
    allowed_dirs: Iterable[PathLike] = (),
) -> Scenario:
    """Load and validate a scenario from a YAML file or an in-memory mapping.

    Args:
        source: path of a YAML scenario file, or the scenario as a mapping.
        base_dir: where relative CSV paths point for a mapping (default: current dir;
            for a file, the file's folder). The scenario keeps them absolute, so
            ``load_scenario(scenario.to_dict(), allowed_dirs=[scenario.folder])`` works from any folder.
        allowed_dirs: further folders the scenario's CSV files may lie in. Without them a
            file must lie in the scenario's folder (``base_dir``) or below it, after resolving
            ``..`` and symbolic links (see :mod:`simsvc.scenario.confine`).

    Raises:
        ScenarioError: listing every problem as ``field.path: what is wrong``.
    """
    allowed = resolved_dirs(allowed_dirs)
    if isinstance(source, Mapping):
        name, raw, folder = "<mapping>", dict(source), Path(base_dir or ".")
    else:
        path = Path(source)
        name, raw, folder = str(path), read_yaml(path), Path(base_dir or path.parent)
        if base_dir is None:  # a linked scenario file may also read beside the file it points to
            allowed = resolved_dirs((*file_folders(path), *allowed))
    if not isinstance(raw, Mapping):
        raise ScenarioError(name, [("", "the file must hold a mapping (name:, horizon:, ...)")])
    try:
        return Scenario.model_validate(raw, context={"base_dir": folder, "allowed_dirs": allowed})
    except ValidationError as exc:
        raise ScenarioError(name, pydantic_problems(exc)) from None


def as_scenario(source: Scenario | PathLike, caller: str = "this function") -> Scenario:
    """``source`` itself if it is a scenario, else the scenario file it names, loaded.

    Raises:
        TypeError: ``source`` is neither a :class:`Scenario` nor a path (``str`` or ``os.PathLike``).
        ScenarioError: the file is missing or invalid.
    """
    if isinstance(source, Scenario):
        return source
    if isinstance(source, (str, os.PathLike)):
        return load_scenario(source)
    hint = "; for a mapping, use simsvc.load_scenario(mapping)" if isinstance(source, Mapping) else ""
    raise TypeError(
        f"{caller} takes a Scenario or the path of a scenario file (str or pathlib.Path), "
        f"not {type(source).__name__}{hint}"
    )


def scenario_json_schema() -> str:
    """The JSON Schema of scenario files, for editors' completion and checking."""
    schema = Scenario.model_json_schema(by_alias=True, mode="validation")
    schema["title"] = "simsvc scenario"
    return json.dumps(schema, indent=2)
