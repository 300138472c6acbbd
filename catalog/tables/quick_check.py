"""Checking a well-formed CSV or TSV file at Arrow speed; the exact pass takes over on any doubt.

Most files a council uploads are already right. For those, Arrow's CSV reader and checks that
run over whole columns at once reach the same verdict as the row-by-row pass in
`catalog.tables.validation` several times faster, and hand Arrow batches straight to the datastore.
This pass can only ever say "no errors": the moment anything is out of the ordinary (a cell
that does not read, a blank or ragged row, a repeated key, a label that is not the field's
name) it gives up and returns None, and the caller starts again with the exact pass, which
describes every problem as frictionless does. Where a column's type or constraint has no
column-at-once form here, its cells are read by that pass's own `FieldReader`, so both passes
read every value alike.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as arrow_csv

from catalog.errors import Invalid
from catalog.tables.datastore.loading import arrow_type
from catalog.tables.dialects import Dialect
from catalog.tables.fields import DEFAULT_FALSE, DEFAULT_TRUE, FieldReader
from catalog.tables.reading import MAX_ROW_CHARS, csv_options, text_layout
from catalog.tables.redaction import people_in
from catalog.tables.validation import TEXT_TYPES, Checked, TableRules, formula_cells

log = logging.getLogger(__name__)
# Arrow's buffers from malloc, which hands freed ones back at once: with mimalloc, Arrow's
# default, a process checking a million rows held about 20 MB more at its peak.
pa.set_memory_pool(pa.system_memory_pool())
BLOCK_BYTES = 1024 * 1024
# The exact pass refuses a row of more than MAX_ROW_CHARS (counting its quotes and commas),
# so a file with a row anywhere near that is the exact pass's to judge.
LONGEST_ROW = MAX_ROW_CHARS // 2
# Texts Python's `int` and `float` read exactly as Arrow's casts do; others go cell by cell.
WHOLE_NUMBER = r"^[+-]?[0-9]+$"
DECIMAL = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"
FORMULA = r"^[=+\-@]"
ROW_SEPARATOR = "\x1f"
CASTS = {"integer": (WHOLE_NUMBER, pa.int64()), "number": (DECIMAL, pa.float64())}
BOUNDS = {
    "minimum": pc.greater_equal,
    "maximum": pc.less_equal,
    "exclusiveMinimum": pc.greater,
    "exclusiveMaximum": pc.less,
}
# How Arrow turns down a file only the exact pass reads: a ragged row or an unclosed quote
# (ArrowInvalid), a comparison its kernels do not offer (NotImplemented, TypeError), and a
# Windows-1252 byte with no character, which the exact pass reads as U+FFFD (UnicodeError).
ARROW_ERRORS = (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, UnicodeError)

# Checked rows as Arrow arrays: their row numbers, then one array of values a column.
BatchSink = Callable[[pa.Array, list[pa.Array]], None]


class Doubt(Exception):
    """Something only the exact pass can describe."""


def quick_check(
    path: Path,
    fmt: str,
    schema: dict[str, Any],
    *,
    dialect: Dialect | None = None,
    sink: BatchSink | None = None,
    progress: Callable[[int], None] | None = None,
) -> Checked | None:
    """Check and hand over every row of a file with no errors; None for the exact pass.

    Arrow reads a CSV's delimiter, quotes and escapes as the dialect gives them; a header
    anywhere but row 1, notes to skip or spaces to drop are the exact pass's."""
    started = time.perf_counter()
    dialect = dialect or Dialect()
    if fmt not in ("csv", "tsv") or not _arrow_reads(dialect):
        return None
    try:
        rules = TableRules.from_schema(schema)
        checked = _Columns(rules, sink, progress).run(path, fmt, dialect)
    except (Invalid, Doubt, *ARROW_ERRORS):
        return None
    except Exception:
        # A schema this pass reads differently (a bound beyond 64 bits, say) is no reason to
        # fail the check: the exact pass reads every file.
        log.warning("The quick pass gave way to the exact pass", exc_info=True)
        return None
    checked.seconds = time.perf_counter() - started
    return checked


@dataclass
class _Columns:
    """One pass over a file's record batches, keeping only what the end-of-file checks need."""

    rules: TableRules
    sink: BatchSink | None
    progress: Callable[[int], None] | None
    keys: list[list[pa.Array]] = field(default_factory=list)
    unique: list[list[pa.Array]] = field(default_factory=list)
    rows_seen: set[int] = field(default_factory=set)

    def run(self, path: Path, fmt: str, dialect: Dialect) -> Checked:
        readers = self.rules.readers
        names = [reader.name for reader in readers]
        if len(set(names)) != len(names) or len(names) < 2:
            raise Doubt("repeated field names, or one column, where blank lines read differently")
        layout = text_layout(path, fmt, dialect)
        options = csv_options(layout, dialect)
        batches = arrow_csv.open_csv(
            path,
            read_options=arrow_csv.ReadOptions(
                encoding="utf8" if layout.encoding.startswith("utf-8") else layout.encoding,
                block_size=BLOCK_BYTES,
                use_threads=False,
            ),
            parse_options=arrow_csv.ParseOptions(
                delimiter=options["delimiter"],
                quote_char=options["quotechar"],
                double_quote=options["doublequote"],
                escape_char=options["escapechar"] or False,
                newlines_in_values=True,
                ignore_empty_lines=False,
                invalid_row_handler=_ragged,
            ),
            convert_options=arrow_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                null_values=[],
            ),
        )
        if batches.schema.names != names:
            raise Doubt("labels that are not the schema's field names")
        checked = Checked(labels=names, field_names=names)
        self.keys = [[] for _ in self.rules.primary_key]
        self.unique = [[] for _ in self.rules.unique]
        for batch in batches:
            self._check(batch, checked)
            if self.progress is not None:
                self.progress(checked.rows)
        self._check_keys(checked.rows)
        checked.loaded_rows = checked.rows
        return checked

    def _check(self, batch: pa.RecordBatch, checked: Checked) -> None:
        first = checked.rows + 2
        checked.rows += batch.num_rows
        cells = cast("list[pa.StringArray]", batch.columns)  # every column is read as text
        self._refuse_blank_rows(cells)
        numbers = pa.array(range(first, first + batch.num_rows), pa.int64())
        typed = [
            _typed(reader, column) for reader, column in zip(self.rules.readers, cells, strict=True)
        ]
        self._flag_formulas(cells, range(first, first + batch.num_rows), checked)
        self._refuse_people(cells)
        for seen, position in zip(self.keys, self.rules.primary_key, strict=True):
            if typed[position].null_count:
                raise Doubt("a primary key with a missing part")
            seen.append(_as_compared(typed[position]))
        for seen, position in zip(self.unique, self.rules.unique, strict=True):
            seen.append(_as_compared(typed[position]))
        if not self.rules.primary_key:
            self._remember_rows(cells)
        if self.sink is not None:
            self.sink(numbers, typed)

    def _refuse_blank_rows(self, cells: list[pa.StringArray]) -> None:
        lengths = [pc.binary_length(column) for column in cells]
        if (pc.max(functools.reduce(pc.add, lengths)).as_py() or 0) > LONGEST_ROW:
            raise Doubt("a row near the longest the exact pass reads")
        # pyarrow-stubs leave out the Python scalars that pyarrow.compute takes.
        empty = [pc.equal(length, 0) for length in lengths]  # type: ignore[call-overload]
        blank = _all_of(empty)
        missing = pa.array(sorted(self.rules.missing), pa.string())
        if len(self.rules.missing) > 1:
            blank = pc.or_(blank, _all_of([pc.is_in(c, value_set=missing) for c in cells]))
        if pc.any(blank).as_py():
            raise Doubt("a blank row")

    def _flag_formulas(self, cells, numbers: range, checked: Checked) -> None:
        for position, reader in enumerate(self.rules.readers):
            column = cells[position]
            if reader.type not in TEXT_TYPES:
                continue
            if pc.any(pc.match_substring_regex(column, FORMULA)).as_py():
                texts = column.to_pylist()
                for finding in formula_cells(texts, numbers, position, reader.name):
                    checked.warn(finding)

    def _refuse_people(self, cells: list[pa.StringArray]) -> None:
        for position in self.rules.redacted:
            if people_in(cells[position].to_pylist()):
                raise Doubt("a private individual's name")

    def _remember_rows(self, cells: list[pa.StringArray]) -> None:
        """Hashes of whole rows: a repeat may be a duplicate row, which the exact pass reports."""
        # pyarrow-stubs leave out the Python scalars that pyarrow.compute takes.
        rows = pc.binary_join_element_wise(*cells, ROW_SEPARATOR)  # type: ignore[call-overload]
        joined = rows.to_pylist()
        hashes = set(map(hash, joined))
        if len(hashes) != len(joined) or not self.rows_seen.isdisjoint(hashes):
            raise Doubt("a row that may repeat another")
        self.rows_seen |= hashes

    def _check_keys(self, rows: int) -> None:
        """Primary keys present and unique, and unique columns without repeats, over the file."""
        if rows == 0:
            return
        if self.keys and not (len(self.keys) == 1 and _ascending(pa.chunked_array(self.keys[0]))):
            columns = [pa.chunked_array(chunks) for chunks in self.keys]
            key = pa.table(columns, names=[f"k{number}" for number in range(len(columns))])
            if key.group_by(key.column_names).aggregate([]).num_rows != rows:
                raise Doubt("a repeated primary key")
        for chunks in self.unique:
            values = pa.chunked_array(chunks)
            if pc.count_distinct(values).as_py() != len(values) - values.null_count:
                raise Doubt("a repeated value in a unique column")


def _arrow_reads(dialect: Dialect) -> bool:
    """A dialect Arrow's CSV reader follows exactly: a header on row 1, no row to skip."""
    return (
        dialect.header
        and dialect.header_rows == (1,)
        and not dialect.skips_rows
        and not dialect.csv.get("skipInitialSpace", False)
    )


def _as_compared(values: pa.Array) -> pa.Array:
    """Numbers as Python compares them: -0.0 + 0.0 is 0.0, so the two zeros are one value."""
    return pc.add(values, 0.0) if pa.types.is_floating(values.type) else values


def _ascending(values: pa.ChunkedArray) -> bool:
    """Keys in strictly rising order, as numbered rows usually are, cannot repeat."""
    if values.null_count:
        return False
    last = None
    for chunk in values.chunks:
        if not len(chunk):
            continue
        if last is not None and not pc.less(last, chunk[0]).as_py():
            return False
        if len(chunk) > 1 and not pc.all(pc.less(chunk[:-1], chunk[1:])).as_py():
            return False
        last = chunk[-1]
    return True


def _ragged(_row: object) -> Literal["error"]:
    """A row with too few or too many cells: the exact pass reports each one."""
    return "error"


def _typed(reader: FieldReader, cells: pa.StringArray) -> pa.Array:
    """The column's values as the datastore stores them, or Doubt if any cell is wrong."""
    missing = pc.is_in(cells, value_set=pa.array(sorted(reader.missing), pa.string()))
    if pc.any(missing).as_py():
        if reader.required:
            raise Doubt("a required cell is empty")
        present = pc.if_else(missing, pa.scalar(None, pa.string()), cells)
    else:
        present = cells
    values = _cast(reader, present)
    if values is None:
        return _read_cell_by_cell(reader, cells)
    if not _meets_constraints(reader, values):
        raise Doubt("a value outside its constraints")
    return values


def _cast(reader: FieldReader, cells: pa.StringArray) -> pa.Array | None:
    """A whole column cast at once, or None where only `FieldReader` reads it exactly."""
    plain = reader.format == "default" and not _unvectorised(reader)
    if not plain:
        return None
    if reader.type in TEXT_TYPES:
        return cells
    if reader.type in CASTS and _bare(reader):
        pattern, target = CASTS[reader.type]
        if not _all_match(cells, pattern):
            return None
        try:
            return pc.cast(cells, target)
        except pa.ArrowInvalid:
            return None
    if reader.type == "date":
        lengths = pc.binary_length(cells)
        if pc.min(lengths).as_py() != 10 or pc.max(lengths).as_py() != 10:
            return None
        if pc.any(pc.starts_with(cells, "0000")).as_py():
            return None  # Arrow has a year 0; Python's dates do not
        try:
            pc.cast(cells, pa.date32())
        except pa.ArrowInvalid:
            return None
        return cells
    if reader.type == "boolean":
        return _booleans(reader, cells)
    return None


def _bare(reader: FieldReader) -> bool:
    """A number read by Python's own `int` or `float`: no group, decimal or currency rules."""
    options = reader.descriptor
    return (
        options.get("bareNumber", True)
        and not options.get("groupChar")
        and options.get("decimalChar", ".") == "."
    )


def _booleans(reader: FieldReader, cells: pa.StringArray) -> pa.Array | None:
    falsehoods = list(reader.descriptor.get("falseValues", DEFAULT_FALSE))
    # A text in both lists reads as false, as it does in the exact pass.
    truths = [t for t in reader.descriptor.get("trueValues", DEFAULT_TRUE) if t not in falsehoods]
    known = truths + falsehoods
    if not _all_in(cells, known):
        return None
    return pc.if_else(pc.is_null(cells), None, pc.is_in(cells, value_set=pa.array(truths)))


def _unvectorised(reader: FieldReader) -> bool:
    vectorised = {"enum", *BOUNDS} if reader.type in ("integer", "number") else {"enum"}
    return any(name not in vectorised for name, _expected, _test in reader.checks)


def _meets_constraints(reader: FieldReader, values: pa.Array) -> bool:
    for name, expected, _test in reader.checks:
        present = values.drop_null()
        if name == "enum":
            allowed = pa.array([_bound(reader, value) for value in expected], values.type)
            if not pc.all(pc.is_in(present, value_set=allowed)).as_py():
                return False
        elif len(present) and not pc.all(BOUNDS[name](present, _bound(reader, expected))).as_py():
            return False
    return True


def _bound(reader: FieldReader, value: Any) -> Any:
    return reader.cast(value) if isinstance(value, str) and reader.type != "string" else value


def _read_cell_by_cell(reader: FieldReader, cells: pa.StringArray) -> pa.Array:
    # No cell is null: the file is read with strings_can_be_null=False.
    values, problems = reader.read(cast(list[str], cells.to_pylist()))
    if problems:
        raise Doubt("a cell that does not read, or breaks a constraint")
    return pa.array(values, arrow_type(reader.type))


def _all_match(cells: pa.StringArray, pattern: str) -> bool:
    return _all_or_null(cells, pc.match_substring_regex(cells, pattern))


def _all_in(cells: pa.StringArray, texts: list[str]) -> bool:
    return _all_or_null(cells, pc.is_in(cells, value_set=pa.array(texts, pa.string())))


def _all_or_null(cells: pa.Array, mask: pa.Array) -> bool:
    """True when the test holds for every cell that is not missing."""
    return pc.all(pc.or_kleene(mask, pc.is_null(cells))).as_py()


def _all_of(masks: list[pa.Array]) -> pa.Array:
    result = masks[0]
    for mask in masks[1:]:
        result = pc.and_(result, mask)
    return result
