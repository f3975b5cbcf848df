"""Every record field the engine emits, in one place: customers and the steps of their journeys.

Rows are float arrays (column order as listed); :mod:`simsvc.records` turns them into the
DataFrames of :class:`simsvc.SimResult`. Codes: outcomes :data:`SERVED`, :data:`ABANDONED`,
:data:`BALKED`; a team -1 is "not served".
"""

from __future__ import annotations

__all__ = ["ABANDONED", "BALKED", "OUTCOMES", "RECORD_FIELDS", "SERVED", "STEP_FIELDS"]

SERVED, ABANDONED, BALKED = 0, 1, 2
OUTCOMES = ("served", "abandoned", "balked")
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
