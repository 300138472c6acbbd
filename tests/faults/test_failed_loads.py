"""A datastore load that fails at its end: the table already served stays served, and the
new version is marked failed with the reason.

A check that fails before loading (an unreadable file, a broken schema) is in
tests/catalog/test_checks.py; here the datastore itself refuses the new table once every row
has been read and checked. Each database refuses in its own real way: PostgreSQL refuses the
final batch, whose last text cell holds a NUL character, which PostgreSQL cannot store; on
SQLite the rows go in, and then the datastore file reaches its size limit (as on a full disk)
while the new table is being indexed, after its rows were committed."""

from __future__ import annotations

import io
from contextlib import contextmanager

from sqlalchemy import event

from catalog.models import TableStatus
from catalog.publishing.resources import Upload, version_add
from catalog.tables.datastore.engine import datastore_for
from catalog.tables.validation import BATCH_ROWS
from tests.conftest import ACTOR
from tests.pages import mentions, parse_page

FIRST = b"ward,count\nGuildhall,12\nMicklegate,7\n"
ROWS = 2 * BATCH_ROWS
WHOLE_YEAR = (
    b"ward,count\n"
    + b"".join(b"Ward %d,%d\n" % (n, n) for n in range(ROWS - 1))
    + b"Heworth\x00,99\n"
)


@contextmanager
def refusing_the_new_table(datastore):
    """SQLite: through the site's own connections the datastore file may grow by only this
    many pages (4 KB each) beyond its size when the load began. The rows are written by the
    ingest process, which the limit does not reach; the new table's indexes then do not fit."""
    if not datastore.is_sqlite:
        yield
        return

    def limit(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        pages = cursor.execute("PRAGMA page_count").fetchone()[0]
        cursor.execute(f"PRAGMA max_page_count = {pages + 90}")
        cursor.close()

    datastore.engine.dispose()
    event.listen(datastore.engine, "connect", limit)
    try:
        yield
    finally:
        event.remove(datastore.engine, "connect", limit)
        datastore.engine.dispose()


def test_a_load_that_fails_at_its_last_row_keeps_the_served_table(catalogue, session, client):
    dataset = catalogue.dataset("ward-counts", files={"counts.csv": FIRST})
    resource = dataset.resources[0]
    served = client.get(f"/api/data/{resource.id}").json
    datastore = datastore_for(session)
    tables_before = datastore.table_names()

    with refusing_the_new_table(datastore):
        broken = version_add(
            session,
            store=catalogue.store,
            actor=ACTOR,
            resource=resource,
            upload=Upload(io.BytesIO(WHOLE_YEAR), "counts.csv"),
            note="The whole year.",
            table_schema=resource.latest.table_schema,
        )

    table = broken.data_table
    assert table.status == TableStatus.FAILED
    assert table.failure.startswith("The datastore could not store the rows: ")
    assert ("disk is full" if datastore.is_sqlite else "0x00") in table.failure
    assert not broken.cleared
    assert client.get(f"/api/data/{resource.id}").json == served
    assert client.get(f"/api/data/{resource.id}?version=2").status_code == 404
    tables_after = datastore.table_names()
    assert tables_after == tables_before
    page = parse_page(client.get(f"/datasets/ward-counts/resources/{resource.id}"))
    assert not mentions(page, "The whole year.")  # the failed version is not released
