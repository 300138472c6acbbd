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

import sys

import pyarrow as pa
from adbc_driver_sqlite import dbapi as adbc_sqlite

BUSY_MILLISECONDS = 30_000
COMMIT = b"commit"


def ingest(path: str, table: str) -> int:
    """Append every batch on standard input to `table`; the exit status says if it committed."""
    connection = adbc_sqlite.connect(path, autocommit=True)
    cursor = connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout={BUSY_MILLISECONDS}")
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.execute("BEGIN")
        with pa.ipc.open_stream(sys.stdin.buffer) as batches:
            for batch in batches:
                cursor.adbc_ingest(table, batch, mode="append")
        if sys.stdin.buffer.read() != COMMIT:
            cursor.execute("ROLLBACK")
            return 1
        cursor.execute("COMMIT")
        return 0
    finally:
        cursor.close()
        connection.close()


if __name__ == "__main__":
    sys.exit(ingest(sys.argv[1], sys.argv[2]))
