"""Field paths into a scenario mapping: ``teams[0].shifts[1].staff`` → get and set.

A path uses the notation of scenario error messages (:func:`simsvc.scenario.problems.format_loc`),
so a change (:meth:`simsvc.Scenario.replace`) or a sweep factor is written exactly as the field
it changes is reported. Setting works on a copy of the raw (file-format) mapping, before
validation: the scenario models then check the value.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any, Union

__all__ = ["PathError", "Part", "format_path", "parse_path", "set_path"]

Part = Union[str, int]
"""A mapping key or a list index."""

_TOKEN = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)((?:\[\d+\])*)")
_INDEX = re.compile(r"\[(\d+)\]")


class PathError(ValueError):
    """A path that is malformed or does not lead into the scenario."""


def parse_path(path: str) -> tuple[Part, ...]:
    """``"teams[0].shifts[1].staff"`` → ``("teams", 0, "shifts", 1, "staff")``."""
    if not isinstance(path, str) or not path:
        raise PathError("a field path must be a non-empty string such as teams[0].staff")
    parts: list[Part] = []
    for piece in path.split("."):
        match = _TOKEN.fullmatch(piece)
        if not match:
            raise PathError(f"{path!r} is not a field path (expected names and [index] joined by dots)")
        parts.append(match.group(1))
        parts.extend(int(i) for i in _INDEX.findall(match.group(2)))
    return tuple(parts)


def format_path(parts: tuple[Part, ...]) -> str:
    """The inverse of :func:`parse_path`."""
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + part
    return out


def set_path(raw: Mapping[str, Any], parts: tuple[Part, ...], value: Any) -> dict[str, Any]:
    """A deep copy of ``raw`` with ``value`` at ``parts``.

    Missing mapping keys are created (a field left at its default, such as
    ``quality.promise_level``); whether the key is a real field is for the scenario models
    to say. A list index must exist, since a list item cannot be made up.

    Raises:
        PathError: naming the first part of the path that does not lead anywhere.
    """
    out = copy.deepcopy(dict(raw))
    node: Any = out
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        where = format_path(parts[: depth + 1])
        if isinstance(part, int):
            if not isinstance(node, list):
                parent = format_path(parts[:depth]) or "the scenario"
                raise PathError(f"{parent} is not a list, so {where} does not exist")
            if part >= len(node):
                raise PathError(f"{where} does not exist (the list has {len(node)} item(s))")
        elif not isinstance(node, dict):
            raise PathError(f"{format_path(parts[:depth])} is not a mapping, so {where} does not exist")
        if last:
            node[part] = copy.deepcopy(value)
        else:
            if isinstance(part, str) and part not in node:
                node[part] = [] if isinstance(parts[depth + 1], int) else {}
            node = node[part]
    return out
