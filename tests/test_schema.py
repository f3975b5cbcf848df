"""The record schema: every field the engine emits has a kind, and the tables hold it as its kind says."""

from __future__ import annotations

import pytest

import simsvc
from simsvc.sim.schema import (
    COMPLAINT_FIELDS,
    FIELD_KINDS,
    KIND_DTYPES,
    QUALITY_FIELDS,
    RECORD_FIELDS,
    STEP_FIELDS,
    customer_fields,
)  # fmt: skip
from tests.helpers import SCENARIOS

_TABLE_NAMES = {"klass": "class"}  # the engine's field -> the table's column


def test_every_field_has_a_kind():
    fields = {*RECORD_FIELDS, *STEP_FIELDS, *QUALITY_FIELDS, *COMPLAINT_FIELDS, *customer_fields(quality=True)}
    assert sorted(fields - FIELD_KINDS.keys()) == []
    assert set(FIELD_KINDS.values()) <= KIND_DTYPES.keys()
    assert customer_fields(quality=False) == RECORD_FIELDS


@pytest.mark.parametrize("table", ["customers", "steps"])
def test_the_tables_hold_each_field_as_its_kind_says(table):
    frame = getattr(simsvc.simulate(SCENARIOS / "bank_branch.yaml", 1, seed=3, keep_records=True), table)
    fields = RECORD_FIELDS if table == "customers" else STEP_FIELDS
    checked = 0
    for field in fields:
        column = _TABLE_NAMES.get(field, field)
        if column in frame:  # a cell becomes day and interval
            assert str(frame[column].dtype) == KIND_DTYPES[FIELD_KINDS[field]], (table, field)
            checked += 1
    assert checked == len(fields) - (table == "customers")
