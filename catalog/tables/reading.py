"""Reading tabular files as people actually save them: any common encoding and delimiter.

Used to describe a new version (its columns and their types, as a Frictionless Table Schema),
to preview its first rows and to read every row for checking and loading. The bytes as
uploaded are never changed; what is read is text, whatever the file's encoding.

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
        sample = handle.read(SAMPLE_BYTES)
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
def read_table(path: Path, fmt: str) -> Iterator[tuple[list[str], Iterator[list[str]]]]:
    """The header and an iterator over the remaining rows, each a list of cell texts."""
    if fmt == "xlsx":
        rows = xlsx_rows(path)
        yield next(rows, []), rows
        return
    layout = text_layout(path, fmt)
    with path.open(encoding=layout.encoding, errors="replace", newline="") as handle:
        rows = _bounded_rows(handle, layout.delimiter)
        yield next(rows, []), rows


def _bounded_rows(handle: TextIO, delimiter: str) -> Iterator[list[str]]:
    """csv.reader's rows, refused (Invalid) once one holds more than MAX_ROW_CHARS: lines
    are read at most that long, so a 100 MB cell is never held whole."""
    lines = _CappedLines(handle)
    for row in csv.reader(lines, delimiter=delimiter):
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


def text_layout(path: Path, fmt: str) -> TableLayout:
    """How a CSV or TSV file is to be read as a whole: its encoding, checked over every byte,
    and the delimiter of its first lines."""
    encoding = _whole_file_encoding(path)
    if fmt == "tsv":
        return TableLayout(encoding=encoding, delimiter="\t")
    with path.open("rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(sample)
    return TableLayout(encoding=encoding, delimiter=_delimiter(text))


def _delimiter(text: str) -> str:
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if not lines:
        return ","
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def preview(path: Path, fmt: str = "csv", *, limit: int = 10) -> Preview:
    """The header and first `limit` non-blank rows, each padded or cut to the header's width,
    with long cells shortened (`preview_cell`)."""
    with read_table(path, fmt) as (header, reader):
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


def preview_cell(text: str) -> str:
    """A cell as a preview shows it: whole up to PREVIEW_CELL_CHARS, else cut with an ellipsis
    (the download has it all), so one huge cell cannot make a page megabytes long."""
    if len(text) <= PREVIEW_CELL_CHARS:
        return text
    return text[: PREVIEW_CELL_CHARS - 1] + "\u2026"


def infer_schema(path: Path, fmt: str = "csv") -> dict[str, Any]:
    """A Frictionless Table Schema inferred from the file's first rows, for the publisher to
    correct before release. The rows are read here, as every check reads them, and handed to
    frictionless as data: it never opens the file, so its own readers' limits never apply.
    A column of numbers, money or dates with a few bad cells keeps its type
    (`catalog.tables.type_vote`), so its check reports those cells."""
    from frictionless import Detector, Resource, system  # heavy: only here

    with read_table(path, fmt) as (header, rows):
        if len(header) > MAX_COLUMNS:
            raise Invalid(
                f"The file has {len(header):,} columns; a table may have at most {MAX_COLUMNS:,}.",
                field="file",
            )
        sample = [header, *islice(rows, INFER_ROWS)]
    with system.use_context(trusted=True):
        resource = Resource(data=sample, detector=Detector(sample_size=INFER_ROWS))
        resource.infer(stats=False)
        schema = resource.schema.to_descriptor()
    return {**schema, "fields": voted_fields(schema["fields"], sample[1:])}
