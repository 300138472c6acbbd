"""Backing up an instance into one archive, and restoring it into an empty one.

The archive (a gzipped tar) holds every catalogue table as JSON lines, written in dependency
order from one consistent snapshot (SQLite: a copy made with its online backup API;
PostgreSQL: one REPEATABLE READ transaction), every file in the store, the datastore when it
is a SQLite file, and `manifest.json` with row counts, sizes and SHA-256s. JSON lines are
portable: a backup restores into SQLite or PostgreSQL alike.

A restore checks every checksum before it writes anything, stores the files (at any size: a
file kept once is restored whatever the upload limit is now), loads every row in one
transaction, then copies the datastore back or reloads its tables from the files, and
rebuilds the search index. It refuses an instance that already has content unless told to
replace it.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import sqlite3
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Connection,
    Date,
    DateTime,
    Engine,
    Table,
    create_engine,
    func,
    null,
    select,
    text,
)
from sqlalchemy.orm import Session, sessionmaker

from catalog.clock import utcnow
from catalog.db import Base
from catalog.errors import Conflict, Invalid
from catalog.models import Account, Dataset, DataTable, Organisation, ResourceVersion, TableStatus
from catalog.public_changes import stamp_public_change
from catalog.search import SearchBackend
from catalog.search.finder import reindex_all
from catalog.storage import FileStore, StoredFile
from catalog.tables.checks import check_version
from catalog.tables.datastore.engine import datastore_for
from catalog.transactions import all_or_nothing

FORMAT = "opendata-backup/1"
MANIFEST = "manifest.json"
DATASTORE = "datastore.sqlite"
BATCH = 1000


@dataclass(frozen=True)
class Restored:
    datasets: int
    files: int
    rows: int
    tables_reloaded: int


def backup_instance(engine: Engine, store: FileStore, target: Path) -> dict[str, Any]:
    """Write the archive to `target` (via a temporary name, so a failure leaves no half
    archive) and return its manifest."""
    partial = target.with_name(f".{target.name}.partial")
    try:
        with tarfile.open(partial, "w:gz") as archive, tempfile.TemporaryDirectory() as work:
            manifest = _write_members(archive, engine, store, Path(work))
            _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=2).encode())
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return manifest


def _write_members(archive, engine: Engine, store: FileStore, work: Path) -> dict[str, Any]:
    manifest: dict[str, Any] = {"format": FORMAT, "created_at": utcnow().isoformat()}
    with _snapshot(engine, work) as connection:
        manifest["database"] = engine.dialect.name
        manifest["schema_revision"] = _revision(connection)
        manifest["tables"] = {
            table.name: _add_table(archive, connection, table, work)
            for table in Base.metadata.sorted_tables
        }
        referenced = set(connection.scalars(select(ResourceVersion.sha256).distinct()))
    manifest["files"] = _add_store(archive, store, referenced)
    manifest["datastore"] = _add_datastore(archive, engine, work)
    return manifest


def _database_file(engine: Engine) -> Path:
    """The file a SQLite catalogue lives in; one held in memory has nothing to back up."""
    if not engine.url.database or engine.url.database == ":memory:":
        raise Invalid("The catalogue is held in memory, so it has no file to back up.")
    return Path(engine.url.database)


@contextmanager
def _snapshot(engine: Engine, work: Path) -> Iterator[Connection]:
    """A connection that sees the database as it was at one moment."""
    if engine.dialect.name == "sqlite":
        copy = work / "catalogue.sqlite"
        _sqlite_copy(_database_file(engine), copy)
        snapshot = create_engine(f"sqlite:///{copy}")
        try:
            with snapshot.connect() as connection:
                yield connection
        finally:
            snapshot.dispose()
        return
    repeatable = engine.connect().execution_options(isolation_level="REPEATABLE READ")
    with repeatable as connection, connection.begin():
        yield connection


def _sqlite_copy(source: Path, target: Path) -> None:
    """Copy a live SQLite database page by page with its online backup API."""
    reading, writing = sqlite3.connect(source), sqlite3.connect(target)
    try:
        reading.backup(writing)
    finally:
        reading.close()
        writing.close()


def _revision(connection: Connection) -> str:
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()


def _add_table(archive, connection: Connection, table: Table, work: Path) -> dict[str, Any]:
    path = work / f"{table.name}.jsonl"
    rows = 0
    with path.open("w", encoding="utf-8") as lines:
        query = select(table).order_by(*table.primary_key.columns)
        for row in connection.execute(query).mappings():
            lines.write(json.dumps(dict(row), default=_encode, ensure_ascii=False) + "\n")
            rows += 1
    return {"rows": rows, **_add_file(archive, f"database/{table.name}.jsonl", path)}


def _encode(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"Cannot back up a value of type {type(value).__name__}.")


def _add_store(archive, store: FileStore, referenced: set[str]) -> dict[str, int]:
    found = {sha: store.find(sha) for sha in sorted(referenced)}
    missing = [sha for sha, stored in found.items() if stored is None]
    if missing:
        raise Conflict(f"The file store is missing {len(missing)} files, first {missing[0]}.")
    files = {}
    for stored in filter(None, found.values()):
        info = tarfile.TarInfo(f"store/{stored.sha256}")
        info.size = stored.size
        with store.open(stored.sha256) as stream:
            archive.addfile(info, stream)
        files[stored.sha256] = stored.size
    return files


def _add_datastore(archive, engine: Engine, work: Path) -> dict[str, Any] | None:
    """The SQLite datastore is copied whole; a PostgreSQL one is reloaded from the files."""
    if engine.dialect.name != "sqlite":
        return None
    live = _database_file(engine).with_name(DATASTORE)
    if not live.exists():
        return None
    copy = work / DATASTORE
    _sqlite_copy(live, copy)
    return _add_file(archive, DATASTORE, copy)


def _add_file(archive, name: str, path: Path) -> dict[str, Any]:
    archive.add(path, arcname=name, recursive=False)
    return {"sha256": _sha256(path), "size": path.stat().st_size}


def _add_bytes(archive, name: str, content: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(content)
    archive.addfile(info, io.BytesIO(content))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def restore_instance(
    sessions: sessionmaker,
    store: FileStore,
    search: SearchBackend,
    source: Path,
    *,
    replace: bool = False,
) -> Restored:
    """Restore the archive at `source` into this instance (see the module docstring).

    Restoring is an edge of its own, like a command, with its own session: the rows are
    committed once, all together, and each missing datastore table is then reloaded by a
    check of its own, which commits as it goes (`catalog.tables.checks`)."""
    with tempfile.TemporaryDirectory(dir=store.scratch, prefix=".restore-") as work:
        folder = Path(work)
        manifest = _unpack(source, folder)
        with sessions() as session:
            with all_or_nothing(session):
                _check_target(session, manifest, replace=replace)
                for sha256 in manifest["files"]:  # each checked as it was unpacked
                    path = folder / "store" / sha256
                    store.adopt(path, StoredFile(sha256=sha256, size=path.stat().st_size))
                rows = _load_rows(session, folder / "database")
                stamp_public_change(session)  # the rows were written past the session
            reloaded = _restore_datastore(session, store, folder / DATASTORE)
            with all_or_nothing(session):
                reindex_all(session, search)
            datasets = session.scalar(select(func.count()).select_from(Dataset))
    return Restored(
        datasets=datasets, files=len(manifest["files"]), rows=rows, tables_reloaded=reloaded
    )


def _unpack(source: Path, folder: Path) -> dict[str, Any]:
    """Extract the members the manifest lists, and only those, checking each one's hash."""
    try:
        with tarfile.open(source, "r:*") as archive:
            manifest = json.loads(_read(archive, MANIFEST))
            if manifest.get("format") != FORMAT:
                raise Invalid(f"{source} is not an opendata backup ({FORMAT}).")
            expected = {
                f"database/{name}.jsonl": entry["sha256"]
                for name, entry in manifest["tables"].items()
            }
            expected |= {f"store/{sha}": sha for sha in manifest["files"]}
            if manifest["datastore"]:
                expected[DATASTORE] = manifest["datastore"]["sha256"]
            for name, sha256 in expected.items():
                _extract(archive, name, folder / name, sha256)
    except (tarfile.TarError, KeyError, ValueError) as error:
        raise Invalid(f"{source} is not a complete opendata backup: {error}.") from error
    return manifest


def _read(archive: tarfile.TarFile, name: str) -> bytes:
    member = archive.extractfile(name)
    if member is None:
        raise KeyError(name)
    return member.read()


def _extract(archive: tarfile.TarFile, name: str, target: Path, sha256: str) -> None:
    member = archive.extractfile(name)
    if member is None:
        raise KeyError(name)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as written:
        shutil.copyfileobj(member, written)
    if _sha256(target) != sha256:
        raise Invalid(f"{name} in the backup is damaged: its SHA-256 does not match.")


def _check_target(session: Session, manifest: dict[str, Any], *, replace: bool) -> None:
    here = _revision(session.connection())
    if manifest["schema_revision"] != here:
        raise Conflict(
            f"The backup's database is at migration {manifest['schema_revision']}, this "
            f"instance at {here}: restore it with the version of the code that made it."
        )
    has_content = any(
        session.scalar(select(func.count()).select_from(model))
        for model in (Dataset, Organisation, Account)
    )
    if has_content and not replace:
        raise Conflict(
            "This instance already has datasets, organisations or accounts. Restore into an "
            "empty instance, or replace everything in this one with --force."
        )


def _load_rows(session: Session, folder: Path) -> int:
    """Replace every table's rows with the backup's, in one transaction."""
    connection = session.connection()
    tables = Base.metadata.sorted_tables
    for table in reversed(tables):
        connection.execute(table.delete())
    rows = 0
    for table in tables:
        batch = []
        with (folder / f"{table.name}.jsonl").open(encoding="utf-8") as lines:
            for line in lines:
                batch.append(_decode(table, json.loads(line)))
                if len(batch) == BATCH:
                    rows += _insert(connection, table, batch)
                    batch = []
        rows += _insert(connection, table, batch)
    if connection.dialect.name == "postgresql":
        _move_sequences_on(connection, tables)
    return rows


def _decode(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    decoded = {}
    for column in table.columns:
        value = row.get(column.name)
        if value is not None and isinstance(column.type, DateTime):
            value = datetime.fromisoformat(value)
        elif value is not None and isinstance(column.type, Date):
            value = date.fromisoformat(value)
        elif value is None and isinstance(column.type, JSON):
            value = null()  # SQL NULL, not the JSON text 'null'
        decoded[column.name] = value
    return decoded


def _insert(connection: Connection, table: Table, batch: list[dict[str, Any]]) -> int:
    if batch:
        connection.execute(table.insert(), batch)
    return len(batch)


def _move_sequences_on(connection: Connection, tables: list[Table]) -> None:
    """PostgreSQL numbers new rows from a sequence: start it after the restored ids."""
    for table in tables:
        if len(table.primary_key.columns) != 1:
            continue
        key = next(iter(table.primary_key.columns)).name
        sequence = connection.scalar(
            text("SELECT pg_get_serial_sequence(:table, :column)"),
            {"table": table.name, "column": key},
        )
        if sequence:
            connection.execute(
                text(
                    f"SELECT setval(:sequence, COALESCE(MAX({key}), 0) + 1, false) "
                    f"FROM {table.name}"
                ),
                {"sequence": sequence},
            )


def _restore_datastore(session: Session, store: FileStore, copy: Path) -> int:
    """Copy a backed-up SQLite datastore into place, then reload from its file every loaded
    table the datastore lacks: all of them for a PostgreSQL datastore or a backup from the
    other kind of database, and any a check replaced while the backup was being taken."""
    datastore = datastore_for(session)
    if datastore.is_sqlite and copy.exists():
        _sqlite_copy(copy, Path(datastore.sqlite_file))
    present = datastore.table_names()
    loaded = session.scalars(select(DataTable).where(DataTable.status == TableStatus.LOADED))
    versions = [table.version for table in loaded if table.table_name not in present]
    for version in versions:
        check_version(session, store, version, progress=True)
    return len(versions)
