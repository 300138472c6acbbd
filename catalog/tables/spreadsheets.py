"""Reading an Excel workbook as the rows of the CSV a person would have saved from it.

The streaming validator reads every tabular upload as rows of strings; this gives it the first
worksheet of an .xlsx in that shape, one row at a time and in bounded memory. An .xlsx is a zip
file, so its declared sizes are checked before anything is inflated: Python's `zipfile` never
inflates a member past its declared size, which makes that check enough to stop a zip bomb.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from catalog.errors import Invalid

MAX_UNZIPPED_BYTES = 1024**3
MAX_RATIO = 200
RATIO_CHECKED_FROM_BYTES = 10 * 1024**2
NOT_A_WORKBOOK = "This file is not a readable Excel .xlsx workbook."


def xlsx_rows(
    path: Path, *, max_cells: int = 50_000_000, max_unzipped_bytes: int = MAX_UNZIPPED_BYTES
) -> Iterator[list[str]]:
    """Yield each row of the first worksheet as strings; raise Invalid on the first `next()`.

    Rows span the sheet's used range, as in Excel's own CSV export; empty cells at the end of a
    row are dropped beyond the header's width, so a stray formatted cell far to the right does
    not give every row extra columns. Formulas give their cached value, "" when none was saved.
    """
    refuse_zip_bomb(path, max_unzipped_bytes=max_unzipped_bytes)
    with path.open("rb") as handle:
        # A file object, not the path: stored uploads have no .xlsx name for openpyxl to check.
        try:
            workbook = load_workbook(handle, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, InvalidFileException) as error:
            raise Invalid(NOT_A_WORKBOOK, field="file") from error
        try:
            if not workbook.worksheets:
                raise Invalid("This workbook has no worksheet to read.", field="file")
            header_width = None
            cells = 0
            for values in workbook.worksheets[0].iter_rows(values_only=True):
                cells += len(values)
                if cells > max_cells:
                    raise Invalid(
                        f"This spreadsheet has more than {max_cells:,} cells; "
                        "split it or upload it as CSV.",
                        field="file",
                    )
                row = _trimmed(values, keep=header_width or 0)
                if header_width is None:
                    header_width = len(row)
                yield [cell_text(value) for value in row]
        finally:
            workbook.close()


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


def _trimmed(values: tuple, *, keep: int) -> tuple:
    end = len(values)
    while end > keep and values[end - 1] is None:
        end -= 1
    return values[:end]
