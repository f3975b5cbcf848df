"""Checks that span several parts of a scenario, each reported with its field path."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from simsvc.i18n import tr
from simsvc.scenario.base import Staffed, clock_to_minutes
from simsvc.scenario.deferred import deferred_problems
from simsvc.scenario.journeys import has_staff, is_self_service, journey_problems, probability_sum_problem
from simsvc.scenario.optimizer_models import MAX_CANDIDATE_SHIFTS
from simsvc.scenario.skills import overflow_only, skill_problems

if TYPE_CHECKING:  # the scenario runs these checks when it is validated
    from simsvc.scenario.models import CustomerClass, Scenario

__all__ = ["cross_checks", "trace_order_warnings"]

Problem = tuple[str, str]


def _duplicates(path: str, names: list) -> list[Problem]:
    return [(path, f"duplicate name {n!r}") for n, k in Counter(names).items() if k > 1]


def _length_problem(path: str, n: int, intervals: int, days: int, what: str) -> list[Problem]:
    allowed = {1, intervals, intervals * days}
    if n in allowed:
        return []
    expect = f"1 or {intervals} (one per interval)"
    if days > 1:
        expect += f" or {intervals * days} (one per interval of every day)"
    return [(path, f"has {n} {what}; expected {expect}")]


def _shift_day_problems(path: str, team: Staffed, days: int) -> list[Problem]:
    return [
        (f"{path}.shifts[{j}].days", f"day {d} is outside the horizon (days 0 to {days - 1})")
        for j, shift in enumerate(team.shifts or ())
        for d in shift.days or ()
        if d >= days
    ]


def _channel_problems(path: str, cls: CustomerClass, scenario: Scenario) -> list[Problem]:
    """A class's channel choice: a one-step class switching to known classes that do not switch again."""
    choice = cls.channel_choice
    assert choice is not None
    classes = {c.name: c for c in scenario.customer_classes}
    problems: list[Problem] = []
    if cls.journey is not None and len(cls.journey) > 1:
        problems.append((path, "only a class served in one step may switch channel (its journey has several)"))
    for name in choice.to:
        where = f"{path}.to.{name}"
        if name not in classes:
            problems.append((where, f"unknown class {name!r} (classes: {', '.join(classes)})"))
        elif name == cls.name:
            problems.append((where, "a class cannot switch to itself"))
        elif classes[name].channel_choice is not None:
            problems.append((where, f"class {name!r} switches channel itself: a switch leads to a class that does not"))
    if not choice.to:
        problems.append((f"{path}.to", "must name at least one class"))
    else:
        problems += probability_sum_problem(f"{path}.to", choice.to)
    return problems


def cross_checks(scenario: Scenario) -> list[Problem]:
    """Every cross-field problem of ``scenario`` (an empty list when it is consistent)."""
    h = scenario.horizon
    problems: list[Problem] = []
    class_names = [c.name for c in scenario.customer_classes]
    levels = [t.level for t in scenario.training_levels]
    problems += _duplicates("customer_classes", class_names)
    problems += _duplicates("teams", [t.name for t in scenario.teams])
    problems += _duplicates("training_levels", levels)

    served: set[str] = set()
    for i, team in enumerate(scenario.teams):
        path = f"teams[{i}]"
        problems += _shift_day_problems(path, team, h.days)
        served.update(team.serves)
        if team.training_level not in levels:
            problems.append(
                (f"{path}.training_level", f"level {team.training_level} is not in training_levels {levels}")
            )
        if team.staff is not None and len(team.staff) not in {1, h.n_intervals}:
            problems.append(
                (
                    f"{path}.staff",
                    f"has {len(team.staff)} values; expected 1 or {h.n_intervals} (one per interval)",
                )
            )
        if team.shrinkage is not None and len(team.shrinkage) not in {1, h.n_intervals}:
            problems.append(
                (
                    f"{path}.shrinkage",
                    f"has {len(team.shrinkage)} values; expected 1 or {h.n_intervals} (one per interval of a day)",
                )
            )
    for i, cls in enumerate(scenario.customer_classes):
        path = f"customer_classes[{i}]"
        if cls.name not in served and cls.journey is None:
            also = "; an overflow group takes it only after a wait, so some team must hold the skill" if overflow_only(
                scenario, cls.name) else ""  # fmt: skip
            problems.append((path, f"class {cls.name!r} is served by no team (list it in a team's serves, "
                                   f"or give it a journey){also}"))  # fmt: skip
        if cls.channel_choice is not None:
            problems += _channel_problems(f"{path}.channel_choice", cls, scenario)
        pool = [t for t in scenario.teams if cls.name in t.serves]
        if cls.journey is None and len(pool) > 1 and any(is_self_service(t) for t in pool):
            problems.append((path, f"class {cls.name!r} is served by a self-service station and other teams: give "
                                   "it a journey (self-service first, its failures to a staffed step)"))  # fmt: skip
        arr = cls.arrivals
        if arr.rates_per_hour is not None:
            field = "per_hour" if arr.per_hour is not None else "csv"
            what = "rates" if field == "per_hour" else f"rows in {Path(arr.csv or '').name}"
            problems += _length_problem(
                f"{path}.arrivals.{field}", len(arr.rates_per_hour), h.n_intervals, h.days, what
            )
        if arr.trace_times is not None:
            field = "trace" if arr.trace is not None else "trace_csv"
            span = h.close_minute - h.open_minute
            times = np.asarray(arr.trace_times)
            late = np.flatnonzero(times >= span)
            if len(late):
                problems.append(
                    (
                        f"{path}.arrivals.{field}",
                        f"{len(late)} arrival time(s) at or after closing "
                        f"(first: {times[late[0]]:g} minutes after opening; the day is {span:g} minutes)",
                    )
                )
            days = np.asarray(arr.trace_days)
            bad_days = np.unique(days[days >= h.days]).tolist()[:10]
            if bad_days:
                problems.append(
                    (f"{path}.arrivals.{field}", f"days {bad_days} are beyond the horizon of {h.days} day(s)")
                )
    problems += skill_problems(scenario)
    problems += _journey_checks(scenario)
    problems += _routing_checks(scenario)
    problems += deferred_problems(scenario)
    problems += _complaint_checks(scenario, levels)
    problems += _loyalty_checks(scenario)
    problems += _optimizer_checks(scenario, levels)
    total = (h.days - 1) * 1440 + h.close_minute - h.open_minute
    if scenario.simulation.warmup_minutes >= total:
        problems.append(("simulation.warmup_minutes", f"must be shorter than the horizon ({total:g} minutes)"))
    return problems


def _journey_checks(scenario: Scenario) -> list[Problem]:
    """The declared journeys' problems, and teams that neither serve a class nor are named by a journey."""
    problems = journey_problems(scenario)
    named: set[str] = set()
    for cls in scenario.customer_classes:
        for step in cls.journey or ():
            station = step.station
            named.update((station,) if isinstance(station, str) else station)
    for i, team in enumerate(scenario.teams):
        if not team.serves and team.name not in named:
            problems.append((f"teams[{i}].serves", "must list at least one class (or a journey must name the team)"))
    return problems


def _routing_checks(scenario: Scenario) -> list[Problem]:
    """Teams that serve a queue together (a class's ``serves`` teams, a step's pool) name one routing rule."""
    index = {t.name: i for i, t in enumerate(scenario.teams)}
    pools: list[tuple[str, list[int]]] = [
        (f"class {c.name!r}", [i for i, t in enumerate(scenario.teams) if c.name in t.serves])
        for c in scenario.customer_classes
        if c.journey is None
    ]
    for cls in scenario.customer_classes:
        for s, step in enumerate(cls.journey or ()):
            if isinstance(step.station, (list, tuple)):
                pools.append((f"class {cls.name!r}'s step {s}", [index[n] for n in step.station if n in index]))
    problems: list[Problem] = []
    seen: set[int] = set()
    for what, members in pools:
        first = members[0] if members else None
        for i in members[1:]:
            team, lead = scenario.teams[i], scenario.teams[first]
            if team.routing != lead.routing and i not in seen:
                seen.add(i)
                what_is_wrong = (
                    f"{team.routing!r}, but {lead.name!r} serves {what} with it and says {lead.routing!r}: "
                    "teams that serve a queue together name the same rule"
                )
                problems.append((f"teams[{i}].routing", what_is_wrong))
    return problems


def _complaint_checks(scenario: Scenario, levels: list[int]) -> list[Problem]:
    """A complaint team must exist in the rota and have someone on duty at some point."""
    problems: list[Problem] = []
    teams = scenario.complaints.teams
    problems += _duplicates("complaints.teams", [t.name for t in scenario.teams] + [t.name for t in teams])
    for i, team in enumerate(teams):
        path = f"complaints.teams[{i}]"
        problems += _shift_day_problems(path, team, scenario.horizon.days)
        if team.training_level not in levels:
            problems.append(
                (f"{path}.training_level", f"level {team.training_level} is not in training_levels {levels}")
            )
        if not has_staff(team):
            problems.append((path, f"team {team.name!r} has no staff on any shift: it would handle no complaint"))
        n = scenario.horizon.n_intervals
        if team.staff is not None and len(team.staff) not in {1, n}:
            problems.append((f"{path}.staff", f"has {len(team.staff)} values; expected 1 or {n} (one per interval)"))
    return problems


def _loyalty_checks(scenario: Scenario) -> list[Problem]:
    """Loyalty acts through the quality model's outcomes, on demand given as rates."""
    problems: list[Problem] = []
    if scenario.loyalty is None:
        if scenario.costs.lost_customer_value > 0:
            problems.append(("costs.lost_customer_value", "needs a loyalty block: who comes back decides who is lost"))
        return problems
    if not scenario.quality.enabled:
        problems.append(("loyalty", "needs the quality model (quality.enabled: true): returns follow its outcomes"))
    if scenario.horizon.days > 1:
        for i, cls in enumerate(scenario.customer_classes):
            if cls.arrivals.trace_times is not None:
                field = "trace" if cls.arrivals.trace is not None else "trace_csv"
                problems.append(
                    (f"customer_classes[{i}].arrivals.{field}",
                     "loyalty over several days needs demand as rates (per_hour or csv): a trace is replayed as "
                     "it is, so returns and word of mouth cannot move it")
                )  # fmt: skip
    return problems


def _grid_size(scenario: Scenario) -> list[Problem]:
    """Each team's candidate shifts (its MILP's integer variables) must stay within :data:`MAX_CANDIDATE_SHIFTS`."""
    assert scenario.optimizer is not None
    front = [t.name for t in scenario.teams]
    counts: dict[str, dict[int, int]] = {}
    for i, family in enumerate(scenario.optimizer.shifts):
        n = family.count(scenario.horizon.days)
        for team in family.teams or front:
            counts.setdefault(team, {})[i] = n
    problems: list[Problem] = []
    for team, per_family in counts.items():
        total = sum(per_family.values())
        if total > MAX_CANDIDATE_SHIFTS:
            i = max(per_family, key=per_family.__getitem__)
            family = scenario.optimizer.shifts[i]
            problems.append((
                f"optimizer.shifts[{i}]",
                f"team {team!r} would get {total:,} candidate shifts (integer variables of the optimizer), more "
                f"than the limit of {MAX_CANDIDATE_SHIFTS:,}: start shifts less often (start.every is "
                f"{family.start.every:g} min), or give fewer lengths, break positions or days",
            ))  # fmt: skip
    return problems


def _optimizer_checks(scenario: Scenario, levels: list[int]) -> list[Problem]:
    """Candidate shifts must name known teams, fit in a day and the horizon; levels must exist."""
    spec = scenario.optimizer
    if spec is None:
        return []
    problems: list[Problem] = []
    teams = [t.name for t in scenario.teams] + [t.name for t in scenario.complaints.teams]
    for i, family in enumerate(spec.shifts):
        path = f"optimizer.shifts[{i}]"
        for j, name in enumerate(family.teams or ()):
            if name not in teams:
                problems.append((f"{path}.teams[{j}]", f"unknown team {name!r} (teams: {', '.join(teams)})"))
        earliest = clock_to_minutes(family.start.earliest)
        for j, length in enumerate(family.lengths):
            if earliest + length > 1440:
                problems.append(
                    (
                        f"{path}.lengths[{j}]",
                        f"a {length:g}-minute shift starting at {family.start.earliest} ends after midnight",
                    )
                )
        if not isinstance(family.days, str):
            problems += [
                (f"{path}.days", f"day {d} is outside the horizon (days 0 to {scenario.horizon.days - 1})")
                for d in family.days
                if d >= scenario.horizon.days
            ]
    problems += _grid_size(scenario)
    for j, level in enumerate(spec.training_levels or ()):
        if level not in levels:
            problems.append((f"optimizer.training_levels[{j}]", f"level {level} is not in training_levels {levels}"))
    return problems


def trace_order_warnings(scenario: Scenario, lang: str = "en") -> list[str]:
    """A note (in ``lang``) for each trace whose arrivals are not listed in time order (they are replayed so).

    A trace merged from several logs need not be sorted; replaying it in time order is what
    the file means (each row's service time stays with its arrival), so this is a warning,
    naming the first row out of order, not an error.
    """
    notes = []
    for i, cls in enumerate(scenario.customer_classes):
        arr = cls.arrivals
        if arr.trace_times is None:
            continue
        when = np.asarray(arr.trace_days, dtype=float) * 1440.0 + np.asarray(arr.trace_times)
        back = np.flatnonzero(np.diff(when) < 0)
        if len(back):
            # The first arrival earlier than the one listed before it: item j of an inline trace, file row j + 2.
            j = int(back[0]) + 1
            field, where = ("trace", tr("warn.trace_order.item", lang, n=j)) if arr.trace is not None else (
                "trace_csv", tr("warn.trace_order.row", lang, n=j + 2))  # fmt: skip
            path = f"customer_classes[{i}].arrivals.{field}"
            notes.append(tr("warn.trace_order", lang, path=path, where=where, places=len(back)))
    return notes
