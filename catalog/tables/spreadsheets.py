"""Reading an Excel workbook as the rows of the CSV a person would have saved from it.

The streaming validator reads every tabular upload as rows of strings; this gives it a
worksheet of an .xlsx (the first, or the one the dialect names) in that shape, one row at a
time and in bounded memory. An .xlsx is a zip file, so its declared sizes are checked before
anything is inflated: Python's `zipfile` never inflates a member past its declared size,
which makes that check enough to stop a zip bomb.

Nothing the file says about itself is trusted: the size a sheet declares (`<dimension>`) is
ignored, as a 1.4 KB file declaring all 17 billion cells of a sheet once took 4 GB to read;
rows are as wide as their last cell and no more numerous than Excel allows. Its XML is parsed
through defusedxml (openpyxl uses it when installed, checked below), so entity declarations
(billion laughs) and external references are refused, and a malformed file is refused too.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from xml.etree.ElementTree import ParseError

import openpyxl.xml
from defusedxml import DefusedXmlException
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from catalog.errors import Invalid

if not openpyxl.xml.DEFUSEDXML:
    raise ImportError(
        "openpyxl must parse workbooks with defusedxml: install it and leave "
        "OPENPYXL_DEFUSEDXML unset."
    )

MAX_UNZIPPED_BYTES = 1024**3
MAX_RATIO = 200
RATIO_CHECKED_FROM_BYTES = 10 * 1024**2
MAX_ROWS = 1_048_576  # Excel's own limit: no real sheet has more
NOT_A_WORKBOOK = "This file is not a readable Excel .xlsx workbook."
# What openpyxl raises on a file that is not well-formed, or holds entities (defusedxml's
# refusals are ValueErrors), or refers to a shared string or style that is not there.
UNREADABLE = (
    zipfile.BadZipFile,
    InvalidFileException,
    ParseError,
    ValueError,
    KeyError,
    IndexError,
    TypeError,
    EOFError,
)


def xlsx_rows(
    path: Path,
    *,
    sheet: str | int | None = None,
    width_from: int = 1,
    max_cells: int = 50_000_000,
    max_unzipped_bytes: int = MAX_UNZIPPED_BYTES,
) -> Iterator[list[str]]:
    """Yield each row of a worksheet as strings (the first, or `sheet` by name or number from
    1); raise Invalid on the first `next()`.

    Rows start at the sheet's first row, as in Excel's own CSV export; from row `width_from`
    (the header's) each row is padded to that row's width, and empty cells beyond it are
    dropped, so a stray formatted cell far to the right does not give every row extra
    columns. Formulas give their cached value, "" when none was saved.
    """
    refuse_zip_bomb(path, max_unzipped_bytes=max_unzipped_bytes)
    with path.open("rb") as handle:
        # A file object, not the path: stored uploads have no .xlsx name for openpyxl to check.
        try:
            workbook = load_workbook(handle, read_only=True, data_only=True)
        except UNREADABLE as error:
            raise _unreadable(error) from error
        try:
            chosen = _worksheet(workbook, sheet)
            yield from _sheet_rows(chosen, width_from=width_from, max_cells=max_cells)
        except UNREADABLE as error:
            raise _unreadable(error) from error
        finally:
            workbook.close()


def _worksheet(workbook, sheet: str | int | None):
    """The sheet the dialect names, or the first; Invalid, naming the sheets there are,
    when it is not there."""
    if not workbook.worksheets:
        raise Invalid("This workbook has no worksheet to read.", field="file")
    if sheet is None:
        return workbook.worksheets[0]
    if isinstance(sheet, str) and sheet in workbook.sheetnames:
        return workbook[sheet]
    if isinstance(sheet, int) and 1 <= sheet <= len(workbook.worksheets):
        return workbook.worksheets[sheet - 1]
    names = ", ".join(f"'{name}'" for name in workbook.sheetnames)
    which = f"named '{sheet}'" if isinstance(sheet, str) else f"number {sheet}"
    raise Invalid(f"This workbook has no sheet {which}; its sheets are {names}.", field="file")


def _sheet_rows(sheet, *, width_from: int, max_cells: int) -> Iterator[list[str]]:
    sheet.reset_dimensions()  # the cells themselves say how far the sheet goes
    header_width = None
    cells = 0
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells += len(values)
        if cells > max_cells:
            raise Invalid(
                f"This spreadsheet has more than {max_cells:,} cells; "
                "split it or upload it as CSV.",
                field="file",
            )
        if number > MAX_ROWS:
            raise Invalid(
                f"This spreadsheet has rows beyond row {MAX_ROWS:,}, the last Excel allows; "
                "save it again from Excel or upload it as CSV.",
                field="file",
            )
        row = [cell_text(value) for value in _trimmed(values, keep=header_width or 0)]
        if number == width_from:
            header_width = len(row)
        yield row + [""] * ((header_width or 0) - len(row))


def _unreadable(error: Exception) -> Invalid:
    """A refusal that says what was wrong where the parser knows (openpyxl wraps its
    parser's errors in its own)."""
    while error.__cause__ is not None and not isinstance(error, DefusedXmlException | ParseError):
        error = error.__cause__  # type: ignore[assignment]
    if isinstance(error, DefusedXmlException):
        return Invalid(
            "This workbook's XML declares entities or refers to other files, which no real "
            "workbook does; save it again from Excel or upload it as CSV.",
            field="file",
        )
    if isinstance(error, ParseError):
        return Invalid(f"This workbook's XML is malformed ({error}).", field="file")
    return Invalid(NOT_A_WORKBOOK, field="file")


def refuse_zip_bomb(path: Path, *, max_unzipped_bytes: int = MAX_UNZIPPED_BYTES) -> None:
    """Raise Invalid when the zip would inflate past the limit or far beyond any real workbook."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile as error:
        raise Invalid(NOT_A_WORKBOOK, field="file") from error
    limit_mb = max_unzipped_bytes // 1024**2
    if sum(member.file_size for member in members) > max_unzipped_bytes:
        raise Invalid(
            f"This spreadsheet expands to more than {limit_mb:,} MB when opened; "
            "split it or upload it as CSV.",
            field="file",
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_CHECKED_FROM_BYTES and ratio > MAX_RATIO:
            raise Invalid(
                f"This spreadsheet expands {ratio:,.0f} times when opened, far more than a real "
                "workbook; save it again from Excel or upload it as CSV.",
                field="file",
            )


def cell_text(value: object) -> str:
    """The text a person would have typed for this cell value in a CSV."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value).removesuffix(".0")
    if isinstance(value, datetime):
        if value.time() == time():
            return value.date().isoformat()
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat(timespec="seconds")
    return str(value)


def _trimmed(values: tuple | list, *, keep: int) -> tuple | list:
    end = len(values)
    while end > keep and values[end - 1] is None:
        end -= 1
    return values[:end]
