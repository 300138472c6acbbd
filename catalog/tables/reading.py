"""Reading tabular files as people actually save them: any common encoding and delimiter.

Used to describe a new version (its columns and their types, as a Frictionless Table Schema),
to preview its first rows and to read every row for checking and loading. The bytes as
uploaded are never changed; what is read is text, whatever the file's encoding.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from catalog.errors import Invalid
from catalog.tables.spreadsheets import xlsx_rows

TABULAR_FORMATS = {"csv", "tsv", "xlsx"}
SAMPLE_BYTES = 64 * 1024
CHUNK = 1024 * 1024
INFER_ROWS = 1000
# Fewer than PostgreSQL's 1,600 columns to a table; inferring a schema slows with the square
# of the width, so a file built to be wide would otherwise hold a worker for minutes.
MAX_COLUMNS = 1000
csv.field_size_limit(16 * 1024 * 1024)


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
        reader = csv.reader(handle, delimiter=layout.delimiter)
        yield next(reader, []), reader


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
    """The header and first `limit` non-blank rows, each padded or cut to the header's width."""
    with read_table(path, fmt) as (header, reader):
        rows: list[list[str]] = []
        truncated = False
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(rows) == limit:
                truncated = True
                break
            rows.append((row + [""] * len(header))[: len(header)])
    return Preview(header=header, rows=rows, truncated=truncated)


def infer_schema(path: Path, fmt: str = "csv") -> dict[str, Any]:
    """A Frictionless Table Schema inferred from the file's first rows, for the publisher to
    correct before release."""
    from frictionless import Detector, Dialect, Resource, formats, system  # heavy: only here

    _refuse_too_wide(path, fmt)
    detector = Detector(sample_size=INFER_ROWS)
    with system.use_context(trusted=True):
        if fmt == "xlsx":
            resource = Resource(str(path), format="xlsx", detector=detector)
        else:
            layout = sniff(path)
            delimiter = "\t" if fmt == "tsv" else layout.delimiter
            dialect = Dialect(controls=[formats.CsvControl(delimiter=delimiter)])
            resource = Resource(
                str(path),
                format="csv",
                encoding=layout.encoding,
                dialect=dialect,
                detector=detector,
            )
        resource.infer(stats=False)
        return resource.schema.to_descriptor()


def _refuse_too_wide(path: Path, fmt: str) -> None:
    with read_table(path, fmt) as (header, _rows):
        width = len(header)
    if width > MAX_COLUMNS:
        raise Invalid(
            f"The file has {width:,} columns; a table may have at most {MAX_COLUMNS:,}.",
            field="file",
        )
