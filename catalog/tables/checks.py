"""Checking a tabular version: validate it against its schema and load it, in one pass.

A version is `cleared` for release only when its check passed, or when the publisher has
recorded why it may be published with its known issues (names flagged for redaction need an
admin's confirmation as well). A check that fails or stops part way
leaves the version uncleared and any earlier table untouched.

A check runs in one of two ways. Inside a unit of work (a service asked to check now, as a
command loading a data package does) it only changes rows and flushes, like any service, and
the caller's edge commits it with the rest. Run as a job of its own (`progress=True`: after
the upload's request has committed, in the request on the embedded default or on an RQ
worker), it is its own edge and commits as it goes: once when it starts, about once a second
with the rows read so far for the publisher's progress page, and once at the end. These
progress commits (through `catalog.transactions.save_progress`) are the one documented
exception to "services never commit": a long check must show its progress, and must not hold
the catalogue's write lock while it reads.
"""

from __future__ import annotations

import csv
import logging
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session

from catalog.clock import utcnow
from catalog.errors import Invalid
from catalog.models import DataTable, ResourceVersion, TableStatus
from catalog.reindex import mark_for_index
from catalog.storage import FileStore
from catalog.tables.datastore import later_indexes
from catalog.tables.datastore.engine import Datastore, datastore_for
from catalog.tables.datastore.indexes import key_names
from catalog.tables.datastore.loading import LoadFailed, TableWriter, drop_table, new_table_name
from catalog.tables.datastore.tables import columns_for
from catalog.tables.dialects import Dialect
from catalog.tables.findings import RedactionError, SchemaError, SourceError, TableFinding
from catalog.tables.quick_check import quick_check
from catalog.tables.reading import TABULAR_FORMATS, read_table
from catalog.tables.reports import failure_descriptor, report_descriptor
from catalog.tables.validation import Checked, check_table
from catalog.transactions import after_commit, after_rollback, save_progress

log = logging.getLogger(__name__)
PROGRESS_SECONDS = 1.0
UNREADABLE = (csv.Error, UnicodeError, Invalid)
REDACTION = RedactionError.type  # never released on a note alone: catalog.publishing.redactions


def needs_check(version: ResourceVersion) -> bool:
    return version.resource.format in TABULAR_FORMATS


def queue_check(session: Session, version: ResourceVersion) -> DataTable:
    """Mark a new tabular version as waiting for its check; it is not cleared until then."""
    version.cleared = False
    table = DataTable(version=version, status=TableStatus.QUEUED, table_name="", queued_at=utcnow())
    session.add(table)
    return table


def check_version(
    session: Session,
    store: FileStore,
    version: ResourceVersion,
    *,
    progress: bool = False,
    watch: Callable[[int], None] | None = None,
) -> DataTable:
    """Validate and load one version, recording the report and the outcome; with `progress`,
    as a job of its own that commits its progress (see above). Inside a unit of work, `watch`
    is told the rows read so far (a command's progress bar). A large table is served once
    its rows and its key's indexes are in; its other indexes are built just after, by a
    process of their own (`catalog.tables.datastore.later_indexes`)."""
    table = version.data_table or queue_check(session, version)
    table.status = TableStatus.LOADING
    table.started_at = utcnow()
    table.rows_read = 0
    _save(session, progress=progress)
    datastore = datastore_for(session)
    columns = columns_for((version.table_schema or {}).get("fields", []))
    name = new_table_name(version.id)
    place = version.filename
    writer: TableWriter | None = None
    try:
        started = time.perf_counter()
        writer = TableWriter(datastore, name, columns)
        shown = _progress(session, table) if progress else watch
        with store.local_copy(version.sha256) as path:
            checked = _check_and_load(path, version, writer, shown)
        writer.commit()
        checked.seconds = time.perf_counter() - started  # every row read, checked and stored
        columns = writer.index(checked.loaded_rows, keys=key_names(version.table_schema or {}))
    except UNREADABLE as error:
        _discard(writer)
        finding = _unreadable(error)
        report = failure_descriptor(finding, name=name, place=place)
        _fail(session, table, finding.message, report, progress=progress)
        return table
    except LoadFailed as error:
        log.warning("The datastore refused version %s: %s", version.id, error)
        _discard(writer)
        message = f"The datastore could not store the rows: {error}"
        _fail(session, table, message, None, progress=progress)
        return table
    except Exception as error:
        log.exception("Checking version %s failed", version.id)
        _discard(writer)
        stopped = f"The check stopped before the end: {type(error).__name__}."
        _fail(session, table, stopped, None, progress=progress)
        return table
    earlier = table.table_name
    table.status = TableStatus.LOADED
    table.table_name = name
    table.columns = [column.to_dict() for column in columns]
    table.rows_read = checked.rows
    table.row_count = checked.loaded_rows
    table.error_count = checked.error_count
    table.warning_count = checked.warning_count
    table.report = report_descriptor(
        checked, name=name, place=place, sha256=version.sha256, size=version.size
    )
    table.failure = ""
    table.finished_at = utcnow()
    version.cleared = checked.valid or (
        bool(version.issues_note) and not checked.error_counts.get(REDACTION)
    )
    if version.cleared:  # the file may be public now: its title and columns join the index
        mark_for_index(session, version.resource.dataset_id)
    _save(session, progress=progress)
    _swap_tables(session, datastore, served=name, earlier=earlier, progress=progress)
    if any(column.indexing for column in columns):
        _index_later(session, table, progress=progress)
    return table


def _check_and_load(
    path: Path, version, writer: TableWriter, progress: Callable[[int], None] | None
) -> Checked:
    """The quick pass when it can vouch for the whole file, else the exact pass from the top."""
    schema = version.table_schema or {}
    fmt = version.resource.format
    dialect = Dialect.from_descriptor(version.dialect)
    checked = quick_check(path, fmt, schema, dialect=dialect, sink=writer.write, progress=progress)
    if checked is not None:
        return checked
    writer.start_again()
    with read_table(path, fmt, dialect) as (labels, rows):
        return check_table(labels, rows, schema, sink=writer.write_rows, progress=progress)


def _progress(session: Session, table: DataTable) -> Callable[[int], None]:
    """Save the rows read so far about once a second, for the publisher's progress page."""
    last = time.monotonic()

    def report(rows: int) -> None:
        nonlocal last
        if time.monotonic() - last >= PROGRESS_SECONDS:
            table.rows_read = rows
            save_progress(session)
            last = time.monotonic()

    return report


def _swap_tables(
    session: Session, datastore: Datastore, *, served: str, earlier: str, progress: bool
) -> None:
    """Drop the table the version was served from before, once the new one is committed as
    its table. Inside a unit of work that is when the unit commits; should it roll back, the
    new table is the one dropped, as nothing points to it."""
    if progress:
        if earlier:
            drop_table(datastore, earlier)
        return
    if earlier:
        after_commit(session, lambda: drop_table(datastore, earlier))
    after_rollback(session, lambda: drop_table(datastore, served))


def _index_later(session: Session, table: DataTable, *, progress: bool) -> None:
    """Leave the rest of a large table's indexes to a process of their own (`later_indexes`),
    once the table is committed: now for a check of its own, else when its unit commits."""
    url = session.get_bind().engine.url.render_as_string(hide_password=False)
    version_id, name = table.version_id, table.table_name
    if progress:
        later_indexes.start(url, version_id, name)
    else:
        after_commit(session, lambda: later_indexes.start(url, version_id, name))


def _save(session: Session, *, progress: bool) -> None:
    """A check of its own commits what it has recorded; inside a unit of work it flushes."""
    if progress:
        save_progress(session)
    else:
        session.flush()


def _discard(writer: TableWriter | None) -> None:
    if writer is not None:
        writer.discard()


def _fail(session: Session, table: DataTable, message: str, report, *, progress: bool) -> None:
    """Record why the check failed. A check committing its progress starts again from its
    last commit; inside a unit of work nothing of the check reached the catalogue, and the
    caller's changes stay."""
    if progress:
        session.rollback()
    table.status = TableStatus.FAILED
    table.failure = message
    table.report = report
    table.error_count = 1 if report else 0
    table.finished_at = utcnow()
    table.version.cleared = False
    _save(session, progress=progress)


def _unreadable(error: Exception) -> TableFinding:
    if isinstance(error, Invalid):
        kind = SchemaError if error.field == "schema" else SourceError
        return kind(reason=str(error))
    if isinstance(error, UnicodeError):
        return SourceError(reason="The file's text could not be decoded as UTF-8 or Windows-1252.")
    return SourceError(reason=f"The file could not be read as a table: {error}.")
