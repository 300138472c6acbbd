"""Reading tabular files as people actually save them: any common encoding and delimiter.

Used to describe a new version (its columns and their types, as a Frictionless Table Schema)
and to preview its first rows. The bytes as uploaded are never changed.
"""

from __future__ import annotations

import codecs
import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from frictionless import Dialect, Resource, formats, system

TABULAR_FORMATS = {"csv", "tsv"}
SAMPLE_BYTES = 64 * 1024


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


def _delimiter(text: str) -> str:
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if not lines:
        return ","
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def preview(path: Path, *, limit: int = 10) -> Preview:
    """The header and first `limit` non-blank rows, each padded or cut to the header's width."""
    layout = sniff(path)
    with path.open(encoding=layout.encoding, errors="replace", newline="") as handle:
        reader = csv.reader(handle, delimiter=layout.delimiter)
        header = next(reader, [])
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


def infer_schema(path: Path) -> dict[str, Any]:
    """A Frictionless Table Schema inferred from the file's first rows."""
    layout = sniff(path)
    dialect = Dialect(controls=[formats.CsvControl(delimiter=layout.delimiter)])
    with system.use_context(trusted=True):
        resource = Resource(str(path), format="csv", encoding=layout.encoding, dialect=dialect)
        resource.infer(stats=False)
        return resource.schema.to_descriptor()
