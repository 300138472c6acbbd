"""A datastore load that fails at the last row: the table already served stays served, and
the new version is marked failed with the reason.

A check that fails before loading (an unreadable file, a broken schema) is in
tests/catalog/test_checks.py; here the datastore itself refuses the final row, after every
earlier batch has been written."""

from __future__ import annotations

import io

from catalog.datastore.engine import datastore_for
from catalog.models import TableStatus
from catalog.resources import Upload, version_add
from tests.conftest import ACTOR

FIRST = b"ward,count\nGuildhall,12\nMicklegate,7\n"
ROWS = 20_000
# Every row is a valid integer; the last is too big for the datastore's 64-bit column.
LAST_TOO_BIG = (
    b"ward,count\n"
    + b"".join(b"Ward %d,%d\n" % (n, n) for n in range(ROWS - 1))
    + b"Heworth,99999999999999999999\n"
)


def test_a_load_that_fails_at_its_last_row_keeps_the_served_table(catalogue, session, client):
    dataset = catalogue.dataset("ward-counts", files={"counts.csv": FIRST})
    resource = dataset.resources[0]
    served = client.get(f"/api/data/{resource.id}").json
    datastore = datastore_for(session)
    tables_before = datastore.table_names()

    broken = version_add(
        session,
        store=catalogue.store,
        actor=ACTOR,
        resource=resource,
        upload=Upload(io.BytesIO(LAST_TOO_BIG), "counts.csv"),
        note="The whole year.",
        table_schema=resource.latest.table_schema,
    )

    table = broken.data_table
    assert table.status == TableStatus.FAILED
    assert table.failure.startswith("The check stopped before the end")
    assert not broken.cleared
    assert client.get(f"/api/data/{resource.id}").json == served
    assert client.get(f"/api/data/{resource.id}?version=2").status_code == 404
    tables_after = datastore.table_names()
    assert tables_after == tables_before
    page = client.get(f"/datasets/ward-counts/resources/{resource.id}").text
    assert "The whole year." not in page  # the failed version is not released
