"""Checking a table against its Table Schema in one streaming pass, in bounded memory.

The checks and their error types are Frictionless's (labels, blank rows, missing and extra
cells, types, constraints, unique values, primary key, duplicate rows), so a report here lists
the same problems `frictionless validate` finds. Rows are read in batches; each batch's typed
rows go to a `sink` (the datastore loader) as they are checked, so a file is read once.
Cells that a spreadsheet would run as a formula are noted as warnings.
"""

from __future__ import annotations

import gc
import itertools
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from catalog.errors import Invalid
from catalog.tables.dialects import TableRows
from catalog.tables.fields import FieldReader, Problem, field_reader
from catalog.tables.findings import (
    BlankLabel,
    BlankRow,
    CellFinding,
    CellTypeError,
    ConstraintError,
    DuplicateLabel,
    DuplicateRow,
    ExtraCell,
    ExtraLabel,
    Finding,
    FormulaCell,
    IncorrectLabel,
    MissingCell,
    MissingLabel,
    PrimaryKeyError,
    RedactionError,
    RowFinding,
    UniqueError,
)
from catalog.tables.redaction import people_in, redaction_columns

BATCH_ROWS = 10_000
ERROR_LIMIT = 1_000
FORMULA_START = ("=", "+", "-", "@")
FORMULA_LINE = re.compile(r"^[=+\-@]", re.MULTILINE)
TEXT_TYPES = {"string", "any"}

BLANK_ROW = hash(("blank row",))  # every blank row repeats the one before, as in frictionless

# Typed rows as the datastore takes them: their row numbers, then one list of values a column.
Sink = Callable[[list[int], list[list[Any]]], None]


@dataclass
class Checked:
    """What one pass found: the first `ERROR_LIMIT` errors, and counts of all of them."""

    labels: list[str]
    field_names: list[str]
    rows: int = 0
    loaded_rows: int = 0
    errors: list[Finding] = field(default_factory=list)
    error_counts: Counter[str] = field(default_factory=Counter)
    warnings: list[FormulaCell] = field(default_factory=list)
    warning_count: int = 0
    seconds: float = 0.0

    @property
    def error_count(self) -> int:
        return sum(self.error_counts.values())

    @property
    def valid(self) -> bool:
        return not self.error_counts

    @property
    def listing_full(self) -> bool:
        return len(self.errors) >= ERROR_LIMIT

    def add(self, finding: Finding) -> None:
        self.error_counts[finding.type] += 1
        if len(self.errors) < ERROR_LIMIT:
            self.errors.append(finding)

    def warn(self, finding: FormulaCell) -> None:
        self.warning_count += 1
        if len(self.warnings) < ERROR_LIMIT:
            self.warnings.append(finding)


@dataclass
class TableRules:
    """A Table Schema compiled once: a reader per field, and the keys that must be unique."""

    readers: list[FieldReader]
    primary_key: list[int]
    unique: list[int]
    missing: frozenset[str]
    redacted: dict[int, str] = field(default_factory=dict)

    @classmethod
    def from_schema(cls, schema: dict[str, Any]) -> TableRules:
        fields = schema.get("fields")
        if not isinstance(fields, list) or not fields:
            raise Invalid("The schema must list at least one field.", field="schema")
        missing = list(schema.get("missingValues", [""]))
        readers = [field_reader(descriptor, missing) for descriptor in fields]
        names = [reader.name for reader in readers]
        key = schema.get("primaryKey") or []
        key = [key] if isinstance(key, str) else list(key)
        unknown = [name for name in key if name not in names]
        if unknown:
            raise Invalid(
                f"The schema's primary key names a field it does not have: {unknown[0]}.",
                field="schema",
            )
        unique = [
            number
            for number, descriptor in enumerate(fields)
            if (descriptor.get("constraints") or {}).get("unique")
        ]
        return cls(
            readers=readers,
            primary_key=[names.index(name) for name in key],
            unique=unique,
            missing=frozenset(missing),
            redacted=redaction_columns(fields),
        )


def check_table(
    labels: list[str],
    rows: Iterable[list[str]],
    schema: dict[str, Any],
    *,
    sink: Sink | None = None,
    progress: Callable[[int], None] | None = None,
) -> Checked:
    """Check every row against the schema; hand typed rows (row number first) to `sink`.

    Rows read by `read_table` carry their numbers in the file and whether it has a header
    (`TableRows`); other rows are numbered from 2, under a header."""
    started = time.perf_counter()
    rules = TableRules.from_schema(schema)
    header = rows.header if isinstance(rows, TableRows) else True
    numbers = rows.numbers if isinstance(rows, TableRows) else itertools.count(2)
    checked = Checked(
        labels=list(labels) if header else [], field_names=[r.name for r in rules.readers]
    )
    if header:
        _check_labels(checked, rules)
    pass_ = _Pass(rules, checked, sink, numbers)
    with _no_cycle_collection():
        for batch in _batches(rows):
            pass_.check(batch)
            if progress is not None:
                progress(checked.rows)
    pass_.finish()
    checked.seconds = time.perf_counter() - started
    return checked


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Millions of short-lived row lists would trigger Python's cycle collector again and
    again (a sixth of the time of a large load); rows make no cycles, so it waits until the end."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _batches(rows: Iterable[list[str]]) -> Iterator[list[list[str]]]:
    batch: list[list[str]] = []
    append = batch.append
    for row in rows:
        append(row)
        if len(batch) == BATCH_ROWS:
            yield batch
            batch = []
            append = batch.append
    if batch:
        yield batch


def _check_labels(checked: Checked, rules: TableRules) -> None:
    names = checked.field_names
    seen: dict[str, int] = {}
    for number, label in enumerate(checked.labels, start=1):
        if number > len(names):
            checked.add(ExtraLabel(field_number=number, label=label))
            continue
        name = names[number - 1]
        if not label.strip():
            checked.add(BlankLabel(field_number=number, field_name=name))
        elif label in seen:
            checked.add(
                DuplicateLabel(field_number=number, label=label, earlier_field_number=seen[label])
            )
        elif label != name:
            checked.add(IncorrectLabel(field_number=number, field_name=name, label=label))
        seen.setdefault(label, number)
    for number in range(len(checked.labels) + 1, len(names) + 1):
        checked.add(MissingLabel(field_number=number, field_name=names[number - 1]))


class _Pass:
    """The state of one pass over the rows: row numbers, keys seen so far, the sink."""

    def __init__(
        self, rules: TableRules, checked: Checked, sink: Sink | None, numbers: Iterator[int]
    ) -> None:
        self.rules = rules
        self.checked = checked
        self.sink = sink
        self.width = len(rules.readers)
        self.numbers = numbers
        self.blanks: list[tuple[int, list[str]]] = []
        self.seen_rows: dict[int, int] = {}
        self.seen_keys: dict[int, int] = {}
        self.seen_unique: list[dict[Any, int]] = [{} for _ in rules.unique]
        self.text_columns = [
            number for number, reader in enumerate(rules.readers) if reader.type in TEXT_TYPES
        ]

    def check(self, batch: list[list[str]]) -> None:
        """Check a batch of raw rows; load the ones that are not blank."""
        found: dict[int, list[Finding]] = {}
        numbers = list(itertools.islice(self.numbers, len(batch)))
        self.checked.rows += len(batch)
        kept: Sequence[Sequence[str | None]]
        if self._plain(batch):
            if self.blanks:
                self._blank_rows_before(found)
            kept = batch
        else:
            kept, numbers = self._sort_out(batch, numbers, found)
        if not kept:
            self._report(found)
            return
        columns = [list(column) for column in zip(*kept, strict=True)]
        typed = self._read_columns(columns, kept, numbers, found)
        self._check_primary_key(kept, numbers, typed, found)
        self._check_unique(kept, numbers, typed, found)
        self._check_duplicates(kept, numbers, found)
        self._flag_formulas(columns, numbers)
        self._check_redaction(columns, kept, numbers, found)
        self._report(found)
        if self.sink is not None:
            self.sink(numbers, typed)
            self.checked.loaded_rows += len(numbers)

    def _plain(self, batch: list[list[str]]) -> bool:
        """True for the usual batch: every row the right width, none of them blank."""
        return (
            len(self.rules.missing) == 1
            and all(map(any, batch))
            and set(map(len, batch)) == {self.width}
        )

    def _sort_out(
        self, batch, batch_numbers: list[int], found
    ) -> tuple[list[list[str | None]], list[int]]:
        """Set blank rows aside and fit the others to the schema's width, row by row."""
        kept: list[list[str | None]] = []
        numbers: list[int] = []
        for row, number in zip(batch, batch_numbers, strict=True):
            if self._blank(row):
                self.blanks.append((number, row))
                continue
            if self.blanks:
                self._blank_rows_before(found)
            kept.append(row if len(row) == self.width else self._fit(row, number, found))
            numbers.append(number)
        return kept, numbers

    def finish(self) -> None:
        """Blank rows at the very end are what spreadsheets leave behind: not counted."""
        self.checked.rows -= len(self.blanks)

    def _blank_rows_before(self, found: dict[int, list[Finding]]) -> None:
        """Blank rows with data after them are errors, reported once that data is met."""
        for number, row in self.blanks:
            self._file_row(found, BlankRow, number, row)
            if self.rules.primary_key:
                self._file_row(found, PrimaryKeyError, number, row, earlier_row_number=None)
            earlier = self.seen_rows.get(BLANK_ROW)
            self.seen_rows[BLANK_ROW] = number
            if earlier is not None:
                self._file_row(found, DuplicateRow, number, row, earlier_row_number=earlier)
        self.blanks = []

    def _blank(self, row: list[str]) -> bool:
        if not any(row):
            return True
        missing = self.rules.missing
        return len(missing) > 1 and all(cell in missing for cell in row)

    def _fit(
        self, row: list[str], number: int, found: dict[int, list[Finding]]
    ) -> list[str | None]:
        """Pad a short row (None for each missing cell) and cut a long one, noting each."""
        readers = self.rules.readers
        for position in range(len(row), self.width):
            name = readers[position].name
            self._file_row(
                found, MissingCell, number, row, field_number=position + 1, field_name=name
            )
        for position in range(self.width, len(row)):
            self._file_row(
                found, ExtraCell, number, row, field_number=position + 1, cell=row[position]
            )
        return (row + [None] * self.width)[: self.width]

    def _read_columns(self, columns, kept, numbers, found) -> list[list[Any]]:
        typed = []
        for position, (reader, cells) in enumerate(zip(self.rules.readers, columns, strict=True)):
            if None in cells:
                present = [index for index, cell in enumerate(cells) if cell is not None]
                values, problems = reader.read([cells[index] for index in present])
                full: list[Any] = [None] * len(cells)
                for index, value in zip(present, values, strict=True):
                    full[index] = value
                problems = [_moved(problem, present[problem.index]) for problem in problems]
                values = full
            else:
                values, problems = reader.read(cells)
            for problem in problems:
                at = (found, numbers[problem.index], kept[problem.index], position)
                if problem.constraint:
                    self._file_cell(
                        ConstraintError,
                        *at,
                        constraint=problem.constraint,
                        expected=problem.expected,
                    )
                else:
                    self._file_cell(
                        CellTypeError, *at, field_type=reader.type, field_format=reader.format
                    )
            typed.append(values)
        return typed

    def _check_primary_key(self, kept, numbers, typed, found) -> None:
        key = self.rules.primary_key
        if not key:
            return
        if len(key) == 1:
            values = typed[key[0]]
            empty = [offset for offset, value in enumerate(values) if value is None]
        else:
            values = list(zip(*(typed[position] for position in key), strict=True))
            empty = [offset for offset, value in enumerate(values) if value.count(None) == len(key)]
        for offset in empty:
            self._file_row(
                found, PrimaryKeyError, numbers[offset], kept[offset], earlier_row_number=None
            )
        present = _without(range(len(values)), empty)
        kept_values = [values[offset] for offset in present] if empty else values
        hashes = list(map(value_hash, kept_values))
        for index, earlier in _repeats(self.seen_keys, hashes, [numbers[o] for o in present]):
            offset = present[index]
            self._file_row(
                found, PrimaryKeyError, numbers[offset], kept[offset], earlier_row_number=earlier
            )

    def _check_unique(self, kept, numbers, typed, found) -> None:
        for seen, position in zip(self.seen_unique, self.rules.unique, strict=True):
            values = typed[position]
            present = [offset for offset, value in enumerate(values) if value is not None]
            hashes = [value_hash(values[offset]) for offset in present]
            for index, earlier in _repeats(seen, hashes, [numbers[o] for o in present]):
                offset = present[index]
                self._file_cell(
                    UniqueError,
                    found,
                    numbers[offset],
                    kept[offset],
                    position,
                    earlier_row_number=earlier,
                )

    def _check_duplicates(self, kept, numbers, found) -> None:
        hashes = list(map(hash, map(tuple, kept)))
        for offset, earlier in _repeats(self.seen_rows, hashes, numbers):
            self._file_row(
                found, DuplicateRow, numbers[offset], kept[offset], earlier_row_number=earlier
            )

    def _flag_formulas(self, columns: list[list[str]], numbers: list[int]) -> None:
        for position in self.text_columns:
            cells = columns[position]
            text = "\n".join(cells) if None not in cells else "\n".join(c or "" for c in cells)
            if FORMULA_LINE.search(text) is not None:
                name = self.rules.readers[position].name
                for finding in formula_cells(cells, numbers, position, name):
                    self.checked.warn(finding)

    def _check_redaction(self, columns, kept, numbers, found) -> None:
        """A private individual's name in a column the schema says to redact is an error."""
        for position, instead in self.rules.redacted.items():
            for index in people_in(columns[position]):
                self._file_cell(
                    RedactionError,
                    found,
                    numbers[index],
                    kept[index],
                    position,
                    replacement=instead,
                )

    def _file_row(
        self,
        found: dict[int, list[Finding]],
        kind: type[RowFinding],
        number: int,
        row: Sequence[str | None],
        **values: Any,
    ) -> None:
        """File a finding under its row's number; once the report lists all it can, a finding
        is only counted (a file with a million bad cells need not make a million values)."""
        if self.checked.listing_full:
            self.checked.error_counts[kind.type] += 1
        else:
            found.setdefault(number, []).append(kind(row_number=number, cells=row, **values))

    def _file_cell(
        self,
        kind: type[CellFinding],
        found: dict[int, list[Finding]],
        number: int,
        row: Sequence[str | None],
        position: int,
        **values: Any,
    ) -> None:
        """File a finding about one cell of a row, naming its column."""
        name = self.rules.readers[position].name
        self._file_row(
            found,
            kind,
            number,
            row,
            field_number=position + 1,
            field_name=name,
            cell=row[position],
            **values,
        )

    def _report(self, found: dict[int, list[Finding]]) -> None:
        for number in sorted(found):
            for finding in _in_frictionless_order(found[number]):
                self.checked.add(finding)


def formula_cells(
    cells: Sequence[str | None], numbers: Sequence[int], position: int, name: str
) -> Iterator[FormulaCell]:
    """A warning for each cell a spreadsheet would run as a formula."""
    for index, cell in enumerate(cells):
        if cell and cell.startswith(FORMULA_START):
            yield FormulaCell(
                row_number=numbers[index], field_number=position + 1, field_name=name, cell=cell
            )


def _in_frictionless_order(findings: list[Finding]) -> list[Finding]:
    """Cell errors by field first, then the row's own: as frictionless lists them."""
    return sorted(findings, key=_place_in_row)


def _place_in_row(finding: Finding) -> tuple[int, int]:
    return finding.row_order, finding.field_number if isinstance(finding, CellFinding) else 0


def value_hash(value: Any) -> int:
    """A hash of a typed key that differs wherever the values differ.

    Python's own hash is the same for -1 and -2, and for whole numbers 2**61 - 1 apart, so a
    check by `hash` alone would call different keys repeats. Numbers are hashed by their text
    instead (after -0.0 + 0, which is 0.0: equal numbers, equal text); NaN equals nothing.
    """
    if isinstance(value, tuple):
        return hash(tuple(map(_comparable, value)))
    return hash(_comparable(value))


def _comparable(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    if value != value:
        return ("NaN", next(_NAN_SERIAL))
    return repr(value + 0)


_NAN_SERIAL = itertools.count()


def _repeats(seen: dict[int, int], hashes: list[int], numbers: list[int]):
    """Record each hash with its row number; yield (index, earlier row) for each repeat.

    Only hashes are kept, so memory grows by a few dozen bytes a row whatever the row holds.
    """
    fresh = set(hashes)
    if len(fresh) == len(hashes) and seen.keys().isdisjoint(fresh):
        seen.update(zip(hashes, numbers, strict=True))
        return
    for index, (digest, number) in enumerate(zip(hashes, numbers, strict=True)):
        earlier = seen.setdefault(digest, number)
        if earlier != number:
            seen[digest] = number
            yield index, earlier


def _without(indexes: range, removed: list[int]) -> list[int]:
    gone = set(removed)
    return [index for index in indexes if index not in gone]


def _moved(problem: Problem, index: int) -> Problem:
    return replace(problem, index=index)
