"""A table's Frictionless dialect: where its header is, which rows are notes, how its CSV is
written, and which sheet of a workbook holds it.

A council's file often has a title, a blank line and the period above its header, or notes
starting with "#". The dialect says so, in the words of the Frictionless specification
(`headerRows`, `commentChar`, `delimiter`, ...), so the file itself is never rewritten: every
read of it (check, load, preview, schema) goes through `catalog.tables.reading.read_table` with
its dialect, and the data package publishes the same dialect for other tools.

Rows are numbered as frictionless numbers them: every row of the file counts, title and
comment rows included, so a report's "row 7" is the seventh row a spreadsheet shows.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from catalog.errors import Invalid

# The CSV properties of a dialect, as the specification spells them, and their defaults.
CSV_DEFAULTS: dict[str, Any] = {
    "delimiter": None,  # None: worked out from the file
    "lineTerminator": None,
    "quoteChar": '"',
    "doubleQuote": True,
    "escapeChar": None,
    "skipInitialSpace": False,
}
DEFAULT_JOIN = " "
# How far down a file a header is looked for, and how many rows show what a data row is like.
HEADER_SEARCH_ROWS = 20
SAMPLE_ROWS = 50


@dataclass(frozen=True)
class Dialect:
    """How to read one table; the default reads a plain CSV with its header on row 1."""

    header: bool = True
    header_rows: tuple[int, ...] = (1,)
    header_join: str = DEFAULT_JOIN
    comment_char: str | None = None
    comment_rows: frozenset[int] = frozenset()
    csv: dict[str, Any] = field(default_factory=dict)  # only the properties given
    sheet: str | int | None = None  # a workbook's sheet, by name or number from 1

    @classmethod
    def from_descriptor(cls, descriptor: Any) -> Dialect:
        """The dialect a descriptor gives, in the Data Package's flat form or frictionless v5's
        (`csv: {...}`, `excel: {"sheet": ...}`); Invalid, naming the property, when it is wrong."""
        if descriptor is None:
            return cls()
        if not isinstance(descriptor, dict):
            raise Invalid("A dialect must be a JSON object.", field="dialect")
        flat = {**descriptor, **_mapping(descriptor, "csv")}
        header_rows = tuple(_row_numbers(flat, "headerRows") or (1,))
        csv = {name: flat[name] for name in CSV_DEFAULTS if flat.get(name) is not None}
        for name in ("delimiter", "quoteChar", "escapeChar"):
            if name in csv and not (isinstance(csv[name], str) and len(csv[name]) == 1):
                raise Invalid(f"The dialect's {name} must be one character.", field="dialect")
        for name in ("doubleQuote", "skipInitialSpace"):
            if name in csv and not isinstance(csv[name], bool):
                raise Invalid(f"The dialect's {name} must be true or false.", field="dialect")
        if "lineTerminator" in csv and not isinstance(csv["lineTerminator"], str):
            raise Invalid("The dialect's lineTerminator must be text.", field="dialect")
        return cls(
            header=_flag(flat, "header", default=True),
            header_rows=header_rows,
            header_join=_text(flat, "headerJoin", DEFAULT_JOIN) or "",
            comment_char=_text(flat, "commentChar", None) or None,
            comment_rows=frozenset(_row_numbers(flat, "commentRows")),
            csv={name: value for name, value in csv.items() if value != CSV_DEFAULTS[name]},
            sheet=_sheet(flat),
        )

    def to_descriptor(self) -> dict[str, Any]:
        """What differs from the default, as a Data Package gives it; frictionless v5 reads a
        workbook's sheet from `excel`, the Data Package v2 specification from `sheetName` or
        `sheetNumber`, so both are given."""
        described: dict[str, Any] = {}
        if not self.header:
            described["header"] = False
        if self.header_rows != (1,):
            described["headerRows"] = list(self.header_rows)
        if self.header_join != DEFAULT_JOIN:
            described["headerJoin"] = self.header_join
        if self.comment_char:
            described["commentChar"] = self.comment_char
        if self.comment_rows:
            described["commentRows"] = sorted(self.comment_rows)
        described.update(self.csv)
        if self.sheet is not None:
            described["sheetName" if isinstance(self.sheet, str) else "sheetNumber"] = self.sheet
            described["excel"] = {"sheet": self.sheet}
        return described

    @property
    def first_data_row(self) -> int:
        return self.header_rows[-1] + 1 if self.header else 1

    @property
    def skips_rows(self) -> bool:
        """Rows below the header that are not data: notes, by their mark or their number."""
        return bool(self.comment_char or self.comment_rows)

    def is_comment(self, number: int, cells: Sequence[str]) -> bool:
        """A note, as frictionless tells one: its number is listed, or its first cell starts
        with the comment character."""
        if number in self.comment_rows:
            return True
        return bool(self.comment_char and cells and cells[0].startswith(self.comment_char))

    def labels(self, header_rows: list[list[str]]) -> list[str]:
        """The column labels of the header rows as frictionless reads them: each stripped of
        spaces around it, several rows joined, and a cell repeating the one above it (a
        merged heading) given once."""
        labels: list[str] = []
        above: dict[int, str] = {}
        for cells in header_rows:
            for index, cell in enumerate(cell.strip() for cell in cells):
                if above.get(index) == cell:
                    continue
                above[index] = cell
                if index >= len(labels):
                    labels.append(cell)
                else:
                    labels[index] = self.header_join.join([labels[index], cell])
        return labels

    def with_header_row(self, number: int) -> Dialect:
        """This dialect with its header on one row, as a publisher corrects it."""
        if number < 1:
            raise Invalid("The header row is a row number from 1.", field="header_row")
        return replace(self, header=True, header_rows=(number,))

    def describe(self) -> str | None:
        """The dialect in a publisher's words, where it is more than a plain table."""
        if not self.header:
            return "The file has no header row: the columns are named by its description."
        if len(self.header_rows) > 1:
            rows = ", ".join(map(str, self.header_rows[:-1])) + f" and {self.header_rows[-1]}"
            return f"The header is in rows {rows}; their labels are joined."
        if self.header_rows[0] > 1:
            return (
                f"The header looks like row {self.header_rows[0]}; the rows above it are skipped."
            )
        return None


class TableRows:
    """The data rows of a table, below its header and without its notes, with `numbers`: the
    file's number of each row, in step with the rows (read a row, then take its number)."""

    def __init__(self, cells: Iterator[list[str]], dialect: Dialect) -> None:
        self.header = dialect.header
        first = dialect.first_data_row
        if dialect.skips_rows:
            taken: deque[int] = deque()
            self.rows = _kept(cells, first, dialect, taken)
            self.numbers: Iterator[int] = iter(taken.popleft, None)
        else:
            self.rows = cells  # the usual file: no row to skip, no number to keep
            self.numbers = itertools.count(first)

    def __iter__(self) -> Iterator[list[str]]:
        return self.rows

    def __next__(self) -> list[str]:
        return next(self.rows)


def split_header(cells: Iterator[list[str]], dialect: Dialect) -> tuple[list[str], TableRows]:
    """The labels of a table's header rows and its data rows. A table without a header is
    labelled as frictionless names its columns, `field1`, `field2`, ... as wide as its first
    row; its check compares no labels (`TableRows.header`)."""
    if not dialect.header:
        first = next(cells, None)
        if first is None:
            return [], TableRows(cells, dialect)
        labels = [f"field{number}" for number in range(1, len(first) + 1)]
        return labels, TableRows(itertools.chain([first], cells), dialect)
    header_cells = []
    for number, row in enumerate(itertools.islice(cells, dialect.header_rows[-1]), start=1):
        if number in dialect.header_rows and not dialect.is_comment(number, row):
            header_cells.append(row)
    return dialect.labels(header_cells), TableRows(cells, dialect)


def _kept(
    cells: Iterator[list[str]], first: int, dialect: Dialect, taken: deque[int]
) -> Iterator[list[str]]:
    for number, row in enumerate(cells, start=first):
        if not dialect.is_comment(number, row):
            taken.append(number)
            yield row


def detect_header_row(rows: list[list[str]]) -> int:
    """The row number of the header, under any title rows: the first row filled as widely as
    the table's rows are, holding no numbers (data rows hold some), with only title-like rows
    above it (blank, or filled at most half as widely). 1 when unsure."""
    widths = [_filled(row) for row in rows[:SAMPLE_ROWS]]
    if not widths:
        return 1
    table_width = max(widths)
    if table_width < 2:
        return 1
    for index, (row, width) in enumerate(zip(rows[:HEADER_SEARCH_ROWS], widths, strict=False)):
        if width == table_width:
            if any(_numeric(cell) for cell in row):
                return 1  # the widest rows start with data: no header to move to
            return index + 1
        if width > table_width // 2:
            return 1  # a header with a blank label, say, rather than a title
    return 1


def _filled(row: list[str]) -> int:
    return sum(1 for cell in row if cell.strip())


def _numeric(cell: str) -> bool:
    text = cell.strip().replace(",", "").lstrip("£$€-+")
    try:
        float(text)
    except ValueError:
        return False
    return True


def _mapping(descriptor: dict[str, Any], name: str) -> dict[str, Any]:
    value = descriptor.get(name) or {}
    if not isinstance(value, dict):
        raise Invalid(f"The dialect's {name} must be a JSON object.", field="dialect")
    return value


def _row_numbers(descriptor: dict[str, Any], name: str) -> list[int]:
    value = descriptor.get(name) or []
    if not isinstance(value, list) or not all(
        isinstance(number, int) and not isinstance(number, bool) and number >= 1 for number in value
    ):
        raise Invalid(f"The dialect's {name} must list row numbers from 1.", field="dialect")
    if value != sorted(set(value)):
        raise Invalid(f"The dialect's {name} must list rows in order, once.", field="dialect")
    return value


def _flag(descriptor: dict[str, Any], name: str, *, default: bool) -> bool:
    value = descriptor.get(name, default)
    if not isinstance(value, bool):
        raise Invalid(f"The dialect's {name} must be true or false.", field="dialect")
    return value


def _text(descriptor: dict[str, Any], name: str, default: str | None) -> str | None:
    value = descriptor.get(name, default)
    if value is not None and not isinstance(value, str):
        raise Invalid(f"The dialect's {name} must be text.", field="dialect")
    return value


def _sheet(descriptor: dict[str, Any]) -> str | int | None:
    """A sheet by name or number, from frictionless's `excel.sheet` or the specification's
    `sheetName` / `sheetNumber`."""
    sheet = _mapping(descriptor, "excel").get("sheet")
    for name in ("sheetName", "sheetNumber"):
        if sheet is None:
            sheet = descriptor.get(name)
    if sheet is None:
        return None
    if isinstance(sheet, int) and not isinstance(sheet, bool) and sheet >= 1:
        return sheet
    if isinstance(sheet, str) and sheet.strip():
        return sheet
    raise Invalid("The dialect's sheet is a sheet's name, or its number from 1.", field="dialect")
