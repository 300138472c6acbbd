"""A large table's paired indexes, how its totals are counted or estimated, and the fast CSV
export, which writes the same bytes as writing the rows through Python's csv module."""

from __future__ import annotations

import csv
import io
from urllib.parse import urlencode

import pytest
from sqlalchemy import event, inspect

from catalog.publishing.workflow import release_without_review
from catalog.tables.datastore import query as data_query
from catalog.tables.datastore import totals
from catalog.tables.datastore.csv_export import csv_export, csv_lines, kept_export
from catalog.tables.datastore.engine import datastore_for
from catalog.tables.datastore.loading import drop_table
from catalog.tables.datastore.query import parse_query, run_query, stream_batches
from catalog.tables.datastore.serving import served_table
from opendata.public_cache import MemoryAnswers
from tests.conftest import ACTOR

ROWS = 10_000  # enough to be analysed and paired (loading.ANALYSE_FROM_ROWS)
SERVICES = ["Adult Care", "Children", "Housing", "Waste", "Parks", "Planning"]
ODD_AMOUNTS = [1e-05, 1e16, 0.1 + 0.2, -0.0, 1 / 3, 1e15, 123.45, 0.0, 2.5e-4, 99999999999999.9]
ODD_NOTES = [
    'say "hi", then go',
    "two\nlines",
    "=SUM(A1)",
    "-5 start",
    "@home",
    "tab\tin",
    "",
    "bell\x01mark, here",
]
SCHEMA = {
    "fields": [
        {"name": "id", "type": "integer"},
        {"name": "service", "type": "string"},
        {"name": "amount", "type": "number"},
        {"name": "paid_on", "type": "date"},
        {"name": "note", "type": "string"},
        {"name": "capital", "type": "boolean"},
    ]
}


def spend_csv() -> bytes:
    """Services spread evenly; every 20th note lacks the word "payment"; a few odd cells."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([field["name"] for field in SCHEMA["fields"]])
    for n in range(1, ROWS + 1):
        amount = ODD_AMOUNTS[n % 10] if n % 997 == 0 else (n * 7919) % 100_000 / 100
        note = ODD_NOTES[n % 8] if n % 101 == 0 else ("refund" if n % 20 == 0 else f"payment {n}")
        capital = "" if n % 13 == 0 else ("true" if n % 3 else "false")
        paid_on = f"2024-{n % 12 + 1:02d}-{n % 28 + 1:02d}"
        writer.writerow([n, SERVICES[(n * 31) % 6], amount, paid_on, note, capital])
    return out.getvalue().encode()


@pytest.fixture(scope="module")
def loaded(shared_catalogue):
    dataset = shared_catalogue.dataset("big-spend", publish=False)
    resource = shared_catalogue.add_file(dataset, "spend.csv", spend_csv(), table_schema=SCHEMA)
    release_without_review(shared_catalogue.session, actor=ACTOR, dataset=dataset, source="test")
    shared_catalogue.saved()
    _resource, _version, table = served_table(shared_catalogue.session, resource.id)
    assert table.row_count == ROWS
    return resource.id, table


@pytest.fixture(scope="module")
def datastore(shared_catalogue):
    return datastore_for(shared_catalogue.session)


def ask(datastore, table, **params):
    query = parse_query(table, {name: [value] for name, value in params.items()})
    return query, run_query(datastore, table, query)


def every_row(datastore, table, query=None):
    query = query or parse_query(table, {})
    return [row for batch in stream_batches(datastore, table, query) for row in batch]


def test_a_few_valued_column_is_indexed_with_the_amount(datastore, loaded):
    _id, table = loaded
    keys = {column["name"]: column["key"] for column in table.columns}
    service = next(column for column in table.columns if column["name"] == "service")
    assert service["paired_with"] == [keys["amount"]]
    assert all("paired_with" not in column for column in table.columns if column is not service)
    indexes = inspect(datastore.engine).get_indexes(table.table_name, schema=datastore.schema)
    assert [keys["service"], keys["amount"]] == next(
        index["column_names"][:2]
        for index in indexes
        if index["name"] == f"ix_{table.table_name}_{keys['service']}_{keys['amount']}"
    )


def test_a_filtered_sorted_page_reads_the_paired_index(datastore, loaded):
    _id, table = loaded
    keys = {column["name"]: column["key"] for column in table.columns}
    paired = f"ix_{table.table_name}_{keys['service']}_{keys['amount']}"
    statements: list[tuple[str, object]] = []

    def seen(_conn, _cursor, statement, parameters, _context, _many):
        statements.append((statement, parameters))

    event.listen(datastore.engine, "before_cursor_execute", seen)
    try:
        query, page = ask(datastore, table, service="Housing", amount__gt="100", _sort="amount")
    finally:
        event.remove(datastore.engine, "before_cursor_execute", seen)
    assert len(page.rows) == 100 and page.total_is_exact
    amounts = [row[2] for row in page.rows]
    assert amounts == sorted(amounts) and all(row[1] == "Housing" for row in page.rows)
    page_sql, values = next(item for item in statements if "ORDER BY" in item[0])
    explain = "EXPLAIN QUERY PLAN " if datastore.is_sqlite else "EXPLAIN "
    with datastore.engine.connect() as connection:
        raw = connection.connection.driver_connection.cursor()
        raw.execute(explain + page_sql, values)
        plan = " ".join(str(line) for line in raw.fetchall())
    assert paired in plan, plan


def test_totals_are_exact_below_the_threshold_and_through_an_index_above_it(
    datastore, loaded, monkeypatch
):
    _id, table = loaded
    rows = every_row(datastore, table)
    housing_over_100 = sum(1 for row in rows if row[1] == "Housing" and (row[2] or 0) > 100)
    _query, small = ask(datastore, table, service="Housing", note__contains="refund")
    expected = sum(1 for row in rows if row[1] == "Housing" and "refund" in (row[4] or ""))
    assert (small.total, small.total_is_exact) == (expected, True)
    monkeypatch.setattr(data_query, "EXACT_TOTAL_UP_TO", 1000)
    _query, paired = ask(datastore, table, service="Housing", amount__gt="100")
    assert (paired.total, paired.total_is_exact) == (housing_over_100, True)


@pytest.fixture
def answers_forgotten(shared_app, monkeypatch):
    """No public answer kept from before a test moves a threshold: the public cache's key
    names the catalogue's state, not this module's constants."""
    monkeypatch.setitem(shared_app.extensions, "public_answers", MemoryAnswers())


@pytest.fixture
def small_estimates(answers_forgotten, monkeypatch):
    """The estimate's thresholds scaled down to this table (and no totals kept from before)."""
    monkeypatch.setattr(data_query, "EXACT_TOTAL_UP_TO", 1000)
    monkeypatch.setattr(data_query, "_TOTALS", {})
    monkeypatch.setattr(totals, "ESTIMATE_FROM_ROWS", 2000)
    monkeypatch.setattr(totals, "BLOCK_ROWS", 16)


@pytest.mark.parametrize(
    "params",
    [
        {"note__contains": "payment"},  # spread through the file
        # bunched in its last rows: from its first 1,001 matches alone, about 1,250
        {"id__gt": "7000", "note__contains": "e"},
    ],
    ids=["spread", "bunched"],
)
def test_above_the_threshold_an_unindexed_total_is_a_labelled_estimate_within_1_percent(
    datastore, loaded, client_for_shared, small_estimates, params
):
    resource_id, table = loaded
    query = parse_query(table, {name: [value] for name, value in params.items()})
    matching = len(every_row(datastore, table, query))
    asked = urlencode(params)
    body = client_for_shared.get(f"/api/data/{resource_id}?{asked}").get_json()
    assert body["total_is_exact"] is False
    assert abs(body["total"] - matching) <= matching / 100
    exact = client_for_shared.get(f"/api/data/{resource_id}?{asked}&_count=exact").get_json()
    assert (exact["total"], exact["total_is_exact"]) == (matching, True)
    page = client_for_shared.get(f"/datasets/big-spend/resources/{resource_id}/explore?{asked}")
    shown = round(body["total"], 4 - len(str(body["total"])))
    assert f"of about {shown:,} (within 1%)" in page.get_data(as_text=True)


def test_ckan_shares_the_labelled_estimate(datastore, loaded, client_for_shared, small_estimates):
    resource_id, table = loaded
    query = parse_query(table, {"note__contains": ["payment"]})
    matching = len(every_row(datastore, table, query))
    asked = f"resource_id={resource_id}&q=payment&total_estimation_threshold=1000&limit=1"
    body = client_for_shared.get(f"/api/3/action/datastore_search?{asked}").get_json()
    assert body["result"]["total_was_estimated"] is True
    assert abs(body["result"]["total"] - matching) <= matching / 100


def test_a_table_under_the_estimate_threshold_is_counted_exactly(
    datastore, loaded, client_for_shared, answers_forgotten, monkeypatch
):
    resource_id, table = loaded
    monkeypatch.setattr(data_query, "EXACT_TOTAL_UP_TO", 1000)
    monkeypatch.setattr(data_query, "_TOTALS", {})
    query = parse_query(table, {"note__contains": ["payment"]})
    body = client_for_shared.get(f"/api/data/{resource_id}?note__contains=payment").get_json()
    assert (body["total"], body["total_is_exact"]) == (
        len(every_row(datastore, table, query)),
        True,
    )


EXPORTS = [
    {},
    {"service": "Housing", "_sort_desc": "amount"},
    {"note__contains": "a", "_sort": "paid_on", "_col": "note,amount,capital"},
    {"_col": "note"},
    {"capital": "true", "_sort": "capital"},
]


@pytest.mark.parametrize("params", EXPORTS, ids=lambda params: "&".join(params) or "whole")
def test_the_fast_csv_export_writes_the_same_bytes_as_python_csv(datastore, loaded, params):
    _id, table = loaded
    query = parse_query(table, {name: [value] for name, value in params.items()})
    expected = "".join(csv_lines(query.columns, stream_batches(datastore, table, query)))
    first = _joined(csv_export(datastore, table, query, batch=3000))
    again = _joined(csv_export(datastore, table, query, batch=3000))
    assert first == again == expected.encode()
    assert expected.count("\r\n") >= (ROWS if not params else 2)
    if datastore.is_sqlite:
        assert kept_export(datastore, table.table_name).exists()


def test_the_odd_cells_come_out_as_python_writes_them(datastore, loaded):
    _id, table = loaded
    query = parse_query(table, {"_col": ["amount,note"]})
    lines = _joined(csv_export(datastore, table, query)).decode()
    for amount in ("1e-05", "1e+16", "0.30000000000000004", "0.3333333333333333", "0.00025"):
        assert f"\r\n{amount}," in lines
    assert "\r\n123.45," in lines and '"say ""hi"", then go"' in lines
    assert '"two\nlines"\r\n' in lines and ",'=SUM(A1)\r\n" in lines
    assert '"bell\x01mark, here"\r\n' in lines


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"_col": "capital,id,service,amount,paid_on,note"},  # all, but not kept: reordered
        {"service": "Waste", "_col": "id,amount,paid_on,capital"},
    ],
    ids=["whole", "every-column", "filtered"],
)
def test_batches_sqlite_writes_and_batches_python_writes_join_up(datastore, loaded, params):
    """In batches of 50 rows most hold no odd cell and go out as SQLite wrote their lines;
    the rest (a quote, a line break, a formula, an odd float) are written by Python."""
    _id, table = loaded
    query = parse_query(table, {name: [value] for name, value in params.items()})
    expected = "".join(csv_lines(query.columns, stream_batches(datastore, table, query)))
    assert _joined(csv_export(datastore, table, query, batch=50)) == expected.encode()


def _joined(chunks) -> bytes:
    return b"".join(chunks)


@pytest.fixture
def client_for_shared(shared_app):
    return shared_app.test_client()


@pytest.mark.parametrize("shared_app", ["sqlite"], indirect=True)
def test_dropping_a_table_removes_its_kept_export(datastore):
    """Only SQLite keeps whole exports: PostgreSQL streams each one by COPY."""
    kept = kept_export(datastore, "v0_dropped")
    kept.parent.mkdir(exist_ok=True)
    kept.write_text("id\r\n1\r\n")
    drop_table(datastore, "v0_dropped")
    assert not kept.exists()
