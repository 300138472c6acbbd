"""What a person browsing a table needs beyond one page of the data API: where the page sits
(the rows before it and the token of the page before) and, for columns with few distinct
values, each value with the number of rows that hold it.

Both read the same table, filters and keyset order as `query.run_query`, so the explorer
pages through exactly the rows `/api/data` returns.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Table, func, or_, select

from catalog.models import DataTable
from catalog.tables.datastore.engine import Datastore
from catalog.tables.datastore.query import (
    TIME_LIMIT_SECONDS,
    Query,
    QueryTimeout,
    Sort,
    conditions,
    described_table,
    next_token,
    segments,
    sql_table_of,
    time_limited,
)
from catalog.tables.datastore.tables import ROW, DataColumn

FEW_VALUES = 20
LISTED_TYPES = ("string", "any", "boolean", "year")
VALUE_LIST_SECONDS = 0.5
WHOLE_TABLE_SECONDS = 30.0


@dataclass(frozen=True)
class PageBefore:
    """The page before one reached by `_next`: its own `_next` token (None when it is the
    first page) and how many rows come before the current page."""

    token: str | None
    rows: int


@dataclass(frozen=True)
class ValueCount:
    value: Any
    count: int


def page_before(datastore: Datastore, table: DataTable, query: Query) -> PageBefore | None:
    """Keyset paging only knows the way forward; reading the same order backwards from the
    current page's start finds the page before and counts the rows ahead of it."""
    if query.after is None:
        return None
    sql = sql_table_of(datastore, table)
    sort_key = query.sort.column.key if query.sort else ROW
    where = conditions(sql, query)
    backwards = _segments_before(sql, query.sort, query.after)
    found: list[Any] = []
    with time_limited(datastore, TIME_LIMIT_SECONDS) as (connection, _renew):
        for segment, order in backwards:
            statement = (
                select(sql.c[ROW], sql.c[sort_key])
                .where(*where, segment)
                .order_by(*order)
                .limit(query.size - len(found))
            )
            found += connection.execute(statement).all()
            if len(found) >= query.size:
                break
        earlier = select(sql.c[ROW]).where(*where, or_(*(segment for segment, _ in backwards)))
        count = connection.execute(select(func.count()).select_from(earlier.subquery()))
        rows = count.scalar_one()
    token = next_token(query.sort, found[query.size - 1]) if len(found) >= query.size else None
    return PageBefore(token=token, rows=rows + 1)


def _segments_before(sql: Table, sort: Sort | None, after: tuple[Any, int]):
    """The rows before `after` (itself the last row of the page before), nearest first: the
    same segments read in the opposite order."""
    if sort is None:
        row: ColumnElement[Any] = sql.c[ROW]
        return [(row < after[1], [row.desc()])]
    return segments(sql, Sort(sort.column, not sort.descending), after)


def value_lists(
    datastore: Datastore, table: DataTable, query: Query
) -> dict[str, list[ValueCount]]:
    """For each indexed column with two to FEW_VALUES distinct values, the rows of the view
    that hold each value, most first. A column's own filters are left out of its counts, so
    every choice stays in sight (as search facets do). The whole table's counts are counted
    once per table; a filtered view's are counted afresh, and dropped rather than waited for
    when that takes longer than VALUE_LIST_SECONDS."""
    columns = tuple(DataColumn.from_dict(column) for column in table.columns)
    whole = _whole_table_counts(datastore, table.table_name, columns)
    sql = sql_table_of(datastore, table)
    lists: dict[str, list[ValueCount]] = {}
    try:
        with time_limited(datastore, VALUE_LIST_SECONDS) as (connection, _renew):
            for column in columns:
                if column.name not in whole:
                    continue
                others = [item for item in query.filters if item.column != column]
                if not others:
                    lists[column.name] = list(whole[column.name])
                    continue
                where = conditions(sql, replace(query, filters=others))
                lists[column.name] = _counted(connection, sql, column, where)
    except QueryTimeout:
        return {}
    return lists


def _counted(connection, sql: Table, column: DataColumn, where) -> list[ValueCount]:
    cell = sql.c[column.key]
    statement = (
        select(cell, func.count()).where(*where).group_by(cell).order_by(func.count().desc(), cell)
    )
    return [ValueCount(value, count) for value, count in connection.execute(statement)]


@lru_cache(maxsize=256)
def _whole_table_counts(
    datastore: Datastore, table_name: str, columns: tuple[DataColumn, ...]
) -> dict[str, tuple[ValueCount, ...]]:
    """The columns worth a value list, with their counts over the whole table. A loaded table
    never changes, so this runs once per table; `DISTINCT ... LIMIT` walks a column's index
    and stops early on a column of many values."""
    sql = described_table(datastore.schema, table_name, columns)
    counts = {}
    with time_limited(datastore, WHOLE_TABLE_SECONDS) as (connection, _renew):
        for column in columns:
            if not column.indexed or column.type not in LISTED_TYPES:
                continue
            cell = sql.c[column.key]
            distinct = select(cell).distinct().limit(FEW_VALUES + 1).subquery()
            found = connection.execute(select(func.count()).select_from(distinct)).scalar_one()
            if 1 < found <= FEW_VALUES:
                counts[column.name] = tuple(_counted(connection, sql, column, []))
    return counts
