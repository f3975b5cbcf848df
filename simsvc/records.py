"""Engine record rows → the per-customer and per-complaint pandas tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

from simsvc.quality import CATEGORIES, LOYALTY_OUTCOMES
from simsvc.scenario.models import Scenario
from simsvc.sim.schema import COMPLAINT_FIELDS, FIELD_KINDS, GAP_FIELDS, OUTCOMES, STEP_FIELDS, customer_fields

__all__ = ["Records", "StepRecords", "complaint_table", "customer_table", "step_table"]

Records = list[tuple[int, np.ndarray, np.ndarray]]
"""Per replication: its number, customer rows and complaint rows."""
StepRecords = list[tuple[int, np.ndarray]]
"""Per replication: its number and the step rows of its journey customers."""
_OUTCOMES = list(OUTCOMES)


def _frame(records: Records, part: int, fields: tuple[str, ...]) -> pd.DataFrame:
    parts = []
    for r, *rows in records:
        if len(rows[part]):
            frame = pd.DataFrame(rows[part], columns=list(fields))
            frame.insert(0, "replication", r)
            parts.append(frame)
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in ("replication", *fields)})
    raw = pd.concat(parts, ignore_index=True)
    return raw.sort_values(["replication", "customer"], kind="stable", ignore_index=True)


def _labels(scenario: Scenario) -> list[str]:
    h = scenario.horizon
    minutes = [round(h.open_minute + j * h.interval_minutes) for j in range(h.n_intervals)]
    return [f"{m // 60:02d}:{m % 60:02d}" for m in minutes]


def _codes(values: pd.Series | np.ndarray, names: list[str]) -> pd.Categorical:
    return pd.Categorical.from_codes(np.nan_to_num(np.asarray(values, dtype=float), nan=-1).astype(np.int64), names)


def _typed(scenario: Scenario, raw: pd.DataFrame, field: str) -> pd.Series | pd.Categorical:
    """A record field as its table holds it, by its kind (:data:`~simsvc.sim.schema.FIELD_KINDS`)."""
    kind = FIELD_KINDS[field]
    if kind in ("id", "count"):
        return raw[field].astype(np.int64)
    if kind == "class":
        return _codes(raw[field], [c.name for c in scenario.customer_classes])
    if kind == "team":
        return _codes(raw[field], [t.name for t in scenario.teams])
    if kind == "outcome":
        return _codes(raw[field], _OUTCOMES)
    if kind in ("minutes", "value"):
        return raw[field]
    raise ValueError(f"field(={field!r}) of kind {kind!r} needs its table's own names")


def _common(scenario: Scenario, raw: pd.DataFrame) -> dict:
    h = scenario.horizon
    cell = raw["cell"].to_numpy(dtype=np.int64)
    return {
        "replication": raw["replication"].astype(np.int64),
        "customer": _typed(scenario, raw, "customer"),
        "class": _typed(scenario, raw, "klass"),
        "day": cell // h.n_intervals + 1,
        "interval": pd.Categorical.from_codes(cell % h.n_intervals, _labels(scenario)),
    }


def _returns(scenario: Scenario, values: np.ndarray) -> pd.arrays.BooleanArray:
    """Whether each customer will come back: NA without loyalty (not modelled)."""
    if scenario.loyalty is None:
        return pd.array([pd.NA] * len(values), dtype="boolean")
    return pd.array(np.asarray(values) == 1, dtype="boolean")


def customer_table(scenario: Scenario, records: Records) -> pd.DataFrame:
    """One row per customer and replication (see :attr:`simsvc.SimResult.customers`)."""
    quality = scenario.quality.enabled
    raw = _frame(records, 0, customer_fields(quality))
    columns = _common(scenario, raw)
    for name in ("arrival", "wait", "start", "end", "team", "outcome"):
        columns[name] = _typed(scenario, raw, name)
    columns["warmup"] = raw["arrival"] < scenario.horizon.open_minute + scenario.simulation.warmup_minutes
    if quality:
        complaints = _frame(records, 1, COMPLAINT_FIELDS).set_index(["replication", "customer"])
        key = pd.MultiIndex.from_frame(raw[["replication", "customer"]].astype(np.int64))
        handled = complaints.reindex(key)
        columns["gap"] = raw["gap"]
        columns["category"] = _codes(raw["category"], list(CATEGORIES))
        columns["complained"] = raw["complained"] == 1
        columns["recovered"] = handled["recovered"].to_numpy() == 1
        final = np.where(np.isnan(handled["category"].to_numpy()), raw["category"], handled["category"].to_numpy())
        columns["final_category"] = _codes(final, list(LOYALTY_OUTCOMES))
        after = raw["returns"].to_numpy() + np.nan_to_num(handled["returns"].to_numpy())
        columns["returns"] = _returns(scenario, after)
        columns["returning"] = raw["returning"] == 1
        for name in GAP_FIELDS:
            columns[name] = raw[name]
    return pd.DataFrame(columns)


def complaint_table(scenario: Scenario, records: Records) -> pd.DataFrame:
    """One row per complaint: who complained, when it was filed, handled and resolved."""
    if not scenario.quality.enabled:
        raise ValueError("the quality model is switched off: there are no complaints")
    raw = _frame(records, 1, COMPLAINT_FIELDS)
    team_names = [t.name for t in scenario.teams] + [t.name for t in scenario.complaints.teams]
    columns = _common(scenario, raw)
    columns.update(
        {
            "customer_arrival": raw["arrival"],
            "filed": raw["filed"],
            "wait_before_handling": raw["wait"],
            "start": raw["start"],
            "end": raw["end"],
            "team": _codes(raw["team"], team_names),
            "handled": raw["handled"] == 1,
            "resolution_time": raw["end"] - raw["filed"],
            "recovered": raw["recovered"] == 1,
            "category_after": _codes(raw["category"], list(LOYALTY_OUTCOMES)),
            "returns": _returns(scenario, raw["returns"].to_numpy()),
        }
    )
    return pd.DataFrame(columns)


def step_table(scenario: Scenario, records: Records, step_records: StepRecords) -> pd.DataFrame:
    """One row per customer step and replication (see :attr:`simsvc.SimResult.steps`).

    A class of one step has one row per customer, its customer row; a journey's steps are
    recorded by the engine as they are taken.
    """
    raw = _frame(records, 0, customer_fields(scenario.quality.enabled))
    journeys = scenario.journeys
    multi = np.array([not j.one_step for j in journeys])
    single = raw[~multi[raw["klass"].to_numpy(dtype=np.int64)]] if len(raw) else raw
    one = pd.DataFrame({
        "replication": single["replication"], "customer": single["customer"], "klass": single["klass"],
        "visit": 0.0, "step": 0.0, "team": single["team"], "arrival": single["arrival"], "wait": single["wait"],
        "start": single["start"], "end": single["end"], "outcome": single["outcome"],
    })  # fmt: skip
    steps = _frame(step_records, 0, STEP_FIELDS) if any(len(r[1]) for r in step_records) else one.iloc[:0]
    raw = pd.concat([one, steps], ignore_index=True).sort_values(
        ["replication", "customer", "visit"], kind="stable", ignore_index=True
    )
    klass = raw["klass"].to_numpy(dtype=np.int64)
    step = raw["step"].to_numpy(dtype=np.int64)
    names = np.array([s.name for j in journeys for s in j.steps], dtype=object)
    offset = np.cumsum([0] + [len(j.steps) for j in journeys])[:-1]
    return pd.DataFrame({
        "replication": raw["replication"].astype(np.int64),
        "customer": _typed(scenario, raw, "customer"),
        "class": _typed(scenario, raw, "klass"),
        "visit": _typed(scenario, raw, "visit"),
        "step": pd.Categorical(names[offset[klass] + step] if len(raw) else []),
        **{name: _typed(scenario, raw, name) for name in ("team", "arrival", "wait", "start", "end", "outcome")},
    })  # fmt: skip
