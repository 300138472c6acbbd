"""The data API's queries, straight on the datastore: filters, sorts, keyset paging, counts."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from catalog.clock import frozen_at
from catalog.errors import Invalid, NotFound
from catalog.models import TableStatus
from catalog.publishing.resources import Upload, version_add
from catalog.tables.datastore import query as data_query
from catalog.tables.datastore.engine import datastore_for
from catalog.tables.datastore.query import parse_query, run_query, stream
from catalog.tables.datastore.serving import served_table
from tests.conftest import ACTOR

WARDS = ["Acomb", "Clifton", "Fishergate", "Heworth"]


def spending_csv(rows: int = 300) -> bytes:
    """Amounts with gaps and many ties, so that sorting must break ties by row number."""
    lines = ["id,ward,amount,paid_on,approved,note"]
    for number in range(1, rows + 1):
        amount = "" if number % 7 == 0 else str((number * 37) % 50 * 10)
        paid_on = f"2024-{number % 12 + 1:02d}-{number % 28 + 1:02d}"
        approved = "true" if number % 3 else "false"
        note = "=HYPERLINK(1)" if number == 5 else f"Payment 50%_off {number}"
        lines.append(f"{number},{WARDS[number % 4]},{amount},{paid_on},{approved},{note}")
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def spending(catalogue):
    dataset = catalogue.dataset("spending", files={"spend.csv": spending_csv()})
    return dataset.resources[0]


@pytest.fixture
def table(catalogue, spending):
    _resource, _version, table = served_table(catalogue.session, spending.id)
    return table


def ask(session, table, **params):
    query = parse_query(table, {name: [value] for name, value in params.items()})
    return run_query(datastore_for(session), table, query)


def ids(page) -> list[int]:
    return [row[0] for row in page.rows]


def every_id(session, table, **params) -> list[int]:
    """Page through with `_next` to the end, collecting the id of each row."""
    seen: list[int] = []
    while True:
        page = ask(session, table, **params)
        seen += ids(page)
        if page.next is None:
            return seen
        params["_next"] = page.next


EXPECTED = {
    "ward": (lambda row: row["ward"] == "Acomb", "Acomb"),
    "ward__exact": (lambda row: row["ward"] == "Acomb", "Acomb"),
    "ward__not": (lambda row: row["ward"] != "Acomb", "Acomb"),
    "amount__gt": (lambda row: row["amount"] is not None and row["amount"] > 250, "250"),
    "amount__gte": (lambda row: row["amount"] is not None and row["amount"] >= 250, "250"),
    "amount__lt": (lambda row: row["amount"] is not None and row["amount"] < 250, "250"),
    "amount__lte": (lambda row: row["amount"] is not None and row["amount"] <= 250, "250"),
    "amount__in": (lambda row: row["amount"] in (10, 20), "10,20"),
    "amount__isnull": (lambda row: row["amount"] is None, "true"),
    "note__contains": (lambda row: "50%_off 1" in row["note"], "50%_OFF 1"),
    "note__startswith": (lambda row: row["note"].startswith("="), "=hyp"),
    "paid_on__gte": (lambda row: row["paid_on"] >= "2024-11-01", "2024-11-01"),
    "approved": (lambda row: row["approved"] is False, "false"),
}


@pytest.mark.parametrize("param", list(EXPECTED))
def test_every_operator_matches_what_python_says(session, table, param):
    everything = ask(session, table, _size="10000")
    names = [column.name for column in everything.columns]
    rows = [dict(zip(names, row, strict=True)) for row in everything.rows]
    keep, value = EXPECTED[param]
    expected = [row["id"] for row in rows if keep(row)]
    assert expected, "the test data should match something"
    found = every_id(session, table, **{param: value, "_size": "17"})
    assert found == expected


def test_isnull_false_and_percent_and_underscore_are_literal(session, table):
    assert len(every_id(session, table, amount__isnull="0")) == 300 - 300 // 7
    assert every_id(session, table, note__contains="%") == every_id(session, table, id__not="5")
    assert every_id(session, table, note__contains="0_o") == []


@pytest.mark.parametrize("sort", ["_sort", "_sort_desc"])
@pytest.mark.parametrize("column", ["id", "ward", "amount", "paid_on", "approved", "note"])
def test_paging_through_every_sort_returns_each_row_once_in_order(session, table, sort, column):
    everything = ask(session, table, _size="10000")
    place = [item.name for item in everything.columns].index(column)

    def key(row):
        """Rows without a value first, then by value, ties by row number; reversed for desc."""
        value = row[place]
        return (value is not None, value if value is not None else 0, row[0])

    expected = [row[0] for row in sorted(everything.rows, key=key, reverse=sort == "_sort_desc")]
    found = every_id(session, table, **{sort: column, "_size": "23"})
    assert found == expected
    assert sorted(found) == list(range(1, 301))


def test_columns_shape_and_counts(session, table, monkeypatch):
    page = ask(session, table, _col="amount", _size="5")
    assert [column.name for column in page.columns] == ["amount"]
    assert page.rows[0] == (370,) and len(page.rows) == 5
    assert (page.total, page.total_is_exact) == (300, True)
    monkeypatch.setattr(data_query, "EXACT_TOTAL_UP_TO", 50)
    indexed = ask(session, table, ward__not="Acomb")  # its index is counted, however many
    assert (indexed.total, indexed.total_is_exact) == (225, True)
    searched = ask(session, table, note__contains="payment")  # a small table is counted
    assert (searched.total, searched.total_is_exact) == (299, True)
    exact = ask(session, table, note__contains="payment", _count="exact")
    assert (exact.total, exact.total_is_exact) == (299, True)


BAD = [
    ({"colour": "red"}, "colour", "Unknown column 'colour'"),
    ({"ward__like": "A%"}, "ward__like", "Unknown operator 'like'"),
    ({"amount__gt": "lots"}, "amount__gt", "must be a whole number, not 'lots'"),
    ({"paid_on": "31/02/2024"}, "paid_on", "must be a date"),
    ({"amount__contains": "1"}, "amount__contains", "text columns only"),
    ({"amount__isnull": "maybe"}, "amount__isnull", "true or false"),
    ({"_sort": "colour"}, "_sort", "Unknown column 'colour'"),
    ({"_sort": "id", "_sort_desc": "id"}, "_sort_desc", "not both"),
    ({"_col": "id,colour"}, "_col", "'colour'"),
    ({"_size": "10001"}, "_size", "from 1 to 10,000"),
    ({"_size": "-1"}, "_size", "from 1 to 10,000"),
    ({"_size": "ten"}, "_size", "from 1 to 10,000"),
    ({"_next": "not-a-token"}, "_next", "not a token"),
    ({"_shape": "tables"}, "_shape", "objects or arrays"),
    ({"_count": "all"}, "_count", "exact"),
    ({"_limit": "5"}, "_limit", "Unknown parameter"),
]


@pytest.mark.parametrize(("params", "field", "message"), BAD)
def test_bad_parameters_are_named(table, params, field, message):
    with pytest.raises(Invalid) as raised:
        parse_query(table, {name: [value] for name, value in params.items()})
    assert raised.value.field == field
    assert message in raised.value.message


def test_a_token_only_works_with_its_own_sort(session, table):
    token = ask(session, table, _sort="amount", _size="5").next
    with pytest.raises(Invalid, match="different sort") as raised:
        parse_query(table, {"_sort_desc": ["amount"], "_next": [token]})
    assert raised.value.field == "_next"


def test_only_indexed_columns_sort(session, table, monkeypatch):
    table.columns = [{**column, "indexed": column["name"] != "note"} for column in table.columns]
    with pytest.raises(Invalid, match="cannot be sorted by 'note' because it is not indexed"):
        parse_query(table, {"_sort": ["note"]})


@pytest.mark.parametrize(
    "value", ["' OR 1=1 --", "1; DROP TABLE resource", "x' UNION SELECT * FROM sqlite_master --"]
)
def test_injection_looking_values_match_nothing(session, table, value):
    for param in ("ward", "note__contains", "ward__in", "note__startswith"):
        assert ask(session, table, **{param: value}).rows == []
    assert ask(session, table).total == 300


def test_stream_returns_every_row_in_order_in_batches(session, table):
    query = parse_query(table, {"_sort_desc": ["amount"], "approved": ["true"]})
    rows = list(stream(datastore_for(session), table, query, batch=7))
    assert len(rows) == 200
    assert [row[0] for row in rows] == every_id(session, table, _sort_desc="amount", approved="1")


def test_a_slow_query_stops_with_a_clear_error(session, table, catalogue):
    datastore = datastore_for(session)
    if datastore.is_sqlite:
        query = parse_query(table, {"note__contains": ["nothing"], "_count": ["exact"]})
        with pytest.raises(data_query.QueryTimeout, match="longer than 0 seconds"):
            run_query(datastore, table, query, time_limit=0)
        return
    # PostgreSQL's statement_timeout, on a statement that is surely slower than the limit
    limited = data_query.time_limited(datastore, 0.05)
    with (
        pytest.raises(data_query.QueryTimeout, match="longer than 0.05 seconds"),
        limited as (
            connection,
            _renew,
        ),
    ):
        connection.execute(select(func.pg_sleep(1)))


def add_version(catalogue, resource, content: bytes, **extra):
    upload = Upload(stream=__import__("io").BytesIO(content), filename="spend.csv")
    return version_add(
        catalogue.session,
        store=catalogue.store,
        actor=ACTOR,
        resource=resource,
        upload=upload,
        **extra,
    )


@pytest.mark.parametrize("status", [TableStatus.LOADING, TableStatus.FAILED, TableStatus.QUEUED])
def test_a_newer_version_replaces_the_served_one_only_once_loaded(catalogue, spending, status):
    newer = add_version(catalogue, spending, spending_csv(10))
    assert served_table(catalogue.session, spending.id)[1].number == 2
    newer.data_table.status = status
    catalogue.session.commit()
    _resource, version, table = served_table(catalogue.session, spending.id)
    assert version.number == 1 and table.row_count == 300
    with pytest.raises(NotFound, match="no table loaded"):
        served_table(catalogue.session, spending.id, version=2)


def test_what_the_api_does_not_serve(catalogue, spending):
    draft = catalogue.dataset("draft", files={"a.csv": b"a\n1\n"}, publish=False)
    report = catalogue.dataset("report", files={"r.pdf": b"%PDF-1.4 nothing"})
    cases = [
        ("no-such-id", "no published file"),
        (draft.resources[0].id, "no published file"),
        (report.resources[0].id, "not a table"),
    ]
    for resource_id, message in cases:
        with pytest.raises(NotFound, match=message):
            served_table(catalogue.session, resource_id)


def test_an_embargoed_version_is_not_served_until_its_time(catalogue, spending):
    at = datetime(2030, 1, 1, 9, 30)
    add_version(catalogue, spending, spending_csv(10), release_at=at)
    assert served_table(catalogue.session, spending.id)[1].number == 1
    with pytest.raises(NotFound, match="no published version 2"):
        served_table(catalogue.session, spending.id, version=2)
    with frozen_at(at + timedelta(seconds=1)):
        assert served_table(catalogue.session, spending.id)[1].number == 2
