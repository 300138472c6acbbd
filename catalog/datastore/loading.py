"""Writing a checked table into the datastore in batches, as fast as each engine allows.

SQLite takes plain `executemany` on a raw connection; PostgreSQL takes COPY. Indexes (one per
column, with `_row` as the tie-break keyset paging needs) are built after the rows, which is
several times faster than keeping them up to date row by row.
"""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import Index, Table, text

from catalog.datastore.engine import Datastore
from catalog.datastore.tables import ROW, DataColumn, sql_table


def new_table_name(version_id: int) -> str:
    """A fresh name per load, so a reload never touches the table being served."""
    return f"v{version_id}_{secrets.token_hex(4)}"


class TableWriter:
    def __init__(self, datastore: Datastore, name: str, columns: list[DataColumn]) -> None:
        self.datastore = datastore
        self.columns = columns
        self.table: Table = sql_table(datastore.metadata(), name, columns)
        self.table.create(datastore.engine)
        self.connection = datastore.engine.raw_connection()
        self.cursor = self.connection.cursor()
        self.committed = False
        self._insert = self._insert_statement()

    def _insert_statement(self) -> str:
        marks = ", ".join(["?"] * (len(self.columns) + 1))
        return f'INSERT INTO "{self.table.name}" VALUES ({marks})'

    def write(self, rows: list[tuple[Any, ...]]) -> None:
        if self.datastore.is_sqlite:
            self.cursor.executemany(self._insert, rows)
            return
        keys = ", ".join([ROW] + [column.key for column in self.columns])
        target = f'{self.datastore.schema}."{self.table.name}"'
        with self.cursor.copy(f"COPY {target} ({keys}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def finish(self) -> None:
        """Commit the rows, then index and analyse them so the planner picks the indexes."""
        self.connection.commit()
        self.cursor.close()
        self.connection.close()
        self.committed = True
        # SQLite keeps every index entry in rowid (`_row`) order within a value already.
        tie_break = [] if self.datastore.is_sqlite else [self.table.c[ROW]]
        for column in self.columns:
            if column.indexed:
                key = self.table.c[column.key]
                index = Index(f"ix_{self.table.name}_{column.key}", key, *tie_break)
                index.create(self.datastore.engine)
        with self.datastore.engine.begin() as connection:
            connection.execute(text(f"ANALYZE {self._qualified()}"))

    def discard(self) -> None:
        """Drop a table that failed part way (while loading, or while indexing after its rows
        were committed); nothing else ever read it."""
        try:
            if not self.committed:
                self.connection.rollback()
                self.cursor.close()
                self.connection.close()
        finally:
            self.table.drop(self.datastore.engine, checkfirst=True)

    def _qualified(self) -> str:
        if self.datastore.schema:
            return f'{self.datastore.schema}."{self.table.name}"'
        return f'"{self.table.name}"'


def drop_table(datastore: Datastore, name: str) -> None:
    table = sql_table(datastore.metadata(), name, [])
    table.drop(datastore.engine, checkfirst=True)
