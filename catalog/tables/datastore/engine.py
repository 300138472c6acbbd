"""Where the datastore lives, found from the catalogue's own database URL."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sqlalchemy import Engine, MetaData, create_engine, event, inspect, make_url, text
from sqlalchemy.orm import Session

POSTGRES_SCHEMA = "datastore"
BUSY_MILLISECONDS = 30_000


@dataclass(frozen=True)
class Datastore:
    engine: Engine
    schema: str | None

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def sqlite_file(self) -> str:
        """The file a SQLite datastore lives in; a PostgreSQL one has none."""
        if not self.is_sqlite or not self.engine.url.database:
            raise ValueError("Only a SQLite datastore lives in a file.")
        return self.engine.url.database

    def metadata(self) -> MetaData:
        return MetaData(schema=self.schema)

    def table_names(self) -> set[str]:
        """The tables the datastore holds now, read afresh from the database."""
        return set(inspect(self.engine).get_table_names(schema=self.schema))


def datastore_for(session: Session) -> Datastore:
    """The datastore that goes with the catalogue database this session uses."""
    url = session.get_bind().engine.url
    return datastore_at(url.render_as_string(hide_password=False))


@cache
def datastore_at(catalogue_url: str) -> Datastore:
    url = make_url(catalogue_url)
    if url.get_backend_name() != "sqlite":
        engine = create_engine(url, pool_pre_ping=True)
        with engine.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA IF NOT EXISTS {POSTGRES_SCHEMA}"))
        return Datastore(engine=engine, schema=POSTGRES_SCHEMA)
    if not url.database or url.database == ":memory:":
        raise ValueError("The datastore needs the catalogue in a SQLite file, not in memory.")
    path = Path(url.database).with_name("datastore.sqlite")
    engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False})
    event.listen(engine, "connect", _sqlite_pragmas)
    return Datastore(engine=engine, schema=None)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL so queries run while a table loads; no fsync, as every table can be rebuilt; and
    a writer waits its turn for as long as another takes to build a large table's index."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=OFF")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_MILLISECONDS}")
    cursor.close()
