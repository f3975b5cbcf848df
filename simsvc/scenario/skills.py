"""Skills-based routing in the file format: a team's skills with priorities, its overflow, their checks.

A team (an agent group) holds a skill for each class (contact type) in its ``serves``. Written
as a list, every skill has priority :data:`LISTED`; written as a mapping ``{class: priority}``,
each has its own (smaller is preferred, like a class's priority). ``overflow: {class: minutes}``
makes the team a secondary group for those classes: it takes such a contact only once it has
waited that long. The engine's rules are in :mod:`simsvc.sim.overflow` and the README's
"Skills and overflow".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, Union

from pydantic import BeforeValidator, Discriminator, PlainValidator, Tag, WithJsonSchema

from simsvc.bounds import MAX_MINUTES, PRIORITY_RANGE, Between

if TYPE_CHECKING:
    from simsvc.scenario.models import Scenario

__all__ = ["LISTED", "OverflowMinutes", "ServesField", "SkillPriority", "overflow_only", "skill_problems"]

LISTED = 1
"""The skill priority of a class that a team lists (``serves: [a, b]``): the default class priority."""



def _skill_priority(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"a skill priority is a whole number, smaller preferred (got {value!r})")
    return PRIORITY_RANGE.check(value)


SkillPriority = Annotated[
    int,
    PlainValidator(_skill_priority),
    WithJsonSchema({"type": "integer", "minimum": PRIORITY_RANGE.low, "maximum": PRIORITY_RANGE.high}),
]
"""A team's priority for one of its skills: smaller is preferred (the range of a class's priority)."""

OverflowMinutes = Annotated[float, Between(0, MAX_MINUTES)]
"""How long a contact must have waited before an overflow group may take it (minutes)."""


def _form(value: Any) -> str:
    """Which form ``serves`` was given in (the tag is named in no field path)."""
    return "union-skills" if isinstance(value, Mapping) else "union-list"


def _list_or_mapping(value: Any) -> Any:
    if isinstance(value, (list, tuple, Mapping)):
        return value
    raise ValueError(f"must be a list of classes or a mapping {{class: skill priority}} (got {value!r})")


ServesField = Annotated[
    Union[
        Annotated[tuple[str, ...], Tag("union-list")],
        Annotated[dict[str, SkillPriority], Tag("union-skills")],
    ],
    Discriminator(_form),
    BeforeValidator(_list_or_mapping),
]
"""``teams[].serves``: a list of classes, or a mapping of classes to skill priorities."""

Problem = tuple[str, str]


def skill_problems(scenario: Scenario) -> list[Problem]:
    """Unknown classes in ``serves`` and ``overflow``, and overflow that cannot apply."""
    classes = {c.name: c for c in scenario.customer_classes}
    known = ", ".join(classes)
    problems: list[Problem] = []
    for i, team in enumerate(scenario.teams):
        path = f"teams[{i}]"
        keyed = isinstance(team.serves, Mapping)
        for j, name in enumerate(team.serves):
            where = f"{path}.serves.{name}" if keyed else f"{path}.serves[{j}]"
            if name not in classes:
                problems.append((where, f"unknown class {name!r} (classes: {known})"))
            elif keyed and classes[name].journey is not None:
                problems.append((where, f"class {name!r} has a journey, which names its stations: a skill priority "
                                        "applies to classes served through teams' serves"))  # fmt: skip
        for name in team.overflow or {}:
            where = f"{path}.overflow.{name}"
            if name not in classes:
                problems.append((where, f"unknown class {name!r} (classes: {known})"))
            elif name in team.serves:
                problems.append((where, f"team {team.name!r} holds the skill {name!r} (serves): a group serves a "
                                        "class as a skill or as overflow, not both"))  # fmt: skip
            elif classes[name].journey is not None:
                problems.append((where, f"class {name!r} has a journey: overflow applies to classes served through "
                                        "teams' serves"))  # fmt: skip
            elif any(name in t.serves and t.deferred is not None for t in scenario.teams):
                problems.append((where, f"class {name!r} is deferred work (it waits for its team's next shift): "
                                        "overflow applies to contacts answered the same day"))  # fmt: skip
        if team.overflow and team.self_service is not None:
            problems.append((f"{path}.overflow", "a self-service station takes no overflow (nobody waits for it)"))
        if team.overflow and team.deferred is not None:
            problems.append((f"{path}.overflow", "a deferred-work team takes no overflow (its queue waits across "
                                                 "days; give it the skill instead)"))  # fmt: skip
    return problems


def overflow_only(scenario: Scenario, name: str) -> bool:
    """Whether class ``name`` is some team's overflow (then 'served by no team' says why that is not enough)."""
    return any(name in (t.overflow or {}) for t in scenario.teams)
