"""Reading a contact log (an ACD or queue log): one row per contact, checked cell by cell.

Columns (more are ignored): ``arrival`` (a timestamp such as ``2026-01-05 08:00:10``),
``wait`` (minutes in queue; for an abandoned contact, until it hung up), ``handling_time``
(minutes of talk and wrap-up; blank when abandoned) and ``abandoned`` (1/0, true/false,
yes/no). A ``.gz`` file is read decompressed. Every problem is reported as
``row N, column 'c': what is wrong`` (row 2 is the first data row, as a spreadsheet counts),
so the planner can find the cell.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from simsvc.errors import ScenarioError

__all__ = ["LOG_COLUMNS", "LogError", "read_log"]

LOG_COLUMNS = ("arrival", "wait", "handling_time", "abandoned")
"""The columns a contact log must have."""

_TRUE, _FALSE = {"1", "true", "yes", "y", "t"}, {"0", "false", "no", "n", "f"}
_SHOWN = 10  # problems listed per column; the rest are counted


class LogError(ScenarioError):
    """A contact log is missing, unreadable or has bad cells (each named by row and column)."""

    kind = "contact log"


def read_log(path: Path | str) -> pd.DataFrame:
    """The contact log at ``path``, checked: columns of :data:`LOG_COLUMNS`, sorted by arrival.

    Returns:
        ``arrival`` (datetime64), ``wait`` and ``handling_time`` (float minutes; NaN when
        abandoned) and ``abandoned`` (bool), in arrival order.

    Raises:
        LogError: the file is missing or unreadable, a column is missing, a timestamp does not
            parse, a duration is not a number or is negative, a flag is not a yes/no, or a call
            answered has no handling time (every bad cell, by row and column).
    """
    path = Path(path)
    source = str(path)
    if not path.is_file():
        raise LogError(source, [("", f"file not found: {path}")])
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, EOFError, ValueError) as exc:
        raise LogError(source, [("", f"cannot read it as CSV: {exc}")]) from None
    raw.columns = [str(c).strip() for c in raw.columns]
    missing = [c for c in LOG_COLUMNS if c not in raw.columns]
    if missing:
        have = ", ".join(raw.columns) or "none"
        raise LogError(source, [("", f"missing column(s) {', '.join(missing)} (columns: {have})")])
    if raw.empty:
        raise LogError(source, [("", "no data rows")])
    text = {c: raw[c].str.strip() for c in LOG_COLUMNS}
    problems: list[tuple[str, str]] = []

    arrival = pd.to_datetime(text["arrival"], errors="coerce", format="ISO8601")
    problems += _bad(text["arrival"], arrival.isna(), "arrival", "is not a timestamp (YYYY-MM-DD HH:MM[:SS])")

    flag = text["abandoned"].str.lower()
    abandoned = flag.isin(_TRUE)
    not_flag = ~(abandoned | flag.isin(_FALSE))
    problems += _bad(text["abandoned"], not_flag, "abandoned", "is not 1/0, true/false or yes/no")

    durations = {}
    for column in ("wait", "handling_time"):
        value = pd.to_numeric(text[column], errors="coerce")
        blank = text[column] == ""
        allowed_blank = abandoned if column == "handling_time" else pd.Series(False, index=raw.index)
        problems += _bad(text[column], value.isna() & ~blank, column, "is not a number (minutes)")
        problems += _bad(text[column], ~np.isfinite(value) & ~blank & value.notna(), column, "is not finite")
        problems += _bad(text[column], value < 0, column, "is negative (durations are minutes >= 0)")
        missing_value = blank & ~allowed_blank
        what = "is blank, but the call was answered" if column == "handling_time" else "is blank"
        problems += _bad(text[column], missing_value, column, what)
        durations[column] = value
    if problems:
        raise LogError(source, problems)
    log = pd.DataFrame(
        {
            "arrival": arrival,
            "wait": durations["wait"].astype(float),
            "handling_time": durations["handling_time"].astype(float).where(~abandoned),
            "abandoned": abandoned.to_numpy(),
        }
    )
    return log.sort_values("arrival", kind="stable", ignore_index=True)


def _bad(text: pd.Series, mask: pd.Series, column: str, what: str) -> list[tuple[str, str]]:
    """One problem per bad cell (the first few; then how many more), by spreadsheet row."""
    rows = np.flatnonzero(mask.to_numpy(bool))
    out = [(f"row {i + 2}, column {column!r}", f"{text.iloc[i]!r} {what}") for i in rows[:_SHOWN]]
    if len(rows) > _SHOWN:
        out.append((f"column {column!r}", f"{len(rows) - _SHOWN} more row(s) where the value {what}"))
    return out
