"""Which two-column indexes a large table gets, beside its one-column ones.

A page that filters a column with few distinct values (a service, a directorate) and sorts by
another (the amount, the date) is answered from a (filtered, sorted) index by reading just the
page, and its total is counted from the same index without touching the rows. A column has
few values when its own index, probed from one value to the next, runs out of values within
`FEW_VALUES` steps. The column with fewest values is paired with the first number column (or,
failing one, the first date, then the first whole-number column): `MAX_PAIRS` indexes a table
at most, as each costs as much to build as a one-column index (1.6 s a million rows on
SQLite), and the time before a new table is served counts too. Other filtered, sorted pages
walk the sort column's index (`query.conditions`).
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import Connection, Table, func, select

from catalog.tables.datastore.tables import DataColumn

FEW_VALUES = 50
MAX_PAIRS = 1
CATEGORY_TYPES = ("string", "any")
# The columns people sort by, in the order they are paired: amounts, then dates, then counts.
SORTED_TYPES = (("number",), ("date", "datetime"), ("integer", "year"))


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
