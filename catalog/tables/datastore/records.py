"""Records of a loaded table as CKAN's `datastore_search` asks for them: chosen fields, filters
whose values may be lists, full-text words (`catalog.tables.datastore.words`), several sort
keys, limit and offset, distinct rows and a total that can be estimated.

Every record has `_id`, its number in the table from 1 (CKAN's row id): the row's number in
the file (`_row`) less the rows above the first one loaded, so it needs no column of its own,
is the same on every load of the same file and sorts and filters on the table's primary key.
Numbers are missing only where a blank row was passed over. A table whose file has its own
`_id` column keeps that column as its `_id`.

Missing values sort last going up and first going down, as PostgreSQL (and so CKAN) has it,
and ties keep `_id` order, on SQLite as on PostgreSQL. Names and values never become SQL
text: a column is found by its name among the table's recorded columns and values are bound.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import ColumnElement, Connection, Label, Table, and_, false, func, not_, or_, select

from catalog.errors import Invalid
from catalog.models import DataTable
from catalog.tables.datastore.engine import Datastore
from catalog.tables.datastore.query import (
    TIME_LIMIT_SECONDS,
    sql_table_of,
    time_limited,
    typed_value,
    value_readers,
)
from catalog.tables.datastore.tables import ROW, DataColumn
from catalog.tables.datastore.totals import total_from_first_matches
from catalog.tables.datastore.words import AllOf, AnyOf, Not, Word, Words, parse_words
from catalog.tables.fields import FieldReader

ID = "_id"
ID_COLUMN = DataColumn(name=ID, type="integer", key=ROW, indexed=True)
ROWS_MAX = 32_000
WHOLE_NUMBER = re.compile(r"[0-9]{1,18}")
DECIMAL = re.compile(r"[0-9]+(\.[0-9]+)?")
LIKE_SPECIALS = re.compile(r"([\\%_])")
# How a word reads as a value of a typed column, or None where it cannot be one.
TYPED_WORDS: dict[str, Callable[[str], Any]] = {
    "integer": lambda word: int(word) if WHOLE_NUMBER.fullmatch(word) else None,
    "year": lambda word: int(word) if WHOLE_NUMBER.fullmatch(word) else None,
    "number": lambda word: float(word) if DECIMAL.fullmatch(word) else None,
    "boolean": {"true": True, "false": False}.get,
}


@dataclass(frozen=True)
class SortKey:
    name: str
    descending: bool = False
    nulls_first: bool | None = None  # None: last going up, first going down


@dataclass(frozen=True)
class RecordSearch:
    """What a caller asks for, by column names; `estimate_above` lets a total above it be
    estimated rather than counted (CKAN's `total_estimation_threshold`)."""

    fields: list[str] | None = None
    filters: dict[str, list[Any]] = field(default_factory=dict)
    full_text: str | None = None
    column_text: dict[str, str] = field(default_factory=dict)
    plain: bool = True
    sort: list[SortKey] = field(default_factory=list)
    limit: int = 100
    offset: int = 0
    distinct: bool = False
    include_total: bool = True
    estimate_above: int | None = None


@dataclass(frozen=True)
class Records:
    columns: list[DataColumn]
    rows: list[tuple[Any, ...]]
    total: int | None
    total_was_estimated: bool


def record_columns(table: DataTable) -> list[DataColumn]:
    """The table's columns as records have them: `_id` first."""
    columns = [DataColumn.from_dict(column) for column in table.columns]
    if any(column.name == ID for column in columns):
        return columns
    return [ID_COLUMN, *columns]


def find_records(
    datastore: Datastore,
    table: DataTable,
    search: RecordSearch,
    *,
    time_limit: float = TIME_LIMIT_SECONDS,
) -> Records:
    """The records `search` asks for, and their total unless it asks for none."""
    columns = record_columns(table)
    named = {column.name: column for column in columns}
    chosen = _chosen(search.fields, named) or columns
    sql = sql_table_of(datastore, table)
    with time_limited(datastore, time_limit) as (connection, _renew):
        base = _rows_above(connection, sql)
        query = _Query(sql, base, datastore.is_sqlite)
        labels = [query.value(column).label(f"f{n}") for n, column in enumerate(chosen)]
        filters = _filters(query, table, search.filters, named)
        conditions = [*filters, *_texts(query, search, columns, named)]
        order = _order(query, search, named, dict(zip(chosen, labels, strict=True)))
        rows: list[tuple[Any, ...]] = []
        if search.limit:
            statement = select(*labels).where(*conditions).order_by(*order)
            if search.distinct:
                statement = statement.distinct()
            statement = statement.offset(search.offset).limit(search.limit)
            rows = [tuple(row) for row in connection.execute(statement)]
        total, estimated = None, False
        if search.include_total:
            reading_all = replace(query, reading_all=True)
            every_row = [*filters, *_texts(reading_all, search, columns, named)]
            total, estimated = _total(
                connection, query, table, search, (conditions, every_row), labels, rows
            )
    return Records(columns=chosen, rows=rows, total=total, total_was_estimated=estimated)


def _rows_above(connection: Connection, sql: Table) -> int:
    """How many rows of the file come before the first one loaded (its header, usually)."""
    first = connection.execute(select(func.min(sql.c[ROW]))).scalar()
    return int(first) - 1 if first is not None else 0


@dataclass(frozen=True)
class _Query:
    sql: Table
    base: int
    on_sqlite: bool
    reading_all: bool = False  # every row is read (to count them): no plan to choose

    def value(self, column: DataColumn) -> ColumnElement[Any]:
        """A column's values as records show them (`_id` counts from 1)."""
        if column is ID_COLUMN:
            return self.sql.c[ROW] - self.base
        return self.sql.c[column.key]

    def order_key(self, column: DataColumn) -> ColumnElement[Any]:
        """What sorts as the column does: `_id` sorts as `_row`, its primary key."""
        return self.sql.c[column.key]

    def matching(self, words: Words, columns: list[DataColumn]) -> ColumnElement[bool]:
        """Whether a row's cells in `columns` hold the words (never unknown, so `!` works on
        empty cells too)."""
        if isinstance(words, Word):
            texts = [column for column in columns if column.type not in TYPED_WORDS]
            found = [self._contains(texts, words.text)] if texts else []
            found += [
                match
                for column in columns
                if column.type in TYPED_WORDS
                and (match := self._equals(column, words.text)) is not None
            ]
            return or_(*found) if found else false()
        if isinstance(words, Not):
            return not_(self.matching(words.part, columns))
        parts = [self.matching(part, columns) for part in words.parts]
        if isinstance(words, AnyOf):
            return or_(*parts)
        assert isinstance(words, AllOf)
        return and_(*parts) if parts else false()

    def _equals(self, column: DataColumn, word: str) -> ColumnElement[bool] | None:
        """A number, year or true/false cell that equals the word; None when no value of the
        column's type could."""
        value = TYPED_WORDS[column.type](word)
        if value is None:
            return None
        cell = self.value(column)
        return and_(cell.is_not(None), cell == value)

    def _contains(self, columns: list[DataColumn], word: str) -> ColumnElement[bool]:
        """Some text cell holds the (lower-case) word, whatever the case.

        SQLite's LIKE ignores the case of ASCII letters (and its lower() changes only those):
        a third of the time of lowering each cell first. On PostgreSQL, ILIKE on each cell
        lets the planner judge a word from each column's statistics (a common word is then
        found by walking the rows in order, not by reading them all); where every row is read
        anyway, the cells joined by spaces and lowered once take half ILIKE's time (a word
        has no spaces, so it cannot match across two cells)."""
        pattern = "%" + LIKE_SPECIALS.sub(r"\\\1", word) + "%"
        cells = [self.value(column) for column in columns]
        if self.on_sqlite:
            return or_(*(and_(c.is_not(None), c.like(pattern, escape="\\")) for c in cells))
        if self.reading_all:
            return func.lower(func.concat_ws(" ", *cells)).like(pattern, escape="\\")
        return or_(*(and_(c.is_not(None), c.ilike(pattern, escape="\\")) for c in cells))


def _chosen(names: list[str] | None, named: dict[str, DataColumn]) -> list[DataColumn]:
    unknown = [name for name in names or [] if name not in named]
    if unknown:
        raise Invalid(
            f"Unknown column {', '.join(repr(name) for name in unknown)} in fields. "
            f"The columns are: {', '.join(named)}.",
            field="fields",
        )
    return [named[name] for name in dict.fromkeys(names or [])]


def _column(name: str, named: dict[str, DataColumn], parameter: str) -> DataColumn:
    if name not in named:
        raise Invalid(
            f"Unknown column '{name}' in {parameter}. The columns are: {', '.join(named)}.",
            field=parameter,
        )
    return named[name]


def _filters(
    query: _Query, table: DataTable, filters: dict[str, list[Any]], named: dict[str, DataColumn]
) -> list[ColumnElement[bool]]:
    """Each filter matches any of its values (a missing value matches an empty cell)."""
    readers = value_readers(table.version.table_schema or {})
    conditions = []
    for name, values in filters.items():
        column = _column(name, named, "filters")
        present = [value for value in values if value is not None]
        if column is ID_COLUMN:
            key = query.order_key(column)
            wanted = [_row_id(value) + query.base for value in present]
        else:
            key = query.value(column)
            wanted = [_typed(name, column, readers[name], value) for value in present]
        matches = [key.in_(wanted)] if wanted else []
        if len(present) < len(values):
            matches.append(key.is_(None))
        conditions.append(or_(*matches) if matches else false())
    return conditions


def _row_id(value: Any) -> int:
    text = str(value).strip()
    if type(value) is bool or not WHOLE_NUMBER.fullmatch(text):
        raise Invalid(f"In filters, _id must be a whole number, not '{value}'.", field="filters")
    return int(text)


def _typed(
    name: str, column: DataColumn, reader: tuple[FieldReader, FieldReader], value: Any
) -> Any:
    text = str(value).lower() if isinstance(value, bool) else str(value)
    if "\x00" in text:  # no stored text holds NUL, and PostgreSQL refuses it in a query
        raise Invalid(f"In filters, {name} holds a NUL character.", field="filters")
    try:
        return typed_value(name, column, reader, text)
    except Invalid as error:
        raise Invalid(f"In filters, {error.message}", field="filters") from None


def _texts(
    query: _Query, search: RecordSearch, columns: list[DataColumn], named: dict[str, DataColumn]
) -> list[ColumnElement[bool]]:
    """`full_text` over every column but `_id`; `column_text` each over its own column."""
    searched: list[tuple[str | None, str]] = [(None, search.full_text)] if search.full_text else []
    searched += list(search.column_text.items())
    conditions = []
    for name, text in searched:
        words = parse_words(text, plain=search.plain)
        if name is None:
            searched_columns = [column for column in columns if column is not ID_COLUMN]
        else:
            searched_columns = [_column(name, named, "q")]
        conditions.append(query.matching(words, searched_columns))
    return conditions


def _order(
    query: _Query,
    search: RecordSearch,
    named: dict[str, DataColumn],
    labels: dict[DataColumn, Label[Any]],
) -> list[ColumnElement[Any]]:
    """The sort keys, then `_id` for ties. Distinct rows sort by what is selected (by every
    chosen column when no sort is asked for), as SQL requires."""
    keys = search.sort
    if search.distinct and not keys:
        keys = [SortKey(column.name) for column in labels]
    order: list[ColumnElement[Any]] = []
    for key in keys:
        column = _column(key.name, named, "sort")
        if search.distinct and column not in labels:
            raise Invalid(
                f"With distinct, sort by the fields returned: '{key.name}' is not one of them.",
                field="sort",
            )
        value = labels[column] if search.distinct else query.order_key(column)
        ordered = value.desc() if key.descending else value.asc()
        if column is not ID_COLUMN:
            nulls_first = key.descending if key.nulls_first is None else key.nulls_first
            ordered = ordered.nulls_first() if nulls_first else ordered.nulls_last()
        order.append(ordered)
    if not search.distinct and ID not in {key.name for key in keys}:
        order.append(query.order_key(ID_COLUMN).asc())
    return order


def _total(
    connection: Connection,
    query: _Query,
    table: DataTable,
    search: RecordSearch,
    conditions: tuple[list[ColumnElement[bool]], list[ColumnElement[bool]]],
    labels: list[Label[Any]],
    rows: list[tuple[Any, ...]],
) -> tuple[int, bool]:
    """The number of matching records: with nothing to match the table's own count; from the
    page itself when it ends short (no second pass over the table); above `estimate_above`
    an estimate (see `_estimate`); else counted. `conditions` come twice: as the page has
    them, and as they are quickest when every row is read (see `_Query._contains`)."""
    walking, reading = conditions
    if not walking and not search.distinct:
        return table.row_count, False
    if 0 < len(rows) < search.limit or (search.offset == 0 and len(rows) < search.limit):
        return search.offset + len(rows), False
    if search.distinct:
        matching = select(*labels).distinct().where(*reading)
    elif search.estimate_above is None:
        matching = select(query.order_key(ID_COLUMN)).where(*reading)
    else:
        key = query.order_key(ID_COLUMN)
        matching = select(key).where(*walking).limit(search.estimate_above + 1)
    total = connection.execute(select(func.count()).select_from(matching.subquery())).scalar_one()
    if search.distinct or search.estimate_above is None or total <= search.estimate_above:
        return total, False
    return _estimate(connection, query, table, search, walking, total)


def _estimate(
    connection: Connection,
    query: _Query,
    table: DataTable,
    search: RecordSearch,
    conditions: list[ColumnElement[bool]],
    counted: int,
) -> tuple[int, bool]:
    """The total from the rows after the `counted`-th match, as the data API has it: counted,
    or in a large table perhaps estimated to within 1%."""
    row = query.order_key(ID_COLUMN)
    last = select(row).where(*conditions).order_by(row).offset(counted - 1).limit(1)
    reached = connection.execute(last).scalar_one()
    seed = f"{table.table_name} {search!r}"
    found = total_from_first_matches(
        connection, query.sql, conditions, counted=counted, reached=reached, seed=seed
    )
    return found.matches, not found.exact
