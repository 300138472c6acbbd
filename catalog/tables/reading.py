"""Reading tabular files as people actually save them: any common encoding and delimiter,
title rows above the header, notes between the rows, a table on a workbook's second sheet.

Used to describe a new version (its columns and their types, as a Frictionless Table Schema),
to preview its first rows and to read every row for checking and loading: `read_table` is the
one way a stored file is read, always with the version's dialect (`catalog.tables.dialects`).
The bytes as uploaded are never changed; what is read is text, whatever the file's encoding.

Every read of a CSV holds each row to MAX_ROW_CHARS itself, reading lines with a length cap:
Python's `csv.field_size_limit` is one setting for the whole process, and frictionless raises
it to gigabytes when imported, so it cannot be what keeps a 30 MB cell out of a page.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any, TextIO

from catalog.errors import Invalid
from catalog.tables.dialects import (
    SAMPLE_ROWS,
    Dialect,
    TableRows,
    detect_header_row,
    split_header,
)
from catalog.tables.spreadsheets import xlsx_rows
from catalog.tables.type_vote import voted_fields

TABULAR_FORMATS = {"csv", "tsv", "xlsx"}
SAMPLE_BYTES = 64 * 1024
CHUNK = 1024 * 1024
INFER_ROWS = 1000
# Fewer than PostgreSQL's 1,600 columns to a table; inferring a schema slows with the square
# of the width, so a file built to be wide would otherwise hold a worker for minutes.
MAX_COLUMNS = 1000
MAX_ROW_CHARS = 16 * 1024 * 1024
# The csv module's own limit is left as high as anyone set it (never lowered, so frictionless
# keeps working), and at least ours, so that ours is the one that holds.
csv.field_size_limit(max(csv.field_size_limit(), MAX_ROW_CHARS + 1))
PREVIEW_CELL_CHARS = 200
TITLE_LINES = 5


@dataclass(frozen=True)
class TableLayout:
    encoding: str
    delimiter: str


@dataclass(frozen=True)
class Preview:
    header: list[str]
    rows: list[list[str]]
    truncated: bool


def sniff(path: Path) -> TableLayout:
    """Guess encoding (UTF-8 with or without BOM, else Windows-1252) and delimiter."""
    with path.open("rb") as handle:
        return sniff_sample(handle.read(SAMPLE_BYTES))


def sniff_sample(sample: bytes) -> TableLayout:
    """The same guess from the first SAMPLE_BYTES of a file, however it is read."""
    encoding = _encoding(sample)
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(sample)
    return TableLayout(encoding=encoding, delimiter=_delimiter(text))


def _encoding(sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def _whole_file_encoding(path: Path) -> str:
    """UTF-8 only if every byte of the file decodes as UTF-8; otherwise Windows-1252."""
    with path.open("rb") as handle:
        first = handle.read(CHUNK)
        if first.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        decoder = codecs.getincrementaldecoder("utf-8")()
        chunk = first
        try:
            while chunk:
                decoder.decode(chunk)
                chunk = handle.read(CHUNK)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8"


@contextmanager
def read_table(
    path: Path, fmt: str, dialect: Dialect | None = None
) -> Iterator[tuple[list[str], TableRows]]:
    """The header's labels and the data rows (with their row numbers), each a list of cell
    texts, read as the dialect says (by default: a header on row 1, the first sheet)."""
    dialect = dialect or Dialect()
    with _cells(path, fmt, dialect) as cells:
        yield split_header(cells, dialect)


@contextmanager
def _cells(path: Path, fmt: str, dialect: Dialect) -> Iterator[Iterator[list[str]]]:
    """Every row of the file, title and note rows included."""
    if fmt == "xlsx":
        width_from = dialect.header_rows[-1] if dialect.header else 1
        yield xlsx_rows(path, sheet=dialect.sheet, width_from=width_from)
        return
    layout = text_layout(path, fmt, dialect)
    with path.open(encoding=layout.encoding, errors="replace", newline="") as handle:
        yield _bounded_rows(handle, csv_options(layout, dialect))


def csv_options(layout: TableLayout, dialect: Dialect) -> dict[str, Any]:
    """The dialect's CSV properties as Python's csv module takes them (it finds a line's end
    itself, as frictionless's reader does, whatever `lineTerminator` says)."""
    given = dialect.csv
    return {
        "delimiter": layout.delimiter,
        "quotechar": given.get("quoteChar", '"'),
        "doublequote": given.get("doubleQuote", True),
        "escapechar": given.get("escapeChar"),
        "skipinitialspace": given.get("skipInitialSpace", False),
    }


def _bounded_rows(handle: TextIO, options: dict[str, Any]) -> Iterator[list[str]]:
    """csv.reader's rows, refused (Invalid) once one holds more than MAX_ROW_CHARS: lines
    are read at most that long, so a 100 MB cell is never held whole."""
    lines = _CappedLines(handle)
    for row in csv.reader(lines, **options):
        lines.row_done()
        yield row


class _CappedLines:
    """The file's lines for csv.reader, counting the characters of the row being read."""

    def __init__(self, handle: TextIO) -> None:
        self.handle = handle
        self.chars = 0
        self.rows = 0

    def __iter__(self) -> _CappedLines:
        return self

    def __next__(self) -> str:
        line = self.handle.readline(MAX_ROW_CHARS + 1)
        if not line:
            raise StopIteration
        self.chars += len(line)
        if self.chars > MAX_ROW_CHARS:
            raise Invalid(
                f"Row {self.rows + 1:,} holds more than {MAX_ROW_CHARS // 1024**2} MB of text; "
                "no cell may be that long. Check the file's quotes, or link to a file this "
                "large instead.",
                field="file",
            )
        return line

    def row_done(self) -> None:
        self.chars = 0
        self.rows += 1


def text_layout(path: Path, fmt: str, dialect: Dialect | None = None) -> TableLayout:
    """How a CSV or TSV file is to be read as a whole: its encoding, checked over every byte,
    and the delimiter its dialect gives, else that of its first lines."""
    encoding = _whole_file_encoding(path)
    given = (dialect or Dialect()).csv.get("delimiter")
    if given or fmt == "tsv":
        return TableLayout(encoding=encoding, delimiter=given or "\t")
    with path.open("rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(sample)
    return TableLayout(encoding=encoding, delimiter=_delimiter(text))


def _delimiter(text: str) -> str:
    """The delimiter of the first lines; should title lines above the table hide it, of the
    lines below them."""
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    for titles in range(min(len(lines), TITLE_LINES + 1)):
        try:
            return csv.Sniffer().sniff("\n".join(lines[titles:]), delimiters=",;\t|").delimiter
        except csv.Error:
            continue
    return ","


def preview(
    path: Path, fmt: str = "csv", *, limit: int = 10, dialect: Dialect | None = None
) -> Preview:
    """The header and first `limit` non-blank rows, each padded or cut to the header's width,
    with long cells shortened (`preview_cell`)."""
    with read_table(path, fmt, dialect) as (header, reader):
        rows: list[list[str]] = []
        truncated = False
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(rows) == limit:
                truncated = True
                break
            rows.append([preview_cell(cell) for cell in (row + [""] * len(header))[: len(header)]])
    return Preview(header=[preview_cell(label) for label in header], rows=rows, truncated=truncated)


def detect_dialect(path: Path, fmt: str) -> Dialect:
    """The dialect of a new upload: the header under any title rows above it, which are then
    skipped (`catalog.tables.dialects.detect_header_row`)."""
    with _cells(path, fmt, Dialect()) as cells:
        top = list(islice(cells, SAMPLE_ROWS))
    header_row = detect_header_row(top)
    return Dialect().with_header_row(header_row) if header_row > 1 else Dialect()


def preview_cell(text: str) -> str:
    """A cell as a preview shows it: whole up to PREVIEW_CELL_CHARS, else cut with an ellipsis
    (the download has it all), so one huge cell cannot make a page megabytes long."""
    if len(text) <= PREVIEW_CELL_CHARS:
        return text
    return text[: PREVIEW_CELL_CHARS - 1] + "\u2026"


def infer_schema(path: Path, fmt: str = "csv", dialect: Dialect | None = None) -> dict[str, Any]:
    """A Frictionless Table Schema inferred from the file's first rows, for the publisher to
    correct before release. The rows are read here, as every check reads them, and handed to
    frictionless as data: it never opens the file, so its own readers' limits never apply.
    A column of numbers, money or dates with a few bad cells keeps its type
    (`catalog.tables.type_vote`), so its check reports those cells."""
    from frictionless import Detector, Resource, system  # heavy: only here
    from frictionless import Dialect as FrictionlessDialect

    with read_table(path, fmt, dialect) as (header, rows):
        if len(header) > MAX_COLUMNS:
            raise Invalid(
                f"The file has {len(header):,} columns; a table may have at most {MAX_COLUMNS:,}.",
                field="file",
            )
        sample = [header, *islice(rows, INFER_ROWS)]
    with system.use_context(trusted=True):
        # The header is the first row handed over: frictionless is not to look for another.
        resource = Resource(
            data=sample,
            dialect=FrictionlessDialect(header_rows=[1]),
            detector=Detector(sample_size=INFER_ROWS),
        )
        resource.infer(stats=False)
        schema = resource.schema.to_descriptor()
    return {**schema, "fields": voted_fields(schema["fields"], sample[1:])}
