"""Engine record rows → the per-customer and per-complaint pandas tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

from simsvc.quality import CATEGORIES, LOYALTY_OUTCOMES
from simsvc.scenario.models import Scenario
from simsvc.scenario.quality_models import DIMENSIONS
from simsvc.sim.engine import RECORD_FIELDS
from simsvc.sim.quality_engine import QUALITY_FIELDS

__all__ = ["complaint_table", "customer_table"]

_OUTCOMES = ["served", "abandoned", "balked"]


def _raw(scenario: Scenario, records: list[tuple[int, np.ndarray]]) -> pd.DataFrame:
    fields = list(RECORD_FIELDS + QUALITY_FIELDS) if scenario.quality.enabled else list(RECORD_FIELDS)
    parts = []
    for r, rows in records:
        frame = pd.DataFrame(rows, columns=fields)
        frame.insert(0, "replication", r)
        parts.append(frame)
    raw = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["replication", *fields])
    return raw.sort_values(["replication", "customer"], kind="stable", ignore_index=True)


def _labels(scenario: Scenario) -> list[str]:
    h = scenario.horizon
    minutes = [round(h.open_minute + j * h.interval_minutes) for j in range(h.n_intervals)]
    return [f"{m // 60:02d}:{m % 60:02d}" for m in minutes]


def _codes(values: pd.Series, names: list[str]) -> pd.Categorical:
    return pd.Categorical.from_codes(values.fillna(-1).to_numpy(dtype=np.int64), names)


def _common(scenario: Scenario, raw: pd.DataFrame, klass: np.ndarray, team_names: list[str]) -> dict:
    h = scenario.horizon
    cell = raw["cell"].to_numpy(dtype=np.int64)
    return {
        "replication": raw["replication"].astype(np.int64),
        "customer": raw["customer"].astype(np.int64),
        "class": pd.Categorical.from_codes(klass, [c.name for c in scenario.customer_classes]),
        "day": cell // h.n_intervals + 1,
        "interval": pd.Categorical.from_codes(cell % h.n_intervals, _labels(scenario)),
        "arrival": raw["arrival"],
        "wait": raw["wait"],
        "start": raw["start"],
        "end": raw["end"],
        "team": _codes(raw["team"], team_names),
    }


def customer_table(scenario: Scenario, records: list[tuple[int, np.ndarray]]) -> pd.DataFrame:
    """One row per customer and replication (see :attr:`simsvc.SimResult.customers`)."""
    raw = _raw(scenario, records)
    n_classes = len(scenario.customer_classes)
    complaints = raw[raw["klass"] >= n_classes]
    raw = raw[raw["klass"] < n_classes].reset_index(drop=True)
    columns = _common(scenario, raw, raw["klass"].to_numpy(dtype=np.int64), [t.name for t in scenario.teams])
    columns["outcome"] = _codes(raw["outcome"], _OUTCOMES)
    columns["warmup"] = raw["arrival"] < scenario.horizon.open_minute + scenario.simulation.warmup_minutes
    if scenario.quality.enabled:
        final = complaints.set_index(["replication", "customer"])
        key = pd.MultiIndex.from_frame(raw[["replication", "customer"]])
        columns["gap"] = raw["gap"]
        columns["category"] = _codes(raw["category"], list(CATEGORIES))
        columns["complained"] = raw["complained"] == 1
        columns["recovered"] = final["recovered"].reindex(key).to_numpy() == 1
        final_category = raw["category"].to_numpy(dtype=float).copy()
        handled = final["category"].reindex(key).to_numpy()
        final_category[~np.isnan(handled)] = handled[~np.isnan(handled)]
        columns["final_category"] = _codes(pd.Series(final_category), list(LOYALTY_OUTCOMES))
        returns = raw["returns"].to_numpy() + np.nan_to_num(final["returns"].reindex(key).to_numpy())
        columns["returns"] = returns == 1
        for d in DIMENSIONS:
            columns[f"gap_{d}"] = raw[f"gap_{d}"]
    return pd.DataFrame(columns)


def complaint_table(scenario: Scenario, records: list[tuple[int, np.ndarray]]) -> pd.DataFrame:
    """One row per complaint: who complained, when it was filed, handled and resolved."""
    if not scenario.quality.enabled:
        raise ValueError("the quality model is switched off: there are no complaints")
    raw = _raw(scenario, records)
    n_classes = len(scenario.customer_classes)
    raw = raw[raw["klass"] >= n_classes].reset_index(drop=True)
    team_names = [t.name for t in scenario.teams] + [t.name for t in scenario.complaints.teams]
    columns = _common(scenario, raw, raw["klass"].to_numpy(dtype=np.int64) - n_classes, team_names)
    columns["filed"] = raw["filed"]
    columns["handled"] = raw["outcome"] == 0
    columns["resolution_time"] = raw["end"] - raw["filed"]
    columns["recovered"] = raw["recovered"] == 1
    columns["category_before"] = _codes(pd.Series(np.full(len(raw), 2.0)), list(LOYALTY_OUTCOMES))
    columns["category_after"] = _codes(raw["category"], list(LOYALTY_OUTCOMES))
    columns["returns"] = raw["returns"] == 1
    frame = pd.DataFrame(columns)
    return frame.rename(columns={"wait": "wait_before_handling", "arrival": "customer_arrival"})
