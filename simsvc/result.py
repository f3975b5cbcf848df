"""The result of :func:`simsvc.simulate`: per-customer records and KPIs with CIs."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

import numpy as np
import pandas as pd

from simsvc import display
from simsvc.jsonsafe import json_number
from simsvc.metrics import KPI_NAMES, confidence_intervals
from simsvc.records import complaint_table, customer_table, step_table
from simsvc.scenario.models import Scenario

__all__ = ["SimResult"]

Group = Literal["overall", "class", "interval", "day", "station"]


@dataclass(frozen=True)
class SimResult:
    """KPIs per replication (``kpis``, long table) and, if kept, the customer records as DataFrames.

    Attributes:
        scenario: the scenario simulated.
        seed: the seed its replications were drawn from.
        kpis: one row per replication, group, key and KPI (``value`` column).
        warnings: plain-language notes (overload, truncation, interruption).
        interrupted: a Ctrl-C stopped the run; the finished replications are here.
        truncated: arrivals stopped at ``simulation.max_customers``.
        engine: which engine ran the replications: ``kernel`` (the compiled fast path) or
            ``simpy``; they give the same records.
        engine_note: why ``engine="auto"`` ran SimPy (the feature the kernel does not run, or
            numba missing); None otherwise.
    """

    scenario: Scenario
    seed: int
    kpis: pd.DataFrame
    _records: list[tuple[int, np.ndarray, np.ndarray]] | None = field(repr=False)
    """Per replication: its number, customer rows and complaint rows (the engine's layout, private:
    the tables below are the interface)."""
    warnings: list[str] = field(default_factory=list)
    interrupted: bool = False
    truncated: bool = False
    _step_records: list[tuple[int, np.ndarray]] | None = field(default=None, repr=False)
    """Per replication: its number and the step rows of its journey customers (engine layout, private)."""
    engine: str = "simpy"
    engine_note: str | None = None

    @property
    def has_records(self) -> bool:
        """Whether the per-customer tables were kept (``keep_records``)."""
        return self._records is not None

    @property
    def replications(self) -> int:
        """How many replications finished."""
        return int(self.kpis["replication"].nunique())

    @cached_property
    def customers(self) -> pd.DataFrame:
        """One row per customer and replication.

        Columns: ``replication``, ``customer`` (arrival order), ``class``, ``day`` (1 = first),
        ``interval`` ("HH:MM" start), ``arrival``/``start``/``end`` (minutes since 00:00 of
        day 1; NaN when not served), ``wait`` (minutes in queue; to abandonment for those
        who abandoned; NaN for balking), ``team`` (None when not served), ``outcome``
        (served / abandoned / balked; ``open``: deferred work still waiting at the horizon's end, its
        wait counted to then) and ``warmup`` (arrived during the warm-up). With the
        quality model: ``gap`` (weighted), ``category`` (delighted / satisfied /
        dissatisfied, before any complaint), ``complained``, ``recovered``,
        ``final_category`` (after complaint handling; ``unresolved`` if not recovered),
        ``returns`` (will come back; NA without loyalty), ``returning`` (came back from an
        earlier visit) and ``gap_<dimension>`` for the five dimensions.
        """
        if self._records is None:
            raise ValueError("per-customer records were not kept (keep_records=False)")
        return customer_table(self.scenario, self._records)

    @cached_property
    def steps(self) -> pd.DataFrame:
        """One row per step a customer took, per replication (a class without a journey: one step).

        Columns: ``replication``, ``customer``, ``class``, ``visit`` (0 = its first step; a step
        taken again, as rework, is a new visit), ``step`` (its name), ``team`` (None when not
        served), ``arrival`` (when it joined the step), ``wait`` (there; to abandonment for who
        abandoned, NaN for balking), ``start``/``end`` (its service there, NaN when not served)
        and ``outcome`` (served / abandoned / balked). A customer's ``wait`` in
        :attr:`customers` is the sum of its steps' waits.
        """
        if self._records is None:
            raise ValueError("per-customer records were not kept (keep_records=False)")
        return step_table(self.scenario, self._records, self._step_records or [])

    @cached_property
    def complaints(self) -> pd.DataFrame:
        """One row per complaint and replication.

        Columns: ``customer``, ``class``, ``customer_arrival``, ``filed``,
        ``wait_before_handling``, ``start``, ``end``, ``team``, ``handled``,
        ``resolution_time``, ``recovered``, ``category_after`` and ``returns``.
        """
        if self._records is None:
            raise ValueError("per-customer records were not kept (keep_records=False)")
        return complaint_table(self.scenario, self._records)

    def _table(self, group: Group) -> pd.DataFrame:
        values = self.kpis[self.kpis["group"] == group]
        ci = confidence_intervals(values, ["key", "kpi"], self.scenario.simulation.confidence)
        return ci

    def summary(self) -> pd.DataFrame:
        """Overall KPIs: index KPI name; columns ``mean``, ``ci_low``, ``ci_high``, ``n``.

        ``n`` counts the replications where the KPI is defined (a ratio with nothing to count is
        NaN, "not applicable"); the interval is clipped to the KPI's range (:mod:`simsvc.metrics`).
        """
        table = self._table("overall").droplevel("key")
        return table.reindex([k for k in KPI_NAMES if k in table.index])

    def by_class(self) -> pd.DataFrame:
        """KPIs per customer class: index ``(class, kpi)``."""
        return self._table("class").rename_axis(["class", "kpi"])

    def by_interval(self) -> pd.DataFrame:
        """KPIs per interval of the day (all days together): index ``(interval, kpi)``."""
        return self._table("interval").rename_axis(["interval", "kpi"])

    def by_day(self) -> pd.DataFrame:
        """KPIs per day (1 = first): index ``(day, kpi)``."""
        return self._table("day").rename_axis(["day", "kpi"])

    def by_station(self) -> pd.DataFrame:
        """KPIs per station (front-line team): index ``(station, kpi)``.

        ``served`` (its visits served, a journey's steps each counted), ``mean_wait_served`` and
        ``mean_service_time`` (of those visits), ``abandoned`` (visits abandoned in its queue; a
        queue shared by a pool's teams is no one team's, so those are in no station's count) and
        ``utilization`` (busy over on-duty server-minutes), over customers who arrived after the
        warm-up, with the CIs of :meth:`by_class`.
        """
        return self._table("station").rename_axis(["station", "kpi"])

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``simsvc run --format json`` (an undefined or infinite value is None)."""

        def table(frame: pd.DataFrame) -> dict[str, dict[str, float | None]]:
            return {
                str(k): {c: json_number(row[c]) for c in ("mean", "ci_low", "ci_high")} for k, row in frame.iterrows()
            }

        by_class, by_station = self.by_class(), self.by_station()
        return {
            "scenario": self.scenario.name,
            "replications": self.replications,
            "seed": self.seed,
            "kpis": table(self.summary()),
            "by_class": {c: table(by_class.loc[c]) for c in by_class.index.unique("class")},
            "by_station": {t: table(by_station.loc[t]) for t in by_station.index.unique("station")},
            "warnings": list(self.warnings),
            "interrupted": self.interrupted,
            "truncated": self.truncated,
            "engine": self.engine,
            "engine_note": self.engine_note,
        }

    def __repr__(self) -> str:
        return display.result_repr(self)

    def _repr_html_(self) -> str:
        """A compact summary for Jupyter: scenario, replications, seed, main KPIs with CIs."""
        return display.result_html(self)
