"""`datastore_search` and `datastore_info` as a CKAN client expects them: `_id`, `limit=0`, the
32,000 cap, `records_format`, `distinct`, several sort keys, `q`, totals and their estimate,
filters with lists, CKAN's errors, and `datastore_active` on the resources that have a table.

The expected answers are worked out here in Python from the rows of the file, by the rules
PostgreSQL (and so CKAN) follows: missing values sort last going up and first going down."""

from __future__ import annotations

import csv
import io
from urllib.parse import parse_qsl, urlsplit

import pytest

from catalog.publishing.workflow import release_without_review
from tests.conftest import ACTOR

WARDS = ["Acomb", "Clifton", "Fishergate", "Heworth", None]
COUNT = 30
SCHEMA = {
    "fields": [
        {"name": "ward", "type": "string", "title": "Ward"},
        {"name": "visits", "type": "integer", "title": "Visits", "description": "Through the door"},
        {"name": "rate", "type": "number"},
        {"name": "open", "type": "boolean"},
        {"name": "note", "type": "string"},
    ]
}


def _row(n: int) -> dict:
    return {
        "_id": n,
        "ward": WARDS[n % 5],
        "visits": None if n % 7 == 0 else (n * 13) % 11,
        "rate": n / 4,
        "open": n % 2 == 0,
        "note": f"Explore York library visit {n}" if n % 3 == 0 else f"Mobile library stop {n}",
    }


ROWS = [_row(n) for n in range(1, COUNT + 1)]
NAMES = ["_id", "ward", "visits", "rate", "open", "note"]


def _csv() -> bytes:
    lines = ["ward,visits,rate,open,note"]
    for row in ROWS:
        cells = [row["ward"] or "", "" if row["visits"] is None else str(row["visits"])]
        cells += [str(row["rate"]), "true" if row["open"] else "false", row["note"]]
        lines.append(",".join(cells))
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture(scope="module")
def client(shared_app):
    return shared_app.test_client()


@pytest.fixture(scope="module")
def tables(shared_catalogue):
    """A published table with a described schema, a published PDF, and a draft table."""
    catalogue = shared_catalogue
    dataset = catalogue.dataset("library-visits", publish=False)
    table = catalogue.add_file(dataset, "visits.csv", _csv(), table_schema=SCHEMA)
    paper = catalogue.add_file(dataset, "notes.pdf", b"%PDF-1.4 notes")
    release_without_review(catalogue.session, actor=ACTOR, dataset=dataset, source="test")
    catalogue.saved()
    draft = catalogue.dataset("draft-visits", files={"draft.csv": _csv()}, publish=False)
    return {"table": table.id, "pdf": paper.id, "draft": draft.resources[0].id}


def _search(client, tables, **params):
    response = client.post("/api/3/action/datastore_search", json={"id": tables["table"], **params})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["result"]


def _refusal(client, action, **params):
    response = client.post(f"/api/3/action/{action}", json=params)
    body = response.get_json()
    assert body["success"] is False
    return response.status_code, body["error"]


def _ordered(rows: list[dict], keys: list[tuple[str, bool]]) -> list[dict]:
    """Rows sorted as PostgreSQL sorts them, ties in `_id` order."""
    for name, descending in reversed(keys):
        rows = sorted(rows, key=lambda row: (row[name] is None, row[name] or 0), reverse=descending)
    return rows


def test_every_record_has_its_id_first_and_can_be_filtered_and_sorted_by_it(client, tables):
    found = _search(client, tables)
    assert [field["id"] for field in found["fields"]] == NAMES
    assert found["fields"][0] == {"id": "_id", "type": "int"}
    assert found["records"] == ROWS and found["total"] == COUNT
    assert found["total_was_estimated"] is False
    picked = _search(client, tables, filters={"_id": [3, 5]}, sort="_id desc")
    assert [record["_id"] for record in picked["records"]] == [5, 3]


def test_the_fields_and_their_descriptions_come_with_limit_0(client, tables):
    found = _search(client, tables, limit=0)
    assert found["records"] == [] and found["total"] == COUNT and found["limit"] == 0
    visits = found["fields"][2]
    assert visits == {
        "id": "visits",
        "type": "int",
        "info": {"label": "Visits", "notes": "Through the door"},
    }
    assert [field["type"] for field in found["fields"]] == [
        "int", "text", "int", "numeric", "bool", "text",
    ]  # fmt: skip


def test_a_limit_above_32000_is_cut_to_it_and_offset_pages_on(client, tables):
    assert _search(client, tables, limit=50_000)["limit"] == 32_000
    page = _search(client, tables, limit=7, offset=21)
    assert [record["_id"] for record in page["records"]] == list(range(22, 29))
    following = dict(parse_qsl(urlsplit(page["_links"]["next"]).query))
    assert following["offset"] == "28" and following["id"] == tables["table"]
    last = client.get(page["_links"]["next"]).get_json()["result"]
    assert [record["_id"] for record in last["records"]] == [29, 30]


@pytest.mark.parametrize("records_format", ["lists", "csv", "tsv"])
def test_records_come_in_the_format_asked_for(client, tables, records_format):
    found = _search(client, tables, records_format=records_format, sort="visits desc")
    expected = [[row[name] for name in NAMES] for row in _ordered(ROWS, [("visits", True)])]
    assert found["records_format"] == records_format
    if records_format == "lists":
        assert found["records"] == expected
        return
    delimiter = "," if records_format == "csv" else "\t"
    read = list(csv.reader(io.StringIO(found["records"]), delimiter=delimiter))
    written = [
        ["" if v is None else str(v).lower() if isinstance(v, bool) else str(v) for v in row]
        for row in expected
    ]
    assert read == written  # no header


@pytest.mark.parametrize(
    "sort, keys",
    [
        ("ward desc, visits, _id desc", [("ward", True), ("visits", False), ("_id", True)]),
        ('"visits" asc, rate desc', [("visits", False), ("rate", True)]),
        (["open", "ward desc"], [("open", False), ("ward", True)]),
    ],
)
def test_several_sort_keys_order_as_postgresql_does(client, tables, sort, keys):
    found = _search(client, tables, sort=sort, limit=COUNT)
    assert found["records"] == _ordered(ROWS, keys)


def test_nulls_go_where_the_sort_says(client, tables):
    first = _search(client, tables, sort="ward nulls first", fields="ward", limit=COUNT)
    wards = [record["ward"] for record in first["records"]]
    assert wards[:6] == [None] * 6 and wards[6:] == sorted(wards[6:])


def test_distinct_rows_of_the_fields_asked_for(client, tables):
    found = _search(client, tables, fields="ward", distinct=True)
    assert found["records"] == [
        {"ward": w} for w in ["Acomb", "Clifton", "Fishergate", "Heworth"]
    ] + [{"ward": None}]
    assert found["total"] == 5
    pairs = _search(client, tables, fields=["open", "ward"], distinct="true", sort="ward desc")
    assert len(pairs["records"]) == pairs["total"] == 10
    assert pairs["records"][0]["ward"] is None


def test_filters_take_lists_and_missing_values(client, tables):
    found = _search(client, tables, filters={"ward": ["Acomb", None], "open": True})
    expected = [r for r in ROWS if r["ward"] in ("Acomb", None) and r["open"]]
    assert found["records"] == expected and found["total"] == len(expected)
    text = client.get(
        "/api/3/action/datastore_search",
        query_string={"resource_id": tables["table"], "filters": '{"visits": "3"}'},
    ).get_json()["result"]
    assert [r["_id"] for r in text["records"]] == [r["_id"] for r in ROWS if r["visits"] == 3]


def _has(row: dict, word: str) -> bool:
    """The documented rule: a text cell contains the word, a number cell equals it."""
    for name in NAMES[1:]:
        value = row[name]
        if isinstance(value, bool):
            if word == str(value).lower():
                return True
        elif isinstance(value, int | float):
            if word.replace(".", "", 1).isdigit() and float(word) == value:
                return True
        elif value is not None and word in value.lower():
            return True
    return False


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"q": "explore YORK"}, lambda r: _has(r, "explore") and _has(r, "york")),
        ({"q": "7"}, lambda r: _has(r, "7")),
        ({"q": "7.5"}, lambda r: r["rate"] == 7.5),
        ({"q": "true mobile"}, lambda r: r["open"] and "Mobile" in r["note"]),
        ({"q": {"ward": "acomb"}}, lambda r: r["ward"] == "Acomb"),
        ({"q": '{"note": "stop 1"}'}, lambda r: "stop 1" in r["note"]),
        ({"q": "acomb | clifton", "plain": False}, lambda r: r["ward"] in ("Acomb", "Clifton")),
        ({"q": "!explore & (acomb | 2:*)", "plain": "false"},
         lambda r: not _has(r, "explore") and (_has(r, "acomb") or _has(r, "2"))),
        ({"full_text": "heworth"}, lambda r: r["ward"] == "Heworth"),
        ({"q": "!!!"}, lambda r: False),
    ],
)  # fmt: skip
def test_q_finds_words_anywhere_in_a_row_or_in_one_column(client, tables, params, expected):
    found = _search(client, tables, **params)
    wanted = [row for row in ROWS if expected(row)]
    assert found["records"] == wanted and found["total"] == len(wanted)


def test_a_query_string_search_reads_as_ckan_reads_it(client, tables):
    found = client.get(
        "/api/3/action/datastore_search",
        query_string={
            "resource_id": tables["table"],
            "q": "library",
            "fields": "_id,ward",
            "sort": "ward,_id desc",
            "limit": "3",
            "include_total": "false",
        },
    ).get_json()["result"]
    assert "total" not in found and found["include_total"] is False
    assert found["records"] == [
        {"_id": r["_id"], "ward": r["ward"]}
        for r in _ordered(ROWS, [("ward", False), ("_id", True)])[:3]
    ]


def test_a_large_total_is_estimated_only_when_asked(client, tables):
    exact = _search(client, tables, filters={"open": True}, total_estimation_threshold=20, limit=2)
    assert (exact["total"], exact["total_was_estimated"]) == (15, False)
    past = _search(client, tables, filters={"open": True}, total_estimation_threshold=4, limit=2)
    # past the threshold the rest of a small table is still counted, and said to be exact
    assert (past["total"], past["total_was_estimated"]) == (15, False)
    unfiltered = _search(client, tables, total_estimation_threshold=1)
    assert (unfiltered["total"], unfiltered["total_was_estimated"]) == (COUNT, False)


@pytest.mark.parametrize(
    "params, field",
    [
        ({"sort": "nothing desc"}, "sort"),
        ({"sort": "ward sideways"}, "sort"),
        ({"filters": {"nothing": 1}}, "filters"),
        ({"filters": {"visits": "many"}}, "filters"),
        ({"filters": {"_id": "first"}}, "filters"),
        ({"filters": "[1"}, "filters"),
        ({"fields": "ward,nothing"}, "fields"),
        ({"q": {"nothing": "x"}}, "q"),
        ({"q": "acomb &", "plain": False}, "q"),
        ({"q": "(acomb", "plain": False}, "q"),
        ({"limit": -1}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"offset": "-5"}, "offset"),
        ({"records_format": "xml"}, "records_format"),
        ({"fields": "ward", "distinct": True, "sort": "visits"}, "sort"),
    ],
)
def test_bad_input_is_a_validation_error_naming_the_parameter(client, tables, params, field):
    status, error = _refusal(client, "datastore_search", resource_id=tables["table"], **params)
    assert status == 409 and error["__type"] == "Validation Error"
    assert field in error, error


@pytest.mark.parametrize("action", ["datastore_search", "datastore_info"])
@pytest.mark.parametrize("which", ["draft", "pdf", "unknown"])
def test_only_a_published_table_is_found(client, tables, action, which):
    resource_id = tables.get(which, "00000000-0000-0000-0000-000000000000")
    status, error = _refusal(client, action, resource_id=resource_id)
    assert status == 404 and error["__type"] == "Not Found Error"


def test_datastore_info_describes_the_table_as_ckan_211(client, tables):
    info = client.get(
        "/api/3/action/datastore_info", query_string={"id": tables["table"]}
    ).get_json()["result"]
    assert info["meta"]["count"] == COUNT and info["meta"]["id"] == tables["table"]
    assert [field["id"] for field in info["fields"]] == NAMES[1:]
    visits = info["fields"][1]
    assert visits["info"] == {"label": "Visits", "notes": "Through the door"}
    assert visits["schema"]["native_type"] == "bigint" and visits["schema"]["is_index"] is True
    bare = client.post(
        "/api/3/action/datastore_info",
        json={"resource_id": tables["table"], "include_meta": False, "include_fields_schema": "f"},
    ).get_json()["result"]
    assert "meta" not in bare and "schema" not in bare["fields"][0]


def test_resources_say_which_have_a_table_in_the_datastore(client, tables):
    package = client.get(
        "/api/3/action/package_show", query_string={"id": "library-visits"}
    ).get_json()["result"]
    active = {r["id"]: r["datastore_active"] for r in package["resources"]}
    assert active == {tables["table"]: True, tables["pdf"]: False}
    found = client.get(
        "/api/3/action/package_search", query_string={"q": "library visits"}
    ).get_json()["result"]["results"]
    assert [r["datastore_active"] for p in found for r in p["resources"]] == [True, False]
    resource = client.get(
        "/api/3/action/resource_show", query_string={"id": tables["table"]}
    ).get_json()["result"]
    assert resource["datastore_active"] is True
