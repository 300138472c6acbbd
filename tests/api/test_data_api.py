"""The data API as a developer uses it: JSON pages with next links, exports, caching, errors."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.catalog.tables.test_data_query import add_version, spending_csv
from tests.pages import find_link, parse_page, table, table_headings, table_rows, text_of, texts


@pytest.fixture
def spending(catalogue):
    dataset = catalogue.dataset("spending", files={"spend.csv": spending_csv()})
    return dataset.resources[0]


def test_a_page_of_rows_links_to_the_next(client, spending):
    response = client.get(f"/api/data/{spending.id}?ward=Acomb&_sort_desc=amount&_size=10")
    assert response.status_code == 200
    body = response.get_json()
    assert body["resource"]["id"] == spending.id
    assert body["resource"]["dataset"] == "spending" and body["resource"]["version"] == 1
    assert body["resource"]["version_url"].endswith(f"/resources/{spending.id}/versions/1")
    assert {"name": "amount", "type": "integer"} in body["columns"]
    assert len(body["rows"]) == 10 and body["rows"][0]["ward"] == "Acomb"
    assert (body["total"], body["total_is_exact"]) == (75, True)
    assert body["next_url"].startswith("http") and "ward=Acomb" in body["next_url"]
    assert response.headers["Link"] == f'<{body["next_url"]}>; rel="next"'
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Cache-Control"] == "public, max-age=60"


def test_following_next_url_reaches_every_row_once(client, spending):
    url, seen = f"/api/data/{spending.id}?_sort=paid_on&_size=40&_shape=arrays", []
    while url:
        body = client.get(url).get_json()
        seen += [row[0] for row in body["rows"]]
        url = body["next_url"]
    assert sorted(seen) == list(range(1, 301))
    assert client.get(f"/api/data/{spending.id}?_col=id&_size=1").get_json()["rows"] == [{"id": 1}]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("colour=red", "colour"),
        ("ward__like=A", "ward__like"),
        ("amount__gt=lots", "amount__gt"),
        ("_size=100000", "_size"),
        ("_next=abc", "_next"),
        ("_sort=colour", "_sort"),
        ("version=two", "version"),
    ],
)
def test_bad_parameters_are_a_400_naming_them(client, spending, query, field):
    response = client.get(f"/api/data/{spending.id}?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == field


@pytest.mark.parametrize("value", ["' OR 1=1 --", "; DROP TABLE resource", "1 UNION SELECT 1"])
def test_injection_looking_values_match_nothing(client, spending, value):
    body = client.get(f"/api/data/{spending.id}", query_string={"ward": value}).get_json()
    assert body["rows"] == [] and body["total"] == 0
    assert client.get(f"/api/data/{spending.id}").get_json()["total"] == 300


def test_what_is_not_public_is_a_404(client, catalogue):
    draft = catalogue.dataset("draft", files={"a.csv": b"a\n1\n"}, publish=False)
    report = catalogue.dataset("report", files={"r.pdf": b"%PDF-1.4 nothing"})
    for resource in (draft.resources[0], report.resources[0]):
        response = client.get(f"/api/data/{resource.id}")
        assert response.status_code == 404
        assert response.get_json()["error"]["message"]


def test_an_older_version_by_number(client, catalogue, spending):
    add_version(catalogue, spending, spending_csv(10))
    assert client.get(f"/api/data/{spending.id}").get_json()["total"] == 10
    older = client.get(f"/api/data/{spending.id}?version=1&_size=5").get_json()
    assert older["total"] == 300 and older["resource"]["version"] == 1
    assert "version=1" in older["next_url"]
    assert client.get(f"/api/data/{spending.id}?version=3").status_code == 404


def test_a_version_still_loading_does_not_replace_the_served_one(client, catalogue, spending):
    newer = add_version(catalogue, spending, spending_csv(10))
    newer.data_table.status = "loading"
    catalogue.session.commit()
    assert client.get(f"/api/data/{spending.id}").get_json()["resource"]["version"] == 1


def test_csv_export_is_complete_and_safe(client, spending):
    response = client.get(f"/api/data/{spending.id}.csv?_sort_desc=id")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    assert disposition == f'attachment; filename="spending-{spending.id}-v1.csv"'
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["id", "ward", "amount", "paid_on", "approved", "note"]
    assert len(rows) == 301 and rows[1][0] == "300"
    assert rows[-5][5] == "'=HYPERLINK(1)"
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_json_and_ndjson_exports_have_every_matching_row(client, spending):
    as_json = client.get(f"/api/data/{spending.id}.json?ward=Clifton&_size=1")
    assert as_json.headers["Content-Type"] == "application/json"
    rows = json.loads(as_json.get_data(as_text=True))
    assert len(rows) == 75 and rows[0]["ward"] == "Clifton"
    lines = client.get(f"/api/data/{spending.id}.ndjson?_shape=arrays").get_data(as_text=True)
    assert [json.loads(line)[0] for line in lines.splitlines()] == list(range(1, 301))
    empty = client.get(f"/api/data/{spending.id}.json?ward=Nowhere").get_data(as_text=True)
    assert json.loads(empty) == []


def test_etag_answers_304_when_unchanged(client, spending):
    first = client.get(f"/api/data/{spending.id}?ward=Acomb")
    etag = first.headers["ETag"]
    again = client.get(f"/api/data/{spending.id}?ward=Acomb", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["ETag"] == etag
    other = client.get(f"/api/data/{spending.id}?ward=Clifton", headers={"If-None-Match": etag})
    assert other.status_code == 200
    export = client.get(f"/api/data/{spending.id}.csv?ward=Acomb", headers={"If-None-Match": etag})
    assert export.status_code == 200


def _heading(found, name: str):
    """The column heading cell called `name` in a table."""
    (cell,) = [th for th in found.select("thead th") if text_of(th) == name]
    return cell


def test_the_resource_page_preview_sorts_by_links(client, spending):
    url = f"/datasets/spending/resources/{spending.id}"
    page = parse_page(client.get(url))
    preview = table(page, "First 100 rows of spend.csv (the file has 300 rows)")
    amount = _heading(preview, "amount")
    assert find_link(amount, "amount")["href"] == "?sort=amount#preview"
    intro = page.find("h2", id="preview").find_next("p")
    assert find_link(intro, "CSV")["href"].endswith(f"/api/data/{spending.id}.csv")
    assert find_link(intro, "JSON")["href"].endswith(f"/api/data/{spending.id}.json")
    ascending = table(parse_page(client.get(f"{url}?sort=amount")), "sorted by amount")
    amount = _heading(ascending, "amount")
    assert amount["aria-sort"] == "ascending"
    assert find_link(amount, "amount")["href"] == "?sort=-amount#preview"
    assert "sorted by amount, smallest first" in text_of(ascending.caption)
    descending = table(parse_page(client.get(f"{url}?sort=-amount")), "sorted by amount")
    assert _heading(descending, "amount")["aria-sort"] == "descending"
    column = table_headings(descending).index("amount")
    assert table_rows(descending)[0][column] == "490"
    assert client.get(f"{url}?sort=colour").status_code == 400


def test_a_page_without_a_loaded_table_still_shows(client, catalogue, spending):
    spending.versions[0].data_table.status = "failed"
    catalogue.session.commit()
    page = client.get(f"/datasets/spending/resources/{spending.id}")
    shown = parse_page(page)
    assert page.status_code == 200 and "Preview" not in texts(shown, "h2")
    assert shown.find(id="preview") is None
