"""Problems found in a scenario as ``(field path, what is wrong)`` pairs, from pydantic or our checks.

A pydantic location such as ``('teams', 0, 'shifts', 1, 'end')`` reads ``teams[0].shifts[1].end``,
the notation of :mod:`simsvc.scenario.paths`. Checks that run inside a model validator (files,
cross-field checks) raise :class:`Problems`, which carries their own paths through pydantic.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from simsvc.distributions import DISTRIBUTION_NAMES
from simsvc.scenario.paths import format_path

__all__ = ["Problem", "Problems", "format_loc", "pydantic_problems"]

Problem = tuple[str, str]
"""``(field path, what is wrong)``; the path is relative to the model validated."""


class Problems(ValueError):
    """Several problems found by a model validator, each with its own field path."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(f"{p}: {w}" if p else w for p, w in self.problems))


def format_loc(loc: tuple[Any, ...], *, unknown_key: bool = False) -> str:
    """``('teams', 0, 'shifts', 1, 'end')`` → ``teams[0].shifts[1].end``.

    A field's Python name with a trailing underscore (``mean_``, ``break_``) is written as in
    files (``mean``, ``break``); with ``unknown_key`` the last part is a key as the user typed it.
    """
    # A distribution's name, pydantic's function labels and the journeys' form tags
    # (``union-...``) are union-member labels, not fields.
    parts = [p for p in loc if not (p in DISTRIBUTION_NAMES or str(p).startswith(("function-", "union-")))]
    last = len(parts) - 1 if unknown_key else len(parts)
    return format_path(
        tuple(p if isinstance(p, int) or i >= last else str(p).removesuffix("_") for i, p in enumerate(parts))
    )


def _join(prefix: str, path: str) -> str:
    if not prefix:
        return path
    if not path:
        return prefix
    return prefix + ("" if path.startswith("[") else ".") + path


def pydantic_problems(exc: ValidationError) -> list[Problem]:
    """Every problem of a pydantic ``ValidationError``, with its field path."""
    problems: list[Problem] = []
    for err in exc.errors(include_url=False):
        where = format_loc(tuple(err["loc"]), unknown_key=err["type"] == "extra_forbidden")
        inner = (err.get("ctx") or {}).get("error")
        if isinstance(inner, Problems):
            problems += [(_join(where, p), w) for p, w in inner.problems]
            continue
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown field (check the spelling)"
        elif err["type"] == "finite_number":
            msg = f"must be a finite number, not {err['input']!r}"
        elif err["type"] == "int_parsing_size":
            msg = "is too large"
        problems.append((where, msg))
    return problems
