"""Checking a tabular version: validate it against its schema and load it, in one pass.

Run straight after an upload (in the request on the embedded default, by an RQ worker in
production). A version is `cleared` for release only when its check passed, or when the
publisher has recorded why it may be published with its known issues. A check that fails or
stops part way leaves the version uncleared and any earlier table untouched.
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
from catalog.storage import FileStore
from catalog.tables.datastore.engine import datastore_for
from catalog.tables.datastore.loading import LoadFailed, TableWriter, drop_table, new_table_name
from catalog.tables.datastore.tables import columns_for
from catalog.tables.findings import SchemaError, SourceError, TableFinding
from catalog.tables.quick_check import quick_check
from catalog.tables.reading import TABULAR_FORMATS, read_table
from catalog.tables.reports import failure_descriptor, report_descriptor
from catalog.tables.validation import Checked, check_table

log = logging.getLogger(__name__)
PROGRESS_SECONDS = 1.0
UNREADABLE = (csv.Error, UnicodeError, Invalid)


def needs_check(version: ResourceVersion) -> bool:
    return version.resource.format in TABULAR_FORMATS


def queue_check(session: Session, version: ResourceVersion) -> DataTable:
    """Mark a new tabular version as waiting for its check; it is not cleared until then."""
    version.cleared = False
    table = DataTable(version=version, status=TableStatus.QUEUED, table_name="", queued_at=utcnow())
    session.add(table)
    return table


def check_version(session: Session, store: FileStore, version: ResourceVersion) -> DataTable:
    """Validate and load one version, recording progress, the report and the outcome."""
    table = version.data_table or queue_check(session, version)
    table.status = TableStatus.LOADING
    table.started_at = utcnow()
    table.rows_read = 0
    session.commit()
    datastore = datastore_for(session)
    columns = columns_for((version.table_schema or {}).get("fields", []))
    name = new_table_name(version.id)
    place = version.filename
    writer: TableWriter | None = None
    try:
        started = time.perf_counter()
        writer = TableWriter(datastore, name, columns)
        checked = _check_and_load(store.path_for(version.sha256), version, writer, table, session)
        writer.commit()
        checked.seconds = time.perf_counter() - started  # every row read, checked and stored
        writer.index()
    except UNREADABLE as error:
        _discard(writer)
        finding = _unreadable(error)
        report = failure_descriptor(finding, name=name, place=place)
        _fail(session, table, finding.message, report)
        return table
    except LoadFailed as error:
        log.warning("The datastore refused version %s: %s", version.id, error)
        _discard(writer)
        _fail(session, table, f"The datastore could not store the rows: {error}", None)
        return table
    except Exception as error:
        log.exception("Checking version %s failed", version.id)
        _discard(writer)
        _fail(session, table, f"The check stopped before the end: {type(error).__name__}.", None)
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
    version.cleared = checked.valid or bool(version.issues_note)
    session.commit()
    if earlier:
        drop_table(datastore, earlier)
    return table


def _check_and_load(path: Path, version, writer: TableWriter, table, session) -> Checked:
    """The quick pass when it can vouch for the whole file, else the exact pass from the top."""
    schema = version.table_schema or {}
    fmt = version.resource.format
    progress = _progress(session, table)
    checked = quick_check(path, fmt, schema, sink=writer.write, progress=progress)
    if checked is not None:
        return checked
    writer.start_again()
    with read_table(path, fmt) as (labels, rows):
        return check_table(labels, rows, schema, sink=writer.write_rows, progress=progress)


def _progress(session: Session, table: DataTable) -> Callable[[int], None]:
    """Save the rows read so far about once a second, for the publisher's progress page."""
    last = time.monotonic()

    def report(rows: int) -> None:
        nonlocal last
        if time.monotonic() - last >= PROGRESS_SECONDS:
            table.rows_read = rows
            session.commit()
            last = time.monotonic()

    return report


def _discard(writer: TableWriter | None) -> None:
    if writer is not None:
        writer.discard()


def _fail(session: Session, table: DataTable, message: str, report) -> None:
    session.rollback()
    table.status = TableStatus.FAILED
    table.failure = message
    table.report = report
    table.error_count = 1 if report else 0
    table.finished_at = utcnow()
    table.version.cleared = False
    session.commit()


def _unreadable(error: Exception) -> TableFinding:
    if isinstance(error, Invalid):
        kind = SchemaError if error.field == "schema" else SourceError
        return kind(reason=str(error))
    if isinstance(error, UnicodeError):
        return SourceError(reason="The file's text could not be decoded as UTF-8 or Windows-1252.")
    return SourceError(reason=f"The file could not be read as a table: {error}.")
