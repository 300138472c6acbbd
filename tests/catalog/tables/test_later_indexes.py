"""A large table is served as soon as its rows and its key's index are in; its other indexes are
built just after by a process of their own. Meanwhile a page sorted by a column still waiting
for its index says so, and its rows are the same as once the index is there.

`LATER_FROM_ROWS` is lowered so a table of a few hundred rows counts as large, and the
datastore's writes are held (as another load building an index would hold them) so the test
sees the table before its indexes are built."""

from __future__ import annotations

import io
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import pytest
from sqlalchemy import inspect, text

from catalog.models import DataTable
from catalog.publishing.datasets import DatasetInput, dataset_create
from catalog.publishing.resources import Upload, resource_create
from catalog.publishing.workflow import release_without_review
from catalog.tables.datastore import indexes, later_indexes
from catalog.tables.datastore.engine import Datastore, datastore_for
from catalog.tables.datastore.indexes import SORTING_SOON, later_order
from catalog.tables.datastore.tables import columns_for
from tests.conftest import ACTOR
from tests.pages import element, main, parse_page, text_of

ROWS = 300
SERVICES = ["Housing", "Waste", "Parks"]
SCHEMA = {
    "fields": [
        {"name": "id", "type": "integer"},
        {"name": "supplier", "type": "string"},
        {"name": "service", "type": "string", "constraints": {"enum": SERVICES}},
        {"name": "amount", "type": "number"},
        {"name": "paid_on", "type": "date"},
        {"name": "capital", "type": "boolean"},
        {"name": "invoice", "type": "string", "constraints": {"unique": True}},
    ],
    "primaryKey": "id",
}
WAIT_SECONDS = 120


def _spend() -> bytes:
    lines = ["id,supplier,service,amount,paid_on,capital,invoice"]
    for n in range(1, ROWS + 1):
        amount = (n * 7919) % 5000 / 4
        lines.append(
            f"{n},Supplier {n % 17},{SERVICES[n % 3]},{amount},2026-{n % 12 + 1:02d}-"
            f"{n % 28 + 1:02d},{'true' if n % 5 == 0 else 'false'},INV{n * 31 % 997:04d}-{n}"
        )
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def large(monkeypatch):
    monkeypatch.setattr(indexes, "LATER_FROM_ROWS", 100)


@contextmanager
def writes_held(datastore: Datastore, name: str) -> Iterator[None]:
    """Hold the table's writes, as another process building an index would: reads go on."""
    if datastore.is_sqlite:
        holder = sqlite3.connect(datastore.sqlite_file, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            holder.rollback()
            holder.close()
        return
    with datastore.engine.connect() as connection:
        lock = f'LOCK TABLE {datastore.schema}."{name}" IN SHARE ROW EXCLUSIVE MODE'
        connection.execute(text(lock))
        try:
            yield
        finally:
            connection.rollback()


def _columns(session, version_id: int) -> dict[str, dict]:
    session.expire_all()
    table = session.get(DataTable, version_id)
    return {column["name"]: column for column in table.columns}


def _all_indexed(session, version_id: int) -> dict[str, dict]:
    """The columns once the indexing process has recorded its last index."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        columns = _columns(session, version_id)
        if not any(column.get("indexing") for column in columns.values()):
            return columns
        time.sleep(0.1)
    raise AssertionError(f"The indexes were not all built: {columns}")


def test_a_large_table_is_served_first_and_sorts_the_same_before_and_after_its_indexes(
    large, catalogue, session, client
):
    dataset = dataset_create(
        session,
        actor=ACTOR,
        data=DatasetInput(
            name="large-spend", title="Large spend", organisation="children-education"
        ),
    )
    resource = resource_create(
        session,
        store=catalogue.store,
        actor=ACTOR,
        dataset=dataset,
        title="Payments",
        upload=Upload(stream=io.BytesIO(_spend()), filename="spend.csv"),
        table_schema=SCHEMA,
    )
    release_without_review(session, actor=ACTOR, dataset=dataset, source="test")
    version = resource.versions[-1]
    datastore = datastore_for(session)
    sorted_page = f"/api/data/{resource.id}?_sort_desc=amount&_size=20"
    explore = f"/datasets/large-spend/resources/{resource.id}/explore?_sort=paid_on"

    with writes_held(datastore, version.data_table.table_name):
        session.commit()  # the edge: the table is served, its indexing process started
        columns = _columns(session, version.id)
        assert columns["id"]["indexed"] and not columns["id"].get("indexing")
        waiting = {name for name, column in columns.items() if column.get("indexing")}
        assert waiting == {"supplier", "service", "amount", "paid_on", "capital", "invoice"}
        before = client.get(sorted_page)
        assert before.status_code == 200
        assert before.json["notice"] == SORTING_SOON
        page = main(parse_page(client.get(explore)))
        assert text_of(element(page, "#sorting-note")) == SORTING_SOON
        assert text_of(element(page, "#rows")) == f"Rows 1 to 100 of {ROWS}"

    columns = _all_indexed(session, version.id)
    assert all(column["indexed"] for column in columns.values())
    assert columns["service"].get("paired_with") == [columns["amount"]["key"]]
    after = client.get(sorted_page)
    assert "notice" not in after.json
    assert after.json["rows"] == before.json["rows"]
    amounts = [row["amount"] for row in after.json["rows"]]
    assert amounts == sorted(amounts, reverse=True)
    assert "sorting-note" not in client.get(explore).get_data(as_text=True)


def test_a_small_table_gets_every_index_before_it_is_served(catalogue, session):
    dataset = catalogue.dataset("small-spend", files={})
    resource = catalogue.add_file(dataset, "spend.csv", _spend(), table_schema=SCHEMA)
    columns = _columns(session, resource.versions[-1].id)
    assert all(column["indexed"] and not column.get("indexing") for column in columns.values())


def test_unique_columns_dates_numbers_enums_and_booleans_come_before_free_text():
    columns = [
        replace(column, indexed=False, indexing=True) if column.name != "id" else column
        for column in columns_for(SCHEMA["fields"])
    ]
    order = [column.name for column in later_order(columns, SCHEMA)]
    assert order == ["invoice", "paid_on", "amount", "service", "capital", "supplier"]


def _stopped_mid_build(session, version_id: int, waiting: set[str]) -> str:
    """The table as a restart leaves it: these columns' indexes not built, still waiting."""
    table = session.get(DataTable, version_id)
    datastore = datastore_for(session)
    keys = {column["key"] for column in table.columns if column["name"] in waiting}
    found = inspect(datastore.engine).get_indexes(table.table_name, schema=datastore.schema)
    with datastore.engine.begin() as connection:
        for index in found:
            if keys & set(index["column_names"]):
                where = (
                    f'{datastore.schema}."{index["name"]}"' if datastore.schema else index["name"]
                )
                connection.execute(text(f"DROP INDEX {where}"))
    table.columns = [
        {**column, "indexed": False, "indexing": True} if column["key"] in keys else column
        for column in table.columns
    ]
    session.commit()
    return table.table_name


def _indexed_columns(session, name: str) -> set[str]:
    datastore = datastore_for(session)
    found = inspect(datastore.engine).get_indexes(name, schema=datastore.schema)
    return {column for index in found for column in index["column_names"] if column != "_row"}


def test_indexes_a_restart_stopped_are_built_again_by_init(catalogue, session, client, runner):
    dataset = catalogue.dataset("spend", files={})
    resource = catalogue.add_file(dataset, "spend.csv", _spend(), table_schema=SCHEMA)
    version_id = resource.versions[-1].id
    name = _stopped_mid_build(session, version_id, {"amount", "paid_on"})
    page = f"/api/data/{resource.id}?_sort_desc=amount&_size=5"
    assert client.get(page).json["notice"] == SORTING_SOON
    keys = {column["name"]: column["key"] for column in _columns(session, version_id).values()}
    assert not {keys["amount"], keys["paid_on"]} & _indexed_columns(session, name)

    started = runner.invoke(args=["init"])
    assert "Building the indexes still waiting for 1 large tables." in started.output
    columns = _all_indexed(session, version_id)
    assert columns["amount"]["indexed"] and columns["paid_on"]["indexed"]
    assert {keys["amount"], keys["paid_on"]} <= _indexed_columns(session, name)
    assert "notice" not in client.get(page).json
    assert "Building the indexes" not in runner.invoke(args=["init"]).output


def test_one_process_at_a_time_builds_a_tables_indexes(app, catalogue, session):
    dataset = catalogue.dataset("spend", files={})
    resource = catalogue.add_file(dataset, "spend.csv", _spend(), table_schema=SCHEMA)
    version_id = resource.versions[-1].id
    name = _stopped_mid_build(session, version_id, {"supplier"})
    datastore = datastore_for(session)
    with later_indexes._building(datastore, name) as first:
        assert first
        with app.extensions["catalog"]["sessions"]() as other:
            later_indexes.build(other, version_id, name)  # another process holds the table
        assert _columns(session, version_id)["supplier"]["indexing"]
    with app.extensions["catalog"]["sessions"]() as other:
        later_indexes.build(other, version_id, name)
    supplier = _columns(session, version_id)["supplier"]
    assert supplier["indexed"] and not supplier.get("indexing")
