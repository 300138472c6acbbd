"""Which indexes a table gets, and when: one-column ones, and on a large table a two-column one.

Each indexed column gets a `(column, _row)` index, the order keyset paging reads. Building one
sorts every row (about a second a million rows), so a table of `LATER_FROM_ROWS` rows or more
is served as soon as its rows and its key's indexes are in, and the rest are built just after
by a process of their own (`later_indexes`), most useful first: unique columns, dates, numbers,
text with an `enum` (and its pair), booleans, then free text. Until a column's index is built the
column is marked `indexing`: filters and sorts on it still answer, reading the whole table.

A page that filters a column with few distinct values (a service, a directorate) and sorts by
another (the amount, the date) is answered from a (filtered, sorted) index by reading just the
page, and its total is counted from the same index without touching the rows. A column has
few values when its own index, probed from one value to the next, runs out of values within
`FEW_VALUES` steps. The column with fewest values is paired with the first number column (or,
failing one, the first date, then the first whole-number column): `MAX_PAIRS` indexes a table
at most, as each costs as much to build as a one-column index (1.6 s a million rows on
SQLite). Other filtered, sorted pages walk the sort column's index (`query.conditions`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import replace
from typing import Any

from sqlalchemy import Connection, Index, Table, func, select, text

from catalog.tables.datastore.engine import Datastore
from catalog.tables.datastore.tables import ROW, DataColumn

FEW_VALUES = 50
MAX_PAIRS = 1
LATER_FROM_ROWS = 100_000
ANALYSIS_ROWS = 1000
# SQLite's ANALYZE reloads the statistics of every table in the file, so its cost grows with
# the datastore (about 20 ms at 5,000 tables, against 0.3 ms at the first). Below this many
# rows any plan reads the table in a few milliseconds, so a small table is left without
# statistics (and without paired indexes) and the planner's default, which trusts every
# index, serves it.
ANALYSE_FROM_ROWS = 10_000
CATEGORY_TYPES = ("string", "any")
# The columns people sort by, in the order they are paired: amounts, then dates, then counts.
SORTED_TYPES = (("number",), ("date", "datetime"), ("integer", "year"))
# Types whose indexes a large table gets first after its unique columns (see `later_order`).
DATE_TYPES = ("date", "datetime", "year", "time")
NUMBER_TYPES = ("number", "integer")
# Told the columns as they stand after each index is built; answers whether to go on.
Record = Callable[[list[DataColumn]], bool]
SORTING_SOON = (
    "Sorting by this column will be available shortly: its index is still being built. "
    "These rows are in the right order, found the slow way, by reading the whole table."
)


def sorting_note(sorted_by: DataColumn | None) -> str | None:
    """What a page sorted by a column whose index is still being built tells its reader."""
    return SORTING_SOON if sorted_by is not None and sorted_by.indexing else None


def key_names(schema: dict[str, Any]) -> set[str]:
    """The fields of the schema's primary key."""
    key = schema.get("primaryKey") or []
    return {key} if isinstance(key, str) else set(key)


def index_now(
    datastore: Datastore, sql: Table, columns: list[DataColumn], *, rows: int, keys: Collection[str]
) -> list[DataColumn]:
    """Index a table that has just loaded. A small one gets every index, its pair and its
    statistics now; a large one only its key's indexes, the rest marked `indexing` for
    `index_later`."""
    later = rows >= LATER_FROM_ROWS
    for column in columns:
        if column.indexed and not (later and column.name not in keys):
            create_index(datastore, sql, [column])
    if later and any(column.indexed and column.name not in keys for column in columns):
        return [
            replace(column, indexed=False, indexing=True)
            if column.indexed and column.name not in keys
            else column
            for column in columns
        ]
    if rows < ANALYSE_FROM_ROWS:
        if not datastore.is_sqlite:
            analyse(datastore, sql)
        return columns
    columns = _paired(datastore, sql, columns)
    analyse(datastore, sql)
    return columns


def index_later(
    datastore: Datastore,
    sql: Table,
    columns: list[DataColumn],
    schema: dict[str, Any],
    record: Record,
) -> list[DataColumn]:
    """Build the indexes of the columns marked `indexing`, one at a time in `later_order`,
    recording each as it is done, and the pair as soon as a few-valued column has its index;
    then the statistics. Stops when `record` says the table is no longer served."""
    for column in later_order(columns, schema):
        create_index(datastore, sql, [column])
        columns = [
            replace(item, indexed=True, indexing=False) if item.key == column.key else item
            for item in columns
        ]
        if column.type in CATEGORY_TYPES and not any(item.paired_with for item in columns):
            columns = _paired(datastore, sql, columns)
        if not record(columns):
            return columns
    analyse(datastore, sql)
    return columns


def later_order(columns: list[DataColumn], schema: dict[str, Any]) -> list[DataColumn]:
    """The columns still `indexing`, most useful first: unique ones, dates, numbers, text with
    an `enum` (whose pair with the first number follows at once), booleans, then the rest
    (free text)."""
    fields = {field.get("name"): field for field in schema.get("fields", [])}

    def rank(column: DataColumn) -> int:
        constraints = fields.get(column.name, {}).get("constraints") or {}
        kinds = (
            bool(constraints.get("unique")),
            column.type in DATE_TYPES,
            column.type in NUMBER_TYPES,
            bool(constraints.get("enum")),
            column.type == "boolean",
        )
        return next((place for place, met in enumerate(kinds) if met), len(kinds))

    return sorted((column for column in columns if column.indexing), key=rank)


def _paired(datastore: Datastore, sql: Table, columns: list[DataColumn]) -> list[DataColumn]:
    """The columns with their pair (if they have one) indexed and recorded."""
    with datastore.engine.connect() as connection:
        pairs = chosen_pairs(connection, sql, columns)
    for pair in pairs:
        create_index(datastore, sql, list(pair))
    return with_pairs(columns, pairs)


def create_index(datastore: Datastore, sql: Table, columns: list[DataColumn]) -> None:
    """A `(columns..., _row)` index. SQLite keeps every entry in rowid (`_row`) order within a
    value already, so `_row` is named only on PostgreSQL."""
    keys = [column.key for column in columns]
    tie_break = [] if datastore.is_sqlite else [sql.c[ROW]]
    name = f"ix_{sql.name}_{'_'.join(keys)}"
    Index(name, *(sql.c[key] for key in keys), *tie_break).create(datastore.engine, checkfirst=True)


def analyse(datastore: Datastore, sql: Table) -> None:
    """Statistics for the planner. SQLite samples each index (milliseconds instead of a
    second for a million rows, and as good a plan here); PostgreSQL also vacuums, which
    marks the pages all-visible so a count reads an index alone (an index-only scan)."""
    qualified = f'{datastore.schema}."{sql.name}"' if datastore.schema else f'"{sql.name}"'
    if datastore.is_sqlite:
        with datastore.engine.begin() as connection:
            connection.execute(text(f"PRAGMA analysis_limit={ANALYSIS_ROWS}"))
            connection.execute(text(f"ANALYZE {qualified}"))
        return
    autocommit = datastore.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    with autocommit as connection:  # VACUUM runs outside a transaction
        connection.execute(text(f"VACUUM ANALYZE {qualified}"))


def chosen_pairs(
    connection: Connection, sql: Table, columns: list[DataColumn]
) -> list[tuple[DataColumn, DataColumn]]:
    """The (filtered, sorted) column pairs to index, fewest-valued filter column first."""
    counted = [
        (values, column)
        for column in columns
        if column.indexed and column.type in CATEGORY_TYPES
        if (values := distinct_values(connection, sql, column, FEW_VALUES + 1)) <= FEW_VALUES
        and values > 1
    ]
    sorted_columns = [
        next(column for column in columns if column.indexed and column.type in types)
        for types in SORTED_TYPES
        if any(column.indexed and column.type in types for column in columns)
    ]
    categories = [column for _values, column in sorted(counted, key=lambda item: item[0])]
    pairs = [(category, by) for category in categories for by in sorted_columns]
    return pairs[:MAX_PAIRS]


def distinct_values(connection: Connection, sql: Table, column: DataColumn, most: int) -> int:
    """How many distinct values the column holds, counting no further than `most`: each step
    asks its index for the least value above the last, so it costs `most` index probes at
    worst, however long the table."""
    cell = sql.c[column.key]
    value = connection.execute(select(func.min(cell))).scalar()
    found = 0
    while value is not None and found < most:
        found += 1
        value = connection.execute(select(func.min(cell)).where(cell > value)).scalar()
    return found


def with_pairs(
    columns: list[DataColumn], pairs: list[tuple[DataColumn, DataColumn]]
) -> list[DataColumn]:
    """The columns with each pair recorded on its filtered column."""
    paired: dict[str, tuple[str, ...]] = {}
    for category, by in pairs:
        paired[category.key] = (*paired.get(category.key, ()), by.key)
    return [
        replace(column, paired_with=paired[column.key]) if column.key in paired else column
        for column in columns
    ]
