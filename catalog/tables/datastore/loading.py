"""Writing a checked table into the datastore in Arrow record batches, as fast as each engine
allows.

SQLite takes ADBC's bulk ingest, in a child process (`catalog.tables.datastore.ingest` says why);
PostgreSQL takes COPY in CSV form, written by Arrow. Rows go in inside one transaction, so a
load that stops part way leaves nothing behind. Indexes (one per column, with `_row` as the
tie-break keyset paging needs, and on a large table a two-column one: see `indexes`) are built
after the rows, which is several times faster than keeping them up to date row by row; a large
table's are mostly built after it is served (`later_indexes`).
"""

from __future__ import annotations

import fcntl
import io
import secrets
import subprocess
import sys
import tempfile
from collections.abc import Callable, Collection, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast

import pyarrow as pa
import pyarrow.csv as arrow_csv
from sqlalchemy import Table

from catalog.tables.datastore.csv_export import kept_export
from catalog.tables.datastore.engine import Datastore
from catalog.tables.datastore.indexes import index_now
from catalog.tables.datastore.processes import COMMIT, child_environment
from catalog.tables.datastore.tables import ROW, DataColumn, sql_table

if TYPE_CHECKING:
    import psycopg

ARROW_TYPES: dict[str, pa.DataType] = {
    "integer": pa.int64(),
    "year": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
}


# Below this much Arrow data a table goes in through the site's own SQLite connection: starting
# the ingest process (about 0.1 s) would cost more than it saves.
IN_PROCESS_BYTES = 4 * 1024 * 1024
PIPE_BYTES = 1024 * 1024


class LoadFailed(RuntimeError):
    """The datastore refused the rows; the message is the database's own."""


def arrow_type(column_type: str) -> pa.DataType:
    """How a Table Schema type is held in a batch: dates and times as their ISO text."""
    return ARROW_TYPES.get(column_type, pa.string())


def new_table_name(version_id: int) -> str:
    """A fresh name per load, so a reload never touches the table being served."""
    return f"v{version_id}_{secrets.token_hex(4)}"


class TableWriter:
    def __init__(self, datastore: Datastore, name: str, columns: list[DataColumn]) -> None:
        self.datastore = datastore
        self.columns = columns
        self.table: Table = sql_table(datastore.metadata(), name, columns)
        self.table.create(datastore.engine)
        self.schema = pa.schema(
            [(ROW, pa.int64())] + [(column.key, arrow_type(column.type)) for column in columns]
        )
        self.committed = False
        if datastore.is_sqlite:
            self.rows: _SqliteRows | _PostgresCopy = _SqliteRows(datastore, name, self.schema)
        else:
            self.rows = _PostgresCopy(datastore, name, self.schema)

    def write_rows(self, numbers: list[int], typed: list[list[Any]]) -> None:
        """Write rows given as Python values, one list per column, with their row numbers."""
        types = self.schema.types[1:]
        self.write(
            pa.array(numbers, pa.int64()),
            [pa.array(values, type=kind) for values, kind in zip(typed, types, strict=True)],
        )

    def write(self, numbers: pa.Array, typed: list[pa.Array]) -> None:
        """Write rows given as Arrow arrays: their row numbers, then one array a column."""
        self.rows.write(pa.record_batch([numbers, *typed], schema=self.schema))

    def start_again(self) -> None:
        """Throw away the rows written so far and keep the empty table for a fresh start."""
        self.rows.abandon()
        self.rows.begin()

    def commit(self) -> None:
        """Commit the rows; the table is not served until `index` has run too."""
        self.rows.commit()
        self.committed = True

    def index(self, rows: int, *, keys: Collection[str] = ()) -> list[DataColumn]:
        """Index the `rows` rows now, or on a large table only the `keys` columns (see
        `indexes`); returns the columns as indexed, with their pairs recorded."""
        return index_now(self.datastore, self.table, self.columns, rows=rows, keys=keys)

    def discard(self) -> None:
        """Drop a table that failed part way (while loading, or while indexing after its rows
        were committed); nothing else ever read it."""
        try:
            if not self.committed:
                self.rows.abandon()
        finally:
            self.table.drop(self.datastore.engine, checkfirst=True)


class _PostgresCopy:
    """Rows into PostgreSQL by COPY, as CSV written by Arrow, in one transaction."""

    def __init__(self, datastore: Datastore, name: str, schema: pa.Schema) -> None:
        self.datastore = datastore
        self.statement = (
            f'COPY {datastore.schema}."{name}" ({", ".join(schema.names)}) FROM STDIN (FORMAT csv)'
        )
        self.begin()

    def begin(self) -> None:
        self.connection = self.datastore.engine.raw_connection()
        self.sender = _SentBehind()

    def write(self, batch: pa.RecordBatch) -> None:
        rows = io.BytesIO()
        arrow_csv.write_csv(batch, rows, arrow_csv.WriteOptions(include_header=False))
        self.sender.send(self._copy, rows)

    def _copy(self, rows: io.BytesIO) -> None:
        # The engine's driver is psycopg, whose cursors can COPY; SQLAlchemy only knows DB-API.
        driver = cast("psycopg.Connection[Any]", self.connection.driver_connection)
        refusals = _refusals(self.datastore)
        with refusals, driver.cursor() as cursor, cursor.copy(self.statement) as copy:
            copy.write(rows.getbuffer())

    def commit(self) -> None:
        self.sender.finish()
        self.connection.commit()
        self.connection.close()

    def abandon(self) -> None:
        try:
            self.sender.finish(quietly=True)
            self.connection.rollback()
        finally:
            self.connection.close()


class _SqliteRows:
    """Rows into SQLite: a small table through the site's own connection, a large one through
    the ingest process, started once the rows held back outgrow `IN_PROCESS_BYTES`."""

    def __init__(self, datastore: Datastore, name: str, schema: pa.Schema) -> None:
        self.datastore = datastore
        self.name = name
        self.schema = schema
        self.begin()

    def begin(self) -> None:
        self.held: list[pa.RecordBatch] = []
        self.held_bytes = 0
        self.ingest: _Ingest | None = None

    def write(self, batch: pa.RecordBatch) -> None:
        if self.ingest is not None:
            self.ingest.write(batch)
            return
        self.held.append(batch)
        self.held_bytes += batch.nbytes
        if self.held_bytes > IN_PROCESS_BYTES:
            self.ingest = _Ingest(self.datastore.sqlite_file, self.name, self.schema)
            for held in self.held:
                self.ingest.write(held)
            self.held = []

    def commit(self) -> None:
        if self.ingest is not None:
            self.ingest.commit()
            return
        marks = ", ".join("?" * len(self.schema))
        insert = f'INSERT INTO "{self.name}" VALUES ({marks})'
        connection = self.datastore.engine.raw_connection()
        try:
            with _refusals(self.datastore):
                cursor = connection.cursor()
                for batch in self.held:
                    rows = list(zip(*batch.to_pydict().values(), strict=True))
                    cursor.executemany(insert, rows)
                connection.commit()
        finally:
            connection.close()

    def abandon(self) -> None:
        if self.ingest is not None:
            self.ingest.stop()
        self.begin()


class _SentBehind:
    """Each batch sent to the database on a thread of its own while the next is checked, one
    at a time and in order: the send waits on the database (a pipe to the ingest process, a
    socket to PostgreSQL) without holding the GIL, so checking and writing overlap on two
    cores. A send that failed raises at the next `send` or at `finish`."""

    def __init__(self) -> None:
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="datastore-send")
        self._sending: Future[None] | None = None

    def send(self, write: Callable[..., None], *args: object) -> None:
        self._wait()
        self._sending = self._thread.submit(write, *args)

    def finish(self, *, quietly: bool = False) -> None:
        """Wait for the last send; `quietly` when the load is being abandoned anyway."""
        try:
            self._wait()
        except Exception:
            if not quietly:
                raise
        finally:
            self._thread.shutdown()

    def _wait(self) -> None:
        sending, self._sending = self._sending, None
        if sending is not None:
            sending.result()


def _widen(pipe: io.BufferedWriter) -> None:
    """Let the pipe hold about a batch (Linux gives 64 KB), so the checking goes on while the
    child takes the batch before, rather than each waiting on the other a piece at a time."""
    try:
        fcntl.fcntl(pipe.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), PIPE_BYTES)
    except OSError:  # above the system's limit (/proc/sys/fs/pipe-max-size): keep the default
        return


class _Ingest:
    """The child process that writes one table's rows, fed an Arrow stream on its input."""

    def __init__(self, path: str, table: str, schema: pa.Schema) -> None:
        self.errors = tempfile.TemporaryFile()  # noqa: SIM115 (closed when the child ends)
        command = [sys.executable, "-m", "catalog.tables.datastore.ingest", path, table]
        self.child = subprocess.Popen(
            command, stdin=subprocess.PIPE, stderr=self.errors, env=child_environment()
        )
        # Popen(stdin=PIPE) always opens the pipe, as a buffered writer.
        self.input = cast(io.BufferedWriter, self.child.stdin)
        _widen(self.input)
        self.stream = pa.ipc.new_stream(self.input, schema)
        self.sender = _SentBehind()

    def write(self, batch: pa.RecordBatch) -> None:
        try:
            self.sender.send(self.stream.write_batch, batch)
        except (BrokenPipeError, OSError) as error:
            raise self._failure() from error

    def commit(self) -> None:
        try:
            self.sender.finish()
            self.stream.close()
            self.input.write(COMMIT)
            self.input.close()
        except (BrokenPipeError, OSError) as error:
            raise self._failure() from error
        if self.child.wait() != 0:
            raise self._failure()
        self.errors.close()

    def stop(self) -> None:
        """End the child without committing: whatever it wrote is rolled back."""
        self._end()
        self.errors.close()

    def _end(self) -> None:
        """Kill the child, which also ends a send waiting on its pipe, then close the pipe."""
        self.child.kill()
        self.child.wait()
        self.sender.finish(quietly=True)
        try:
            self.input.close()
        except OSError:  # what was left in its buffer had no reader
            return

    def _failure(self) -> LoadFailed:
        self._end()
        self.errors.seek(0)
        lines = self.errors.read().decode("utf-8", "replace").strip().splitlines()
        self.errors.close()
        return LoadFailed(lines[-1] if lines else "The datastore stopped loading rows.")


@contextmanager
def _refusals(datastore: Datastore) -> Iterator[None]:
    """A database's refusal of rows (a full disk, a value it cannot store), in its own words."""
    try:
        yield
    except datastore.engine.dialect.loaded_dbapi.Error as error:
        raise LoadFailed(str(error).splitlines()[0]) from error


def drop_table(datastore: Datastore, name: str) -> None:
    """Drop a table and the CSV of it kept for exports (see `csv_export`)."""
    table = sql_table(datastore.metadata(), name, [])
    table.drop(datastore.engine, checkfirst=True)
    if datastore.is_sqlite:
        kept_export(datastore, name).unlink(missing_ok=True)
