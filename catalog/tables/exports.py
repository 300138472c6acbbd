"""CSV (and Excel workbooks) the site itself writes: UTF-8, and safe to open in a spreadsheet.

A cell that starts with =, +, -, @ (or a tab or carriage return) would run as a formula in Excel
or LibreOffice; such text cells get a leading apostrophe, column headings included (they come
from the publisher's file too). Numbers are written as numbers.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import IO, Any

from openpyxl import Workbook

from catalog.errors import Invalid

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_LINE = re.compile(r"^[=+\-@\t\r]", re.MULTILINE)
EXCEL_ROWS = 1_048_576


class TooManyRowsForExcel(Invalid):
    """The rows asked for do not fit on one Excel sheet."""


def safe_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_header(labels: Sequence[str]) -> list[Any]:
    """Column headings as safe as any other cell."""
    return [safe_cell(label) for label in labels]


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(safe_header(header))
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return buffer.getvalue()


def neutralised(rows: Sequence[Sequence[Any]], text_columns: list[int]) -> Sequence[Sequence[Any]]:
    """A batch of rows with every risky text cell made safe; a column with none (the usual
    case) is passed over with one search of its joined text, not a test of every cell."""
    risky = [
        position
        for position in text_columns
        if FORMULA_LINE.search("\n".join(row[position] or "" for row in rows))
    ]
    if not risky:
        return rows
    return [
        [safe_cell(value) if position in risky else value for position, value in enumerate(row)]
        for row in rows
    ]


def check_fits_excel(rows: int) -> None:
    """Excel holds at most 1,048,576 rows, heading included: a larger answer is refused rather
    than cut short, since a spreadsheet silently missing rows would mislead."""
    if rows + 1 > EXCEL_ROWS:
        raise TooManyRowsForExcel(
            f"An Excel sheet holds at most {EXCEL_ROWS - 1:,} rows of data and this view has "
            f"{rows:,}: add filters, or download it as CSV."
        )


def write_xlsx(
    target: IO[bytes], header: Sequence[str], batches: Iterable[Sequence[Sequence[Any]]]
) -> None:
    """An Excel workbook of the rows, written a row at a time (openpyxl's write-only mode)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("data")
    sheet.append(safe_header(header))
    for rows in batches:
        for row in rows:
            sheet.append([None if value is None else safe_cell(value) for value in row])
    workbook.save(target)
