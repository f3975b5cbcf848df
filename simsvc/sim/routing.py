"""Routing rules: which idle team takes an arriving customer, which waiting customer a freed server takes.

A rule answers two questions for the teams of one station (a pool of teams, or the teams
serving a one-step class):

* ``pick_team(idle, now)``: an arriving customer finds the teams in ``idle`` (those with an
  idle server, in the pool's order); return the one that serves it.
* ``pick_customer(waiting, now)``: a server of a team is free and ``waiting`` holds the first
  customer still waiting in each queue the team serves (:class:`Waiting`); return the one it takes.

Built-ins, named in a scenario by ``teams[].routing``:

* ``first_idle`` (the default): the first idle team in the pool's order (scenario order
  for ``serves``); a freed server takes the best (smallest) class priority, then first come.
* ``longest_idle``: the idle team that has been idle longest, i.e. whose most recent server to
  become free (finishing a customer with nobody waiting, or coming on duty) did so earliest;
  ties in the pool's order. Waiting customers as ``first_idle``.
* ``priority``: the idle team for which the customer's class ranks best among the classes it
  serves (a specialist before a generalist who puts the class second), ties in the pool's
  order. Waiting customers as ``first_idle``.

With skill priorities (``teams[].serves`` as a mapping, :mod:`simsvc.scenario.skills`) the
pool of a class is ordered by each team's skill priority for it, best first, before any rule
applies: ``first_idle`` takes the first idle team in that order, ``priority`` ranks by skill
priority, then the class's rank, and other rules choose among the idle teams of the best skill
priority only. A freed server's queues are grouped by its team's skill priority, then class
priority (:class:`Waiting` carries ``skill``); a list gives every class skill priority 1, so
without a mapping all of this is the rule above.

The engine runs the built-ins inline (no call per customer). A rule of your own is any object
with both methods, passed to :func:`simsvc.simulate` by team name; it must be picklable (a
class defined at module level) since replications may run in worker processes, and it should
decide only from its arguments so that a seed gives the same numbers anywhere::

    from simsvc.sim.routing import FirstIdle

    class MostIdle(FirstIdle):      # keeps first_idle's choice of waiting customer
        \"\"\"An arrival goes to the team with the most idle servers (ties: pool order).\"\"\"

        def pick_team(self, idle, now):
            return max(idle, key=lambda team: team.cap - team.busy)

    simsvc.simulate(scenario, routing={"counter_a": MostIdle(), "counter_b": MostIdle()})

A team passed to ``pick_team`` has ``index`` (its place in ``teams``), ``busy`` (servers
serving), ``cap`` (servers who may serve now) and ``idle_since`` (see ``longest_idle``).
Teams that serve a queue together must follow the same rule (checked: exit 2).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple, Protocol, runtime_checkable

from simsvc.scenario.skills import LISTED

__all__ = ["BUILT_IN", "FirstIdle", "LongestIdle", "Priority", "Routing", "Waiting", "rule"]


class Waiting(NamedTuple):
    """The first customer still waiting in one of a team's queues."""

    priority: int  # its class's priority (smaller first)
    arrival: float  # when it joined this queue
    klass: str  # its class's name
    queue: int  # the engine's queue (a class, or a class's step)
    skill: int = LISTED  # the freed server's team's skill priority for it (smaller first)


@runtime_checkable
class Routing(Protocol):
    """A station's routing rule (see the module's docstring)."""

    def pick_team(self, idle: Sequence[Any], now: float) -> Any:
        """The team, one of ``idle`` (never empty), that serves an arriving customer."""
        ...

    def pick_customer(self, waiting: Sequence[Waiting], now: float) -> Waiting:
        """The customer, one of ``waiting`` (never empty), that a freed server takes."""
        ...


class FirstIdle:
    """``first_idle``: the first idle team in the pool's order; waiting customers by priority, then first come."""

    name = "first_idle"

    def pick_team(self, idle: Sequence[Any], now: float) -> Any:
        return idle[0]

    def pick_customer(self, waiting: Sequence[Waiting], now: float) -> Waiting:
        return min(waiting, key=lambda w: (w.skill, w.priority, w.arrival))

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))


class LongestIdle(FirstIdle):
    """``longest_idle``: the idle team whose most recently freed server became free earliest."""

    name = "longest_idle"

    def pick_team(self, idle: Sequence[Any], now: float) -> Any:
        return min(idle, key=lambda team: team.idle_since)


class Priority(FirstIdle):
    """``priority``: the idle team for which the class ranks best among those it serves (engine-ordered pool)."""

    name = "priority"


BUILT_IN: dict[str, type[FirstIdle]] = {r.name: r for r in (FirstIdle, LongestIdle, Priority)}


def rule(name: str) -> FirstIdle:
    """The built-in rule called ``name`` (the scenario field checks the name)."""
    return BUILT_IN[name]()
