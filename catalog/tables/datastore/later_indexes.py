"""Building a large table's remaining indexes after it is served, in a process of its own.

A million-row table takes about a second an index to build, and a table of ten columns ten
of them; the table is answering correctly long before that (see `indexes`). So once the check
that loaded it has committed, `start` leaves this process building the columns marked
`indexing`, recording each in the catalogue as it is done, so the site sorts by it through its
index from then on. It outlives the command or request that started it, holds neither the
rows nor the file, and stops quietly when the table is no longer the version's (a newer load
replaced it, or it was dropped). Should it stop otherwise, the columns it had not reached are
recorded as not indexed: they still filter, reading the whole table, but are no longer sorted
by, and no page says their index is on its way.

A process killed with its server (a restart, a deployment) leaves its columns waiting: `resume`
starts a process again for every table with columns still waiting, and `opendata init` and
`opendata worker` call it as they start. Only one process builds a table's indexes at a time
(`_building`), so one resumed while another is still at work simply stops.

Run as `python -m catalog.tables.datastore.later_indexes VERSION_ID TABLE_NAME`, with the
catalogue's database address in the environment (`CATALOGUE_URL`).
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from catalog.db import make_engine, make_session_factory
from catalog.models import DataTable, TableStatus
from catalog.tables.datastore.engine import Datastore, datastore_for
from catalog.tables.datastore.indexes import index_later
from catalog.tables.datastore.processes import child_environment
from catalog.tables.datastore.tables import DataColumn, sql_table
from catalog.transactions import all_or_nothing

CATALOGUE_URL = "CATALOGUE_URL"


def start(catalogue_url: str, version_id: int, name: str) -> None:
    """Leave a process building the `indexing` columns of table `name`, loaded for the
    version (its row must be committed)."""
    command = [sys.executable, "-m", __name__, str(version_id), name]
    subprocess.Popen(
        command,
        # Not the command's output: a pipe it writes to (`opendata load | tee`) would stay
        # open until the last index is built.
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**child_environment(), CATALOGUE_URL: catalogue_url},
        start_new_session=True,  # not stopped with the command's terminal or process group
    )


def resume(session: Session) -> int:
    """Start a process for each table whose columns are still waiting for their index, as
    after a restart; returns how many were started."""
    url = session.get_bind().engine.url.render_as_string(hide_password=False)
    waiting = session.execute(
        select(DataTable.version_id, DataTable.table_name, DataTable.columns).where(
            DataTable.status == TableStatus.LOADED, DataTable.table_name.is_not(None)
        )
    )
    started = 0
    for version_id, name, columns in waiting:
        if any(column.get("indexing") for column in columns or []):
            start(url, version_id, name)
            started += 1
    return started


def build(session: Session, version_id: int, name: str) -> None:
    """Build the version's table's `indexing` columns, recording each in the catalogue."""
    datastore = datastore_for(session)
    with _building(datastore, name) as mine:
        if mine:
            _build(session, datastore, version_id, name)


def _build(session: Session, datastore: Datastore, version_id: int, name: str) -> None:
    table = session.get(DataTable, version_id)
    if table is None or table.table_name != name:
        return
    columns = [DataColumn.from_dict(column) for column in table.columns]
    schema = table.version.table_schema or {}
    sql = sql_table(datastore.metadata(), name, columns)
    recorded = columns
    session.rollback()  # no transaction open on the catalogue while an index is built

    def record(now: list[DataColumn]) -> bool:
        nonlocal recorded
        with all_or_nothing(session):
            served = session.get(DataTable, version_id, populate_existing=True)
            if served is None or served.table_name != name:
                return False
            served.columns = [column.to_dict() for column in now]
        recorded = now
        return True

    try:
        index_later(datastore, sql, columns, schema, record)
    except Exception:
        if name in datastore.table_names():
            record([replace(column, indexing=False) for column in recorded])


@contextmanager
def _building(datastore: Datastore, name: str) -> Iterator[bool]:
    """Whether this process is the one building the table's indexes: a lock on a file beside
    a SQLite datastore, a PostgreSQL advisory lock, held for the build and let go by the
    system if the process dies. The lock file stays: removing it would let two processes
    hold locks on two files of one name."""
    if datastore.is_sqlite:
        with open(f"{datastore.sqlite_file}.{name}.indexing", "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            yield True
        return
    with datastore.engine.connect() as connection:
        key = {"name": f"later-indexes {name}"}
        mine = bool(connection.scalar(text("SELECT pg_try_advisory_lock(hashtext(:name))"), key))
        connection.commit()  # the lock is the session's: no transaction stays open
        try:
            yield mine
        finally:
            if mine:
                connection.scalar(text("SELECT pg_advisory_unlock(hashtext(:name))"), key)
                connection.commit()


def main(version_id: str, name: str) -> int:
    engine = make_engine(os.environ[CATALOGUE_URL])
    try:
        with make_session_factory(engine)() as session:
            build(session, int(version_id), name)
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
