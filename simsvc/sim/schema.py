"""Every record field the engine emits, in one place: customers and the steps of their journeys.

Rows are float arrays (column order as listed); :mod:`simsvc.records` turns them into the
DataFrames of :class:`simsvc.SimResult`, and :mod:`simsvc.sim.tally` reads their columns by these
names: no other module knows the layout. Codes: outcomes :data:`SERVED`, :data:`ABANDONED`,
:data:`BALKED`, :data:`OPEN` (deferred work still waiting when the horizon ends); a team -1 is "not served".
"""

from __future__ import annotations

from typing import Literal

from simsvc.scenario.quality_models import DIMENSIONS

__all__ = [
    "ABANDONED", "BALKED", "COMPLAINT_FIELDS", "GAP_FIELDS", "OPEN", "OUTCOMES", "QUALITY_FIELDS", "RECORD_FIELDS",
    "SERVED", "STEP_FIELDS", "FIELD_KINDS", "KIND_DTYPES", "Kind", "customer_fields",
]  # fmt: skip

SERVED, ABANDONED, BALKED, OPEN = 0, 1, 2, 3
OUTCOMES = ("served", "abandoned", "balked", "open")
"""Outcome names by code."""

RECORD_FIELDS = ("customer", "klass", "cell", "arrival", "wait", "start", "end", "team", "outcome")
"""One row per customer: ``arrival`` its first arrival, ``wait`` the sum of its waits over its
journey's steps, ``start``/``end``/``team`` those of its last service, ``outcome`` that of its
last step (``cell``: day * intervals + interval of its arrival)."""

STEP_FIELDS = ("customer", "klass", "visit", "step", "team", "arrival", "wait", "start", "end", "outcome")
"""One row per step a customer took: ``visit`` counts its steps from 0 (a step visited again,
as rework, is a new visit), ``step`` the step's index in its class's journey, ``arrival`` when it
joined the step, ``wait`` there (to abandonment for who abandoned; NaN for balking),
``start``/``end`` its service there (NaN when not served), ``team`` -1 when not served."""

QUALITY_FIELDS = ("gap", "category", "complained", "returns", "perceived_responsiveness", "returning")
"""Columns a customer's record gains with the quality model: its judgement (``returns`` NaN
without loyalty: not modelled), and whether it came as a returning customer."""
GAP_FIELDS = tuple(f"gap_{d}" for d in DIMENSIONS)
"""Columns the tally appends to quality records: the gap per dimension (NaN: not perceived)."""

COMPLAINT_FIELDS = (
    "customer", "klass", "cell", "arrival", "filed", "wait", "start", "end", "team", "handled",
    "initial_gap", "gap", "category", "recovered", "returns",
)  # fmt: skip
"""Columns of a complaint record: the complaining customer (class, cell and arrival), when
the complaint was filed, waited and was handled, and the customer's judgement before
(``initial_gap``) and after handling (``gap``, ``category``: an unrecovered complaint is
``UNRESOLVED``)."""


def customer_fields(quality: bool) -> tuple[str, ...]:
    """The columns of a kept customer row: :data:`RECORD_FIELDS`, with the quality model's after them."""
    return RECORD_FIELDS + QUALITY_FIELDS + GAP_FIELDS if quality else RECORD_FIELDS


Kind = Literal["id", "count", "class", "team", "outcome", "step", "cell", "minutes", "value", "code", "flag"]
FIELD_KINDS: dict[str, Kind] = {
    "customer": "id", "visit": "count", "klass": "class", "team": "team", "outcome": "outcome", "step": "step",
    "cell": "cell", **dict.fromkeys(("arrival", "wait", "start", "end", "filed"), "minutes"),
    **dict.fromkeys(("gap", "initial_gap", "perceived_responsiveness", *GAP_FIELDS), "value"),
    "category": "code", **dict.fromkeys(("complained", "returning", "handled", "recovered", "returns"), "flag"),
}  # fmt: skip
"""What each field holds: ``id``/``count`` integers; ``class``, ``team``, ``outcome``, ``step`` and
``code`` indices of names (the scenario's classes and teams, :data:`OUTCOMES`, the journey's
steps, a judgement category; -1 none); ``cell`` day * intervals + interval; ``minutes`` clock
minutes or durations (NaN: did not happen); ``value`` a number on its own scale; ``flag`` 1 / 0
(NaN: not modelled)."""
KIND_DTYPES: dict[Kind, str] = {
    "id": "int64", "count": "int64", "class": "category", "team": "category", "outcome": "category",
    "step": "category", "cell": "int64", "minutes": "float64", "value": "float64", "code": "category",
    "flag": "boolean",
}  # fmt: skip
"""The dtype of a kind in the tables of :class:`simsvc.SimResult` (a ``cell`` becomes ``day`` and ``interval``)."""
