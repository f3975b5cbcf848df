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


def _number(path: Path, row: int, column: str, text: str, *, minimum: float = 0.0) -> float:
    try:
        value = float(text)
    except ValueError:
        raise FileProblem(f"{path.name} row {row}, column {column!r}: {_cell(text)} is not a number") from None
    if not math.isfinite(value) or value < minimum:
        raise FileProblem(f"{path.name} row {row}, column {column!r}: {_cell(text)} must be >= {minimum:g}")
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
    return tuple(_number(path, i + 2, column, r[column]) for i, r in enumerate(rows))


def _trace_time(path: Path, row: int, text: str, open_minute: float) -> float:
    if ":" in text:
        parts = text.split(":")
        try:
            h, m, s = (int(parts[0]), int(parts[1]), float(parts[2]) if len(parts) > 2 else 0.0)
        except (ValueError, IndexError):
            raise FileProblem(f"{path.name} row {row}, column 'time': {_cell(text)} is not HH:MM[:SS]") from None
        minute = h * 60 + m + s / 60 - open_minute
        if minute < 0:
            raise FileProblem(f"{path.name} row {row}, column 'time': {_cell(text)} is before opening")
        return minute
    return _number(path, row, "time", text)


def read_trace(path: Path, open_minute: float) -> dict[str, tuple]:
    """Arrival times (minutes after opening), days and optional service times of a trace."""
    header, rows = _rows(path)
    if "time" not in header:
        raise _no_column(path, "time", header)
    times = tuple(_trace_time(path, i + 2, r["time"], open_minute) for i, r in enumerate(rows))
    days = tuple(int(_number(path, i + 2, "day", r["day"])) if "day" in header else 0 for i, r in enumerate(rows))
    service = (
        tuple(_number(path, i + 2, "service_time", r["service_time"]) for i, r in enumerate(rows))
        if "service_time" in header
        else None
    )
    return {"trace_times": times, "trace_days": days, "trace_service": service}


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
