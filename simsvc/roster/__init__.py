"""Rostering: from a plan's shift counts per day to who works which shift on which day.

:mod:`~simsvc.roster.people` reads the people and their contracts, :mod:`~simsvc.roster.plan_shifts`
the plan, :mod:`~simsvc.roster.rules` defines the rules, :mod:`~simsvc.roster.model` is the
MILP (PuLP, HiGHS), :mod:`~simsvc.roster.output` the tables and files.
"""

from __future__ import annotations

from simsvc.roster.model import Roster, RuleBreach, solve_roster
from simsvc.roster.people import Contract, Person, Preferences, RosterSpec, default_pool, load_people
from simsvc.roster.plan_shifts import PlanShift, RosterDemand, read_plan

__all__ = [
    "Contract",
    "PlanShift",
    "Person",
    "Preferences",
    "Roster",
    "RosterDemand",
    "RosterSpec",
    "RuleBreach",
    "default_pool",
    "load_people",
    "read_plan",
    "solve_roster",
]
