"""Queries on a datastore table from a query string: filters, sorting, keyset paging, counts.

Nothing from the query string becomes SQL text: a column is found by its public name in the
table's recorded columns and used by its key (c0, c1, ...), and every value is a bound
parameter. A name or value that does not fit is an `Invalid` naming the query parameter, which
the API answers with HTTP 400.

Sorted rows come in segments: with `_sort` the rows with no value come first, with
`_sort_desc` last, and each segment is read with its own simple range condition on the
(column, _row) index. That gives the same order on SQLite and PostgreSQL (which disagree on
where NULLs go) and keeps deep pages as fast as the first.
"""

from __future__ import annotations

import json
import operator
import re
import sqlite3
import threading
import time
from base64 import urlsafe_b64decode, urlsafe_b64encode
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Connection,
    MetaData,
    Table,
    and_,
    func,
    or_,
    select,
    true,
    tuple_,
)
from sqlalchemy.exc import OperationalError

from catalog.errors import Invalid
from catalog.models import DataTable
from catalog.tables.datastore.engine import Datastore
from catalog.tables.datastore.likes import contains_any_case, starts_any_case
from catalog.tables.datastore.tables import INDEXED_COLUMNS, ROW, SQL_TYPES, DataColumn, sql_table
from catalog.tables.datastore.totals import total_from_first_matches
from catalog.tables.fields import CAST_ERRORS, FieldReader, field_reader

DEFAULT_SIZE = 100
MAX_SIZE = 10_000
# Totals are counted exactly up to this many matches; past it, exactly still when one index
# holds every filtered column (its entries alone are counted: about 15 ms for 700,000 on
# SQLite, 70 ms on PostgreSQL) or the table has at most two million rows, else perhaps
# estimated to within 1% (see `catalog.tables.datastore.totals`).
EXACT_TOTAL_UP_TO = 100_000
KEPT_TOTALS = 4096  # the totals `_count` keeps, oldest out first
_TOTALS: dict[tuple[str, str, str, int], tuple[int, bool]] = {}
_TOTALS_LOCK = threading.Lock()
# From this many matches, a sorted page on SQLite walks the sort column's index (`conditions`).
WALK_FROM_MATCHES = 10_000
TIME_LIMIT_SECONDS = 5.0
STREAM_BATCH = 5_000
SETTINGS = ("_sort", "_sort_desc", "_col", "_size", "_next", "_shape", "_count")
COMPARISONS: dict[str, Callable[[Any, Any], ColumnElement[bool]]] = {
    "exact": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}
OPERATORS = (*COMPARISONS, "not", "contains", "startswith", "in", "isnull")
TEXT_OPERATORS = ("contains", "startswith")
VALUED = (*COMPARISONS, "in", *TEXT_OPERATORS)  # operators no missing value satisfies
ISO_TYPES = ("date", "datetime", "time")
STORED_TYPES = {"integer": (int,), "year": (int,), "number": (int, float), "boolean": (bool,)}
NULL_WORDS = {"true": True, "1": True, "false": False, "0": False}
EXPECTED = {
    "integer": "a whole number",
    "year": "a four-digit year",
    "number": "a number",
    "boolean": "true or false",
    "date": "a date (YYYY-MM-DD)",
    "datetime": "a date and time (YYYY-MM-DDThh:mm:ss)",
    "time": "a time (hh:mm:ss)",
}


class QueryTimeout(Invalid):
    """The query ran past the time limit; narrowing it with filters usually helps."""


@dataclass(frozen=True)
class Filter:
    column: DataColumn
    operator: str
    value: Any


@dataclass(frozen=True)
class Sort:
    column: DataColumn
    descending: bool


@dataclass(frozen=True)
class Query:
    columns: list[DataColumn]
    filters: list[Filter]
    sort: Sort | None = None
    size: int = DEFAULT_SIZE
    after: tuple[Any, int] | None = None
    shape: str = "objects"
    exact_count: bool = False


@dataclass(frozen=True)
class Page:
    columns: list[DataColumn]
    rows: list[tuple[Any, ...]]
    next: str | None
    total: int
    total_is_exact: bool


def parse_query(table: DataTable, params: Mapping[str, list[str]]) -> Query:
    """The query a query string asks for, checked against the table's columns and types."""
    columns = [DataColumn.from_dict(column) for column in table.columns]
    named = {column.name: column for column in columns}
    readers = value_readers(table.version.table_schema or {})
    filters = [
        _filter(name, value, named, readers)
        for name, values in params.items()
        if name not in SETTINGS
        for value in values
    ]
    sort = _sort(params, named)
    return Query(
        columns=_chosen(params.get("_col", []), named) or columns,
        filters=filters,
        sort=sort,
        size=_size(_last(params, "_size")),
        after=_after(_last(params, "_next"), sort),
        shape=_choice(params, "_shape", ("objects", "arrays")) or "objects",
        exact_count=_choice(params, "_count", ("exact",)) == "exact",
    )


def run_query(
    datastore: Datastore,
    table: DataTable,
    query: Query,
    *,
    time_limit: float = TIME_LIMIT_SECONDS,
) -> Page:
    """One page of rows, the token for the next and the (possibly capped) total."""
    sql = sql_table_of(datastore, table)
    selected = _selected(sql, query)
    rows: list[Any] = []
    with time_limited(datastore, time_limit) as (connection, _renew):
        total, exact = _count(connection, sql, table, query)
        walk = datastore.is_sqlite and query.sort is not None and total >= WALK_FROM_MATCHES
        where = conditions(sql, query, walk_sort_index=walk)
        for segment, order in query_segments(sql, query, query.after):
            statement = (
                select(*selected)
                .where(*where, segment)
                .order_by(*order)
                .limit(query.size + 1 - len(rows))
            )
            rows += connection.execute(statement).all()
            if len(rows) > query.size:
                break
    token = next_token(query.sort, rows[query.size - 1]) if len(rows) > query.size else None
    return Page(
        columns=query.columns,
        rows=[tuple(row[2:]) for row in rows[: query.size]],
        next=token,
        total=total,
        total_is_exact=exact,
    )


def stream(
    datastore: Datastore,
    table: DataTable,
    query: Query,
    *,
    batch: int = STREAM_BATCH,
    time_limit: float = TIME_LIMIT_SECONDS,
) -> Iterator[tuple[Any, ...]]:
    """Every row the query matches, one at a time (see `stream_batches`)."""
    for rows in stream_batches(datastore, table, query, batch=batch, time_limit=time_limit):
        yield from rows


def stream_batches(
    datastore: Datastore,
    table: DataTable,
    query: Query,
    *,
    batch: int = STREAM_BATCH,
    time_limit: float = TIME_LIMIT_SECONDS,
) -> Iterator[list[tuple[Any, ...]]]:
    """Every row the query matches, in order, from the start and with no size cap, read in
    batches so an export of millions of rows runs in constant memory; the time limit applies
    to each batch."""
    sql = sql_table_of(datastore, table)
    selected = [sql.c[column.key] for column in query.columns]
    with time_limited(datastore, time_limit) as (connection, renew):
        for segment, order in query_segments(sql, query, None):
            statement = select(*selected).where(*conditions(sql, query), segment).order_by(*order)
            if datastore.is_sqlite:
                yield from sqlite_batches(connection, statement, query.columns, batch, renew)
                continue
            result = connection.execution_options(yield_per=batch).execute(statement)
            for rows in result.partitions():
                yield [tuple(row) for row in rows]
                renew()


def sqlite_batches(connection, statement, columns, batch: int, renew) -> Iterator[list[tuple]]:
    """Rows straight from SQLite's cursor, which reads them twice as fast as SQLAlchemy's
    result rows; the statement is still built (and its values bound) by SQLAlchemy."""
    compiled = statement.compile(
        dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
    )
    values = [compiled.params[name] for name in compiled.positiontup]
    booleans = [position for position, column in enumerate(columns) if column.type == "boolean"]
    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.execute(str(compiled), values)
        while rows := cursor.fetchmany(batch):
            yield [_with_booleans(row, booleans) for row in rows] if booleans else rows
            renew()
    finally:
        cursor.close()


def _with_booleans(row: tuple, positions: list[int]) -> tuple:
    """SQLite stores true and false as 1 and 0."""
    cells = list(row)
    for position in positions:
        if cells[position] is not None:
            cells[position] = bool(cells[position])
    return tuple(cells)


def sql_table_of(datastore: Datastore, table: DataTable) -> Table:
    columns = tuple(DataColumn.from_dict(column) for column in table.columns)
    return described_table(datastore.schema, table.table_name, columns)


@lru_cache(maxsize=256)
def described_table(schema: str | None, name: str, columns: tuple[DataColumn, ...]) -> Table:
    """The SQLAlchemy Table of a loaded table: built once, as a loaded table never changes."""
    return sql_table(MetaData(schema=schema), name, list(columns))


def _selected(sql: Table, query: Query) -> list[Any]:
    """`_row` and the sort value (for the next page's token), then the columns asked for."""
    sort_key = query.sort.column.key if query.sort else ROW
    return [sql.c[ROW], sql.c[sort_key], *(sql.c[column.key] for column in query.columns)]


def conditions(
    sql: Table, query: Query, *, walk_sort_index: bool = False
) -> list[ColumnElement[bool]]:
    """The filters in SQL. With `walk_sort_index`, the filtered columns are wrapped so that
    SQLite cannot use their indexes: when thousands of rows match, walking the sort column's
    index and keeping the matches finds a page at once, where SQLite's own choice (the filter's
    index, then sorting every match) takes tens of milliseconds. A column filtered by equality
    and indexed together with the sort column is left as it is: that index serves the page."""
    sort_key = query.sort.column.key if query.sort else None
    conditions = []
    for item in query.filters:
        column: ColumnElement[Any] = sql.c[item.column.key]
        paired = item.operator == "exact" and sort_key in item.column.paired_with
        if walk_sort_index and item.column.key != sort_key and not paired:
            column = func.coalesce(column, column)
        conditions.append(_condition(column, item))
    return conditions


def _condition(column, item: Filter) -> ColumnElement[bool]:
    if item.operator in COMPARISONS:
        return COMPARISONS[item.operator](column, item.value)
    if item.operator == "not":
        return or_(column != item.value, column.is_(None))
    if item.operator == "contains":
        return contains_any_case(column, item.value)
    if item.operator == "startswith":
        return starts_any_case(column, item.value)
    if item.operator == "in":
        return column.in_(item.value)
    return column.is_(None) if item.value else column.is_not(None)


_Segment = tuple[ColumnElement[bool], list[ColumnElement[Any]]]


def segments(sql: Table, sort: Sort | None, after: tuple[Any, int] | None) -> list[_Segment]:
    """The (condition, order) of each run of rows still to read, in the order they come."""
    row = sql.c[ROW]
    if sort is None:
        return [(row > after[1] if after else true(), [row])]
    column = sql.c[sort.column.key]
    values: _Segment
    nulls: _Segment
    if sort.descending:
        values = (column.is_not(None), [column.desc(), row.desc()])
        nulls = (column.is_(None), [row.desc()])
        if after is None:
            return [values, nulls]
        if after[0] is None:
            return [(and_(column.is_(None), row < after[1]), [row.desc()])]
        return [(tuple_(column, row) < after, values[1]), nulls]
    values = (column.is_not(None), [column, row])
    nulls = (column.is_(None), [row])
    if after is None:
        return [nulls, values]
    if after[0] is None:
        return [(and_(column.is_(None), row > after[1]), [row]), values]
    return [(tuple_(column, row) > after, values[1])]


def query_segments(sql: Table, query: Query, after: tuple[Any, int] | None) -> list[_Segment]:
    """`segments` for a query. When the sort column is filtered by a comparison, no row
    without a value matches, and that run (the one ordered by `_row` alone) is left out: on
    SQLite, reading it through a paired (filter, sort) index would visit every filtered row
    to find none."""
    found = segments(sql, query.sort, after)
    sort_key = query.sort.column.key if query.sort else None
    if not any(item.column.key == sort_key and item.operator in VALUED for item in query.filters):
        return found
    return [(condition, order) for condition, order in found if len(order) > 1]


def _count(connection: Connection, sql: Table, table: DataTable, query: Query) -> tuple[int, bool]:
    """The total of `_counted`, kept for the table's life in this process: a loaded table
    never changes (a reload is a new table), and each page of a filtered view, and each
    visitor asking for the same one, would otherwise count it again."""
    if not query.filters:
        return table.row_count, True
    counting = -1 if query.exact_count else EXACT_TOTAL_UP_TO
    key = (str(connection.engine.url), table.table_name, repr(query.filters), counting)
    with _TOTALS_LOCK:
        known = _TOTALS.get(key)
    if known is not None:
        return known
    total = _counted(connection, sql, table, query)
    with _TOTALS_LOCK:
        _TOTALS[key] = total
        if len(_TOTALS) > KEPT_TOTALS:
            del _TOTALS[next(iter(_TOTALS))]
    return total


def _counted(
    connection: Connection, sql: Table, table: DataTable, query: Query
) -> tuple[int, bool]:
    """The number of matching rows and whether it is exact: every match when an index holds
    every filtered column or `_count=exact` asks; otherwise the first EXACT_TOTAL_UP_TO + 1
    in file order, which give the total when there are no more, and when there are, the rows
    after the last of them are counted, or in a large table perhaps estimated (see
    `total_from_first_matches`)."""
    where = conditions(sql, query)
    if query.exact_count or counted_by_index(query.filters):
        matching = select(sql.c[ROW]).where(*where).subquery()
        return connection.execute(select(func.count()).select_from(matching)).scalar_one(), True
    row = sql.c[ROW]
    first = select(row).where(*where).order_by(row).limit(EXACT_TOTAL_UP_TO + 1).subquery()
    counted, reached = connection.execute(select(func.count(), func.max(first.c[ROW]))).one()
    if counted <= EXACT_TOTAL_UP_TO:
        return counted, True
    seed = f"{table.table_name} {query.filters!r}"
    total = total_from_first_matches(
        connection, sql, where, counted=counted, reached=reached, seed=seed
    )
    return total.matches, total.exact


def counted_by_index(filters: list[Filter]) -> bool:
    """Whether one index holds every filtered column (text searches aside), so a count reads
    index entries only, however many rows match: a column's own index, or a pair's."""
    if any(item.operator in TEXT_OPERATORS for item in filters):
        return False
    columns = {item.column.key: item.column for item in filters}
    if len(columns) == 1:
        return next(iter(columns.values())).indexed
    if len(columns) == 2:
        first, second = columns.values()
        return second.key in first.paired_with or first.key in second.paired_with
    return False


@contextmanager
def time_limited(datastore: Datastore, seconds: float):
    """A connection whose statements stop after `seconds`, and a function that restarts the
    clock (for each batch of an export). SQLite checks a deadline from a progress handler;
    PostgreSQL has `statement_timeout` for this transaction only."""
    with datastore.engine.connect() as connection:
        try:
            if datastore.is_sqlite:
                with _sqlite_deadline(connection, seconds) as renew:
                    yield connection, renew
            else:
                milliseconds = str(max(1, int(seconds * 1000)))
                connection.execute(select(func.set_config("statement_timeout", milliseconds, True)))
                yield connection, lambda: None
        except (OperationalError, sqlite3.OperationalError) as error:
            if not _timed_out(error):
                raise
            raise QueryTimeout(
                f"The query took longer than {seconds:g} seconds and was stopped. "
                "Add filters to narrow it, or sort by another column."
            ) from error


@contextmanager
def _sqlite_deadline(connection: Connection, seconds: float):
    raw = cast(sqlite3.Connection, connection.connection.driver_connection)  # SQLite's own
    deadline = time.monotonic() + seconds

    def renew() -> None:
        nonlocal deadline
        deadline = time.monotonic() + seconds

    raw.set_progress_handler(lambda: time.monotonic() > deadline, 1_000)
    try:
        yield renew
    finally:
        raw.set_progress_handler(None, 0)


def _timed_out(error: OperationalError | sqlite3.OperationalError) -> bool:
    """PostgreSQL's query_canceled (57014), or SQLite stopped by the progress handler."""
    cause = getattr(error, "orig", error)
    return getattr(cause, "sqlstate", None) == "57014" or "interrupted" in str(cause)


def value_readers(schema: dict[str, Any]) -> dict[str, tuple[FieldReader, FieldReader]]:
    """Per field, a reader for its own format and one for the ISO form the table stores, so
    a date filter works both as written in the file and as the API returns it."""
    missing = schema.get("missingValues", [""])
    readers = {}
    for descriptor in schema.get("fields", []):
        iso = {"name": descriptor["name"], "type": descriptor.get("type", "any")}
        readers[descriptor["name"]] = (
            field_reader(descriptor, missing),
            field_reader(iso, missing),
        )
    return readers


def _filter(name: str, value: str, named: dict[str, DataColumn], readers) -> Filter:
    if name.startswith("_"):
        raise Invalid(
            f"Unknown parameter '{name}'. The settings are: {', '.join(SETTINGS)}.", field=name
        )
    column, kind = _filter_target(name, named)
    if "\x00" in value:
        # No stored text holds NUL, and PostgreSQL refuses it in a query.
        raise Invalid(f"{name} holds a NUL character, which no value can have.", field=name)
    if kind in TEXT_OPERATORS:
        if column.type in SQL_TYPES:
            raise Invalid(
                f"{name}: '{kind}' works on text columns only; '{column.name}' holds "
                f"{column.type} values.",
                field=name,
            )
        return Filter(column, kind, value)
    if kind == "isnull":
        if value.lower() not in NULL_WORDS:
            raise Invalid(f"{name} must be true or false, not '{value}'.", field=name)
        return Filter(column, kind, NULL_WORDS[value.lower()])
    reader = readers[column.name]
    if kind == "in":
        return Filter(
            column, kind, [typed_value(name, column, reader, part) for part in value.split(",")]
        )
    return Filter(column, kind, typed_value(name, column, reader, value))


def _filter_target(name: str, named: dict[str, DataColumn]) -> tuple[DataColumn, str]:
    """`col` (exact) or `col__operator`; a column whose own name has `__` still works."""
    if name in named:
        return named[name], "exact"
    base, separator, kind = name.rpartition("__")
    if not separator or base not in named:
        raise Invalid(
            f"Unknown column '{base or name}' in '{name}'. The columns are: {', '.join(named)}.",
            field=name,
        )
    if kind not in OPERATORS:
        raise Invalid(
            f"Unknown operator '{kind}' in '{name}'. Use one of: {', '.join(OPERATORS)}.",
            field=name,
        )
    return named[base], kind


def typed_value(name: str, column: DataColumn, reader: tuple[FieldReader, FieldReader], text: str):
    """A filter value in the column's stored form."""
    own, iso = reader
    for candidate in (own, iso) if column.type in ISO_TYPES else (own,):
        try:
            return candidate.cast(text)
        except CAST_ERRORS:
            continue
    expected = EXPECTED.get(column.type, f"a valid {column.type}")
    if own.format not in ("default", "any"):
        expected += f" or in the format {own.format}"
    raise Invalid(f"{name} must be {expected}, not '{text}'.", field=name)


def _sort(params: Mapping[str, list[str]], named: dict[str, DataColumn]) -> Sort | None:
    ascending, descending = _last(params, "_sort"), _last(params, "_sort_desc")
    if ascending and descending:
        raise Invalid("Use either _sort or _sort_desc, not both.", field="_sort_desc")
    if not (ascending or descending):
        return None
    field = "_sort" if ascending else "_sort_desc"
    name = ascending or descending
    if name not in named:
        raise Invalid(
            f"Unknown column '{name}' in {field}. The columns are: {', '.join(named)}.",
            field=field,
        )
    if not (named[name].indexed or named[name].indexing):
        why = (
            f"only the first {INDEXED_COLUMNS} columns are"
            if list(named).index(name) >= INDEXED_COLUMNS
            else "building its index failed (the site's administrators can see why in its log)"
        )
        raise Invalid(
            f"The table cannot be sorted by '{name}' because it is not indexed: {why}.",
            field=field,
        )
    return Sort(named[name], descending=bool(descending))


def _chosen(values: list[str], named: dict[str, DataColumn]) -> list[DataColumn]:
    """`_col`, repeated or comma-separated; a column whose name has a comma still works."""
    names = [name for value in values for name in ([value] if value in named else value.split(","))]
    unknown = [name for name in names if name not in named]
    if unknown:
        raise Invalid(
            f"Unknown column {', '.join(repr(name) for name in unknown)} in _col. "
            f"The columns are: {', '.join(named)}.",
            field="_col",
        )
    return [named[name] for name in dict.fromkeys(names)]


def _size(text: str | None) -> int:
    if text is None:
        return DEFAULT_SIZE
    if not re.fullmatch(r"[0-9]{1,9}", text) or not 1 <= int(text) <= MAX_SIZE:
        raise Invalid(
            f"_size must be a whole number from 1 to {MAX_SIZE:,}, not '{text}'.", field="_size"
        )
    return int(text)


def _choice(params: Mapping[str, list[str]], name: str, allowed: tuple[str, ...]) -> str | None:
    value = _last(params, name)
    if value is not None and value not in allowed:
        raise Invalid(f"{name} must be {' or '.join(allowed)}, not '{value}'.", field=name)
    return value


def _last(params: Mapping[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    return values[-1] if values else None


def next_token(sort: Sort | None, row) -> str:
    """The opaque `_next`: the sort it belongs to and the last row's sort value and number."""
    key = [sort.column.name, sort.descending, row[1]] if sort else [None, False, None]
    data = json.dumps([*key, row[0]], separators=(",", ":")).encode()
    return urlsafe_b64encode(data).decode().rstrip("=")


def _after(token: str | None, sort: Sort | None) -> tuple[Any, int] | None:
    if token is None:
        return None
    try:
        name, descending, value, row = json.loads(
            urlsafe_b64decode(token + "=" * (-len(token) % 4))
        )
    except (ValueError, TypeError) as error:
        raise Invalid("_next is not a token this API gave out.", field="_next") from error
    expected = [sort.column.name, sort.descending] if sort else [None, False]
    if [name, descending] != expected:
        raise Invalid("_next belongs to a different sort: keep the same _sort.", field="_next")
    if type(row) is not int or not _fits(sort, value):
        raise Invalid("_next is not a token this API gave out.", field="_next")
    return value, row


def _fits(sort: Sort | None, value: Any) -> bool:
    """Whether a token's sort value has the column's stored type (or is a missing value)."""
    if value is None:
        return True
    return sort is not None and type(value) in STORED_TYPES.get(sort.column.type, (str,))
