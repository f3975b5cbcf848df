"""How the engine applies routing rules other than the inline default (:class:`RoutingMoves`).

Mixed into :class:`simsvc.sim.engine.Engine`: each queue's choice of idle team and each team's
choice of waiting customer, from the teams' ``routing`` fields or rule objects given by team
name (:mod:`simsvc.sim.routing`). ``first_idle`` needs nothing here: the engine runs it inline.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import TYPE_CHECKING

from simsvc.sim.routing import FirstIdle, LongestIdle, Priority, Routing, Waiting, rule

if TYPE_CHECKING:
    from simsvc.sim.station import Station

__all__ = ["RoutingMoves"]


class RoutingMoves:
    """The routing half of the engine (it supplies the teams, queues and ``_start``)."""

    def _set_routing(self, routing: dict[str, Routing]) -> None:
        """Each queue's choice of idle team (``pick``: None runs first_idle inline), each team's of customer."""
        specs = self.scenario.teams
        unknown = sorted(set(routing) - {t.name for t in specs})
        if unknown:
            raise ValueError(f"routing names no team of the scenario: {', '.join(unknown)}")
        rules = [routing.get(spec.name) or rule(spec.routing) for spec in specs]
        for team, r in zip(self.teams, rules, strict=False):
            if not isinstance(r, Routing):
                raise TypeError(f"routing for team {specs[team.index].name!r} has no pick_team and pick_customer")
            if type(r) not in (FirstIdle, LongestIdle, Priority):
                team.pick_customer = r.pick_customer
            if type(r) is not FirstIdle and type(r) is not Priority:
                team.done = self._completion_callback(team, track_idle=True)
        self.pick: list[Callable | None] = []
        for q, teams in enumerate(self.class_teams):
            r = rules[teams[0].index] if teams else FirstIdle()
            for t in teams[1:]:
                if rules[t.index] != r:
                    raise ValueError(
                        f"teams {specs[teams[0].index].name!r} and {specs[t.index].name!r} serve a queue together "
                        "but follow different routing rules"
                    )
            level = {t.index: self.skill[t.index][q] for t in teams}
            if type(r) is Priority:  # specialists first: skill priority, the class's rank in each team, pool order
                self.class_teams[q] = sorted(
                    teams, key=lambda t: (level[t.index], next(g for g, ks in enumerate(t.groups) if q in ks))
                )
            pick = None if type(r) in (FirstIdle, Priority) else r.pick_team
            if pick is not None and len(set(level.values())) > 1:
                pick = _best_skill_first(pick, level)
            self.pick.append(pick)

    def _dispatch_by_rule(self, team: Station, now: float) -> None:
        """As :meth:`_dispatch`, the customer chosen by the team's own rule among its queues' heads."""
        while team.busy < team.cap:
            q = self._rule_choice(team, now)
            if q is None:
                return
            self._take(team, q, now)

    def _rule_choice(self, team: Station, now: float) -> int | None:
        """The queue whose head the team's own rule takes (None: nobody waits in its queues)."""
        names = self.class_names
        heads = [self._head(k, now) for group in team.groups for k in group]
        skill = self.skill[team.index]
        waiting = [Waiting(self.priority[h[2]], h[0], names[self.q_class[h[2]]], h[2], skill[h[2]]) for h in heads if h]
        return team.pick_customer(waiting, now).queue if waiting else None


def _best_skill_first(pick: Callable, level: dict[int, int]) -> Callable:
    """``pick`` offered only the idle teams with the best skill priority (``level``: per team index)."""

    def choose(idle: list, now: float) -> object:  # idle keeps the pool's order: best skill priority first
        best = level[idle[0].index]
        return pick(list(itertools.takewhile(lambda t: level[t.index] == best, idle)), now)

    return choose
