"""Bulk ingest of Arrow batches into a SQLite datastore table, in a process of its own.

ADBC's SQLite driver binds whole typed arrays in C, several times faster than `executemany`
over Python tuples. It carries its own copy of SQLite, though, and two copies of SQLite in one
process must never open the same database file: closing the file in one silently drops the
other's locks (https://sqlite.org/howtocorrupt.html, "multiple copies of SQLite"). So the
ingest runs in a child process where only ADBC opens the datastore. Batches reach it as an
Arrow IPC stream on its standard input while the parent goes on checking, on another core. It
commits only when the word `commit` follows the stream; anything else (the parent stopping,
dying or starting again) rolls the rows back.
"""

from __future__ import annotations

import re
import sys

import adbc_driver_manager as adbc
import adbc_driver_sqlite
import nanoarrow
import nanoarrow.ipc

from catalog.tables.datastore.processes import COMMIT

BUSY_MILLISECONDS = 30_000
# ADBC's words before SQLite's own message, as in "INTERNAL: failed to execute: disk is full".
ADBC_PREFIX = re.compile(r"^[A-Z_]+: (\[SQLite\] )?([Ff]ailed to \w+: )?")
APPEND = {"adbc.ingest.mode": "adbc.ingest.mode.append"}


def ingest(path: str, table: str) -> int:
    """Append every batch on standard input to `table`; the exit status says if it committed.

    nanoarrow reads the stream and ADBC takes it whole, in C, so this process holds a batch or
    two at a time and never imports pyarrow (about 20 MB, against 100 MB with it).
    """
    with adbc_driver_sqlite.connect(path) as database, adbc.AdbcConnection(database) as connection:
        for pragma in (f"PRAGMA busy_timeout={BUSY_MILLISECONDS}", "PRAGMA synchronous=OFF"):
            _run(connection, pragma)
        connection.set_autocommit(False)
        batches = nanoarrow.c_array_stream(
            nanoarrow.ipc.InputStream.from_readable(sys.stdin.buffer)
        )
        with adbc.AdbcStatement(connection) as statement:
            statement.set_options(**{"adbc.ingest.target_table": table, **APPEND})
            statement.bind_stream(batches)
            statement.execute_update()
        if sys.stdin.buffer.read() != COMMIT:
            connection.rollback()
            return 1
        connection.commit()
        return 0


def _run(connection: adbc.AdbcConnection, sql: str) -> None:
    with adbc.AdbcStatement(connection) as statement:
        statement.set_sql_query(sql)
        statement.execute_update()


def main(path: str, table: str) -> int:
    """Run `ingest`, telling the parent on standard error, in one line, why it stopped."""
    try:
        return ingest(path, table)
    except adbc.Error as error:
        print(ADBC_PREFIX.sub("", str(error).splitlines()[0]), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
