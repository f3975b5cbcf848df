"""Reading the CSV files a scenario refers to: demand forecasts and arrival traces.

Every problem is reported as ``(field path, message)`` with the file name and the row,
so a planner can find the bad cell without reading a traceback.
"""

from __future__ import annotations

import csv
import difflib
import math
from pathlib import Path
from typing import Any

import numpy as np

from simsvc.bounds import MAX_DAYS, MAX_MINUTES, MAX_RATE_PER_HOUR
from simsvc.scenario.columns import Column
from simsvc.scenario.confine import OutsideFolder, confine, resolved_dirs

__all__ = ["FileProblem", "read_arrivals_file", "read_forecast", "read_trace"]


class FileProblem(Exception):
    """A referenced file is missing or malformed (message names file, row and column)."""


_CELL_CHARS = 40


def _cell(text: str) -> str:
    """A bad cell as quoted in a message: at most 40 characters (a message never copies a file)."""
    return repr(text if len(text) <= _CELL_CHARS else text[: _CELL_CHARS - 1] + "…")


def _no_column(path: Path, column: str, header: list[str]) -> FileProblem:
    """A missing column; the header is quoted only where a name is close to the one wanted.

    A file that is not the CSV expected (a key, a password file) has a first line too; a
    message listing it would copy it to the screen.
    """
    close = difflib.get_close_matches(column, header, n=3, cutoff=0.6)
    hint = f"did you mean {', '.join(_cell(c) for c in close)}?" if close else f"its header has {len(header)} column(s)"
    return FileProblem(f"{path.name} has no column {column!r} ({hint})")


def _rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    if not path.is_file():
        raise FileProblem(f"file not found: {path}")
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            rows = list(reader)
            header = [h.strip() for h in (reader.fieldnames or [])]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise FileProblem(f"cannot read {path}: {exc}") from None
    if not rows:
        raise FileProblem(f"{path.name} has no data rows")
    return header, [{k.strip(): (v or "").strip() for k, v in r.items() if k} for r in rows]


def _number(path: Path, row: int, column: str, text: str, *, maximum: float) -> float:
    try:
        value = float(text)
    except ValueError:
        raise FileProblem(f"{path.name} row {row}, column {column!r}: {_cell(text)} is not a number") from None
    if not math.isfinite(value) or not 0 <= value <= maximum:
        raise FileProblem(f"{path.name} row {row}, column {column!r}: {_cell(text)} must be between 0 and {maximum:g}")
    return value


def _excel_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """The first sheet of an Excel workbook as :func:`_rows` gives a CSV: header and text cells."""
    import pandas as pd  # lazily: openpyxl comes with it only when a workbook is read

    if not path.is_file():
        raise FileProblem(f"file not found: {path}")
    try:
        frame = pd.read_excel(path, sheet_name=0, dtype=str, keep_default_na=False, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many kinds (zip, XML, key errors) for a damaged workbook
        raise FileProblem(f"cannot read {path} as an Excel workbook: {exc}") from None
    if frame.empty:
        raise FileProblem(f"{path.name} has no data rows")
    header = [str(h).strip() for h in frame.columns]
    return header, [{h: str(v).strip() for h, v in zip(header, r, strict=True)} for r in frame.itertuples(index=False)]


def read_forecast(path: Path, column: str) -> tuple[float, ...]:
    """Rates per hour, one per data row, from ``column`` of a forecast CSV or Excel workbook (``.xlsx``)."""
    header, rows = _excel_rows(path) if path.suffix.lower() == ".xlsx" else _rows(path)
    if column not in header:
        raise _no_column(path, column, header)
    # Data rows start on line 2 of the file (line 1 is the header).
    return tuple(_number(path, i + 2, column, r[column], maximum=MAX_RATE_PER_HOUR) for i, r in enumerate(rows))


_CLOCK = r"^(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}(?:\.\d*)?))?$"
_TRACE_COLUMNS = ("time", "day", "service_time")


def _header(path: Path) -> list[str]:
    """The column names of a CSV file (its first line, a byte-order mark dropped)."""
    if not path.is_file():
        raise FileProblem(f"file not found: {path}")
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            return [h.strip() for h in next(csv.reader(handle), [])]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise FileProblem(f"cannot read {path}: {exc}") from None


def _ragged_row(path: Path, width: int) -> int | None:
    """The file row (the header is row 1) of the first data row without ``width`` cells, if any."""
    with path.open(newline="", encoding="utf-8-sig", errors="replace") as handle:
        for row, cells in enumerate(csv.reader(handle), start=1):
            if row > 1 and cells and len(cells) != width:
                return row
    return None


def _columns(path: Path, header: list[str], as_numbers: bool) -> dict[str, Any]:
    """The trace columns of the file, read column-wise by pyarrow: as float64, or as strings."""
    import pyarrow as pa  # lazily: nothing heavy at import time
    import pyarrow.csv as pacsv

    wanted = [c for c in _TRACE_COLUMNS if c in header]
    kind = pa.float64() if as_numbers else pa.string()
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=header, skip_rows=1, use_threads=True),
            convert_options=pacsv.ConvertOptions(
                include_columns=wanted,
                column_types=dict.fromkeys(wanted, kind),
                null_values=[],  # an empty cell or "NA" is not a number, not a missing value
                strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:
        if as_numbers:
            raise
        row = _ragged_row(path, len(header))
        where = f"row {row} has a different number of cells than the header" if row else "it is not valid CSV"
        raise FileProblem(f"cannot read {path.name}: {where}") from None
    except (OSError, pa.ArrowException) as exc:
        raise FileProblem(f"cannot read {path.name}: {type(exc).__name__}") from None
    return {c: table.column(c) if as_numbers else table.column(c).combine_chunks() for c in wanted}


def _bad_cell(path: Path, column: str, cells: Any, bad: np.ndarray, why: str) -> FileProblem:
    """A problem naming the first bad cell of a column: its file row, the column and the cell alone."""
    i = int(np.flatnonzero(bad)[0])
    value = cells[i].as_py()
    shown = _cell(value) if isinstance(value, str) else repr(value)
    return FileProblem(f"{path.name} row {i + 2}, column {column!r}: {shown} {why}")


def _parse_numbers(strings: Any) -> np.ndarray:
    """Text cells as float64 (NaN where a cell is not a number)."""
    import pandas as pd

    return pd.to_numeric(strings.to_pandas(), errors="coerce").to_numpy(dtype=float)


def _in_range(path: Path, column: str, cells: Any, values: np.ndarray, low: float, high: float) -> np.ndarray:
    """``values`` if every one is a finite number in ``[low, high]``; else the first bad cell's problem."""
    if np.isnan(values).any():
        raise _bad_cell(path, column, cells, np.isnan(values), "is not a number")
    if not np.isfinite(values).all():
        raise _bad_cell(path, column, cells, ~np.isfinite(values), "is not a finite number")
    out = (values < low) | (values > high)
    if out.any():
        raise _bad_cell(path, column, cells, out, f"must be between {low:g} and {high:g}")
    return values


def _clock_minutes(path: Path, strings: Any, clock: np.ndarray) -> np.ndarray:
    """Minutes after midnight of the ``HH:MM[:SS]`` cells where ``clock`` is set (NaN elsewhere)."""
    import pyarrow.compute as pc

    parts = pc.extract_regex(strings, _CLOCK)
    valid = pc.is_valid(parts).to_numpy(zero_copy_only=False)
    h, m, s = (parts.field(k).to_numpy(zero_copy_only=False) for k in ("h", "m", "s"))
    hours = np.where(valid, h, "0").astype(float)
    mins = np.where(valid, m, "0").astype(float)
    secs = np.where(valid & (s != ""), s, "0").astype(float)
    minutes = hours * 60 + mins + secs / 60
    ok = valid & (mins < 60) & (secs < 60) & (minutes <= 1440)
    if (clock & ~ok).any():
        raise _bad_cell(path, "time", strings, clock & ~ok, "is not a clock time HH:MM[:SS] (00:00 to 24:00)")
    return np.where(clock, minutes, np.nan)


def _trace_times(path: Path, cells: Any, numbers: bool, open_minute: float) -> np.ndarray:
    """Minutes after opening: numbers as they are, ``HH:MM[:SS]`` clock times counted from opening."""
    if numbers:
        return _in_range(path, "time", cells, cells.to_numpy(), 0.0, 1440.0)
    import pyarrow.compute as pc

    clock = pc.match_substring(cells, ":").to_numpy(zero_copy_only=False)
    minutes = _parse_numbers(cells) if not clock.all() else np.zeros(len(cells))
    if clock.any():
        minutes = np.where(clock, _clock_minutes(path, cells, clock) - open_minute, minutes)
        if (minutes[clock] < 0).any():
            raise _bad_cell(path, "time", cells, clock & (minutes < 0), "is before opening")
    return _in_range(path, "time", cells, minutes, 0.0, 1440.0)


def read_trace(path: Path, open_minute: float) -> dict[str, Any]:
    """Arrival times (minutes after opening), days and optional service times of a trace.

    The file is read column by column (pyarrow), so a trace of millions of rows costs a few
    arrays, not an object per cell; a problem names the first bad cell's row and column.
    """
    header = _header(path)
    if "time" not in header:
        raise _no_column(path, "time", header)
    try:
        raw, numbers = _columns(path, header, as_numbers=True), True
    except ValueError:  # pyarrow's ArrowInvalid: a cell that is not a number (a clock time?): read text
        raw, numbers = _columns(path, header, as_numbers=False), False
    n = len(raw["time"])
    if n == 0:
        raise FileProblem(f"{path.name} has no data rows")

    def column(name: str, low: float, high: float) -> np.ndarray:
        cells = raw.pop(name)  # the file's column is freed once converted
        return _in_range(path, name, cells, cells.to_numpy() if numbers else _parse_numbers(cells), low, high)

    times = Column(_trace_times(path, raw.pop("time"), numbers, open_minute), copy=False)
    days = np.zeros(n, dtype=np.int64)
    if "day" in raw:
        cells = raw["day"]
        day = column("day", 0, MAX_DAYS - 1)
        fractional = day != np.floor(day)
        if fractional.any():
            raise _bad_cell(path, "day", cells, fractional, "is not a whole day number (0 = the first day)")
        days = day.astype(np.int64)
    service = None if "service_time" not in raw else Column(column("service_time", 0.0, MAX_MINUTES), copy=False)
    return {"trace_times": times, "trace_days": Column(days, copy=False), "trace_service": service}


def read_arrivals_file(
    arrivals: Any, base_dir: Path | None, open_minute: float, allowed: tuple[Path, ...] = ()
) -> dict[str, Any]:
    """The demand an :class:`~simsvc.scenario.models.Arrivals` with a ``csv`` or ``trace_csv`` refers to.

    Returns:
        The resolved fields (``rates_per_hour``, or ``trace_times``, ``trace_days`` and
        ``trace_service``) and the file's reference made absolute (``csv`` or ``trace_csv``),
        so the scenario no longer depends on the folder it came from.

    The file must lie under ``base_dir`` (the current folder if None) or ``allowed``
    (see :mod:`simsvc.scenario.confine`).

    Raises:
        FileProblem: the file is missing, malformed or outside those folders, or it is relative
            and no folder is known.
    """
    field = "csv" if arrivals.csv is not None else "trace_csv"
    name = Path(getattr(arrivals, field))
    if not name.is_absolute():
        if base_dir is None:
            raise FileProblem(
                f"{name} is relative, but the scenario's folder is unknown: give an absolute path, or use "
                "simsvc.load_scenario(file) or load_scenario(mapping, base_dir=folder)"
            )
        name = base_dir / name
    try:
        path = confine(name, resolved_dirs([base_dir or Path.cwd()]), allowed)
    except OutsideFolder as exc:
        raise FileProblem(str(exc)) from None
    if field == "csv":
        return {"csv": str(path), "rates_per_hour": read_forecast(path, arrivals.column)}
    return {"trace_csv": str(path), **read_trace(path, open_minute)}
