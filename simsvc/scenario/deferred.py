"""Deferred work in the file format: a team whose queue is carried over from day to day, and its checks.

A deferred-work team (``teams[].deferred``: email, letters, a back office) handles its classes
only while its staff are on duty; what is left at the end of a shift waits for the next one,
across nights, and is measured against a response-time target in hours. Its classes may
receive work around the clock (``arrivals.overnight_per_hour``). The rules are the README's
"Deferred work"; the engine's side is :mod:`simsvc.sim.deferred`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from pydantic import Field

from simsvc.bounds import MAX_MINUTES, Between
from simsvc.scenario.base import Frozen

if TYPE_CHECKING:  # the scenario runs these checks when it is validated
    from simsvc.scenario.models import Scenario

__all__ = ["Deferred", "deferred_problems", "deferred_targets"]

MAX_TARGET_HOURS = 100_000.0
"""The longest response-time target (hours, over 11 years; below ``MAX_MINUTES``)."""
assert MAX_TARGET_HOURS * 60 <= MAX_MINUTES


class Deferred(Frozen):
    """Makes a team a deferred-work station (email, letters, back office): its queue carries over across days."""

    target_hours: Annotated[float, Between(0, MAX_TARGET_HOURS)] = Field(
        description="Response-time target (hours, > 0): a contact is answered within target when its handling "
        "ends (the reply is sent) at most this long after it arrived. README 'Deferred work'."
    )


def deferred_targets(scenario: Scenario) -> dict[int, float]:
    """The deferred classes (index -> response-time target in minutes): those a deferred team serves."""
    names = [c.name for c in scenario.customer_classes]
    out: dict[int, float] = {}
    for team in scenario.teams:
        if team.deferred is not None:
            for name in team.serves:
                if name in names:
                    out.setdefault(names.index(name), team.deferred.target_hours * 60.0)
    return out


def deferred_problems(scenario: Scenario) -> list[tuple[str, str]]:
    """What is wrong with the scenario's deferred work, each with its field path.

    A deferred team has a target above 0, is staffed (not self-service), one contact at a time,
    and no journey names it; its classes are served by deferred teams only, with one target,
    wait without patience or balking and switch no channel; overnight work goes to deferred classes.
    """
    problems: list[tuple[str, str]] = []
    teams = scenario.teams
    named = {
        n for c in scenario.customer_classes for s in c.journey or ()
        for n in ((s.station,) if isinstance(s.station, str) else s.station)
    }  # fmt: skip
    for i, team in enumerate(teams):
        if team.deferred is None:
            continue
        path = f"teams[{i}]"
        if not team.deferred.target_hours > 0:
            problems.append((f"{path}.deferred.target_hours", "must be above 0 hours"))
        if team.self_service is not None:
            problems.append((f"{path}.deferred", "a self-service station handles everyone at once: it has no backlog"))
        if team.concurrent:
            problems.append((f"{path}.concurrency", "a deferred-work team handles one contact at a time (remove "
                                                    "concurrency or deferred)"))  # fmt: skip
        if team.name in named:
            problems.append((f"{path}.deferred", f"team {team.name!r} is a step of a journey: deferred work is "
                                                 "served in one step (list its classes in serves)"))  # fmt: skip
    targets = deferred_targets(scenario)
    h = scenario.horizon
    for k, cls in enumerate(scenario.customer_classes):
        path = f"customer_classes[{k}]"
        pool = [t for t in teams if cls.name in t.serves]
        if cls.arrivals.overnight_per_hour > 0 and h.close_minute - h.open_minute >= 1440:
            problems.append((f"{path}.arrivals.overnight_per_hour", "the horizon is open round the clock: there is "
                             "no night to arrive in (remove overnight_per_hour, or close for the night)"))
        if k not in targets:
            if cls.arrivals.overnight_per_hour > 0:
                problems.append((f"{path}.arrivals.overnight_per_hour", f"class {cls.name!r} is served by no "
                                 "deferred-work team: only deferred work arrives overnight (give its team deferred)"))
            continue  # fmt: skip
        others = [t.name for t in pool if t.deferred is None]
        if others:
            problems.append((path, f"class {cls.name!r} is served by deferred-work and other teams "
                                   f"({', '.join(others)}): its queue either carries over to the next day or closes "
                                   "with the day"))
        hours = {t.deferred.target_hours for t in pool if t.deferred is not None}
        if len(hours) > 1:
            problems.append((path, f"the deferred-work teams serving class {cls.name!r} name different targets "
                                   f"({', '.join(f'{h:g}' for h in sorted(hours))} hours): give them one"))
        if cls.patience is not None:
            problems.append((f"{path}.patience", "deferred work waits for an answer: remove patience"))
        if cls.balk_at is not None:
            problems.append((f"{path}.balk_at", "deferred work is never turned away: remove balk_at"))
        if cls.channel_choice is not None:
            problems.append((f"{path}.channel_choice", "deferred work announces no wait: remove channel_choice"))
        for j, other in enumerate(scenario.customer_classes):
            if other.channel_choice is not None and cls.name in other.channel_choice.to:
                problems.append((f"customer_classes[{j}].channel_choice.to.{cls.name}",
                                 f"class {cls.name!r} is deferred work: switching into it is not modelled"))
    return problems  # fmt: skip
