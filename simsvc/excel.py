"""Writing tables to ``.xlsx`` (openpyxl) as planners open them: bold filled header, frozen panes, fitted columns."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from simsvc.output import atomic_write
from simsvc.terminal import printable

__all__ = ["write_xlsx"]

_MAX_WIDTH = 40


def write_xlsx(path: Path, sheets: dict[str, pd.DataFrame], frozen_columns: dict[str, int] | None = None) -> None:
    """Write each DataFrame to a sheet of ``path``; the header row (and ``frozen_columns[sheet]`` columns) frozen."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    frozen_columns = frozen_columns or {}
    book = Workbook()
    book.remove(book.active)
    header_font, header_fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="305496")
    for name, frame in sheets.items():
        sheet = book.create_sheet(title=name[:31])
        sheet.append([printable(str(c)) for c in frame.columns])
        for row in frame.itertuples(index=False):
            sheet.append([None if isinstance(x, float) and pd.isna(x) else _plain(x) for x in row])
        for cell in sheet[1]:
            cell.font, cell.fill = header_font, header_fill
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.freeze_panes = sheet.cell(row=2, column=frozen_columns.get(name, 0) + 1)
        for j, column in enumerate(frame.columns, start=1):
            width = max([len(str(column))] + [len(str(x)) for x in frame[column].head(500)])
            sheet.column_dimensions[get_column_letter(j)].width = min(_MAX_WIDTH, width + 2)
    atomic_write(path, book.save)


def _plain(x: object) -> object:
    r"""NumPy scalars as Python numbers (openpyxl writes only those); text with control characters escaped.

    A worksheet cannot hold control characters (openpyxl refuses them); a name from a user's
    file may have one, so it is written as the terminal shows it (``\x1b``).
    """
    if isinstance(x, str):
        return printable(x)
    return x.item() if hasattr(x, "item") else x
