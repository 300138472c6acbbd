"""The table explorer: a resident finds one supplier's payment among 306 rows, pages, sorts,
filters by a value list, chooses columns, and takes away exactly that view as a file or code."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from openpyxl import load_workbook

from catalog.publishing.workflow import release_without_review
from catalog.tables import exports
from tests.conftest import ACTOR
from tests.pages import (
    attribute,
    element,
    find_link,
    heading,
    main,
    parse_page,
    table_headings,
    table_rows,
    text_of,
    texts,
)

AREAS = ["Highways", "Housing", "Adult Social Care", "Waste"]
SCHEMA = {
    "fields": [
        {"name": "body_name", "type": "string", "title": "Body name"},
        {"name": "date", "type": "date"},
        {"name": "transaction_number", "type": "string", "title": "Transaction number"},
        {"name": "supplier_name", "type": "string", "title": "Supplier name"},
        {"name": "expense_area", "type": "string"},
        {"name": "net_amount", "type": "number", "bareNumber": False, "groupChar": ","},
    ],
    "missingValues": [""],
}


def _spending() -> bytes:
    lines = ["body_name,date,transaction_number,supplier_name,expense_area,net_amount"]
    for n in range(1, 307):
        supplier = "Minster Surfacing Ltd" if n == 250 else f"Supplier {n:03d} Ltd"
        amount = "1291.0" if n == 250 else f"{n * 10.5}"
        day = date(2026, 7, 1) + timedelta(days=n % 90)
        area = AREAS[n % 4]
        lines.append(f"City of York Council,{day},T{n:05d},{supplier},{area},{amount}")
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture(scope="module")
def spending(shared_catalogue):
    dataset = shared_catalogue.dataset("spend-over-500", title="Spend over £500", publish=False)
    resource = shared_catalogue.add_file(
        dataset,
        "spend-2026-q3.csv",
        _spending(),
        title="Spend July to September 2026",
        table_schema=SCHEMA,
    )
    release_without_review(shared_catalogue.session, actor=ACTOR, dataset=dataset, source="test")
    shared_catalogue.saved()
    return resource


@pytest.fixture(scope="module")
def client(shared_app):
    return shared_app.test_client()


def _explore(spending) -> str:
    return f"/datasets/spend-over-500/resources/{spending.id}/explore"


def _rows(response) -> list[list[str]]:
    return table_rows(element(main(parse_page(response)), "#rows ~ div table"))


def test_a_resident_finds_a_suppliers_payment_in_three_actions(client, spending):
    dataset_page = main(parse_page(client.get("/datasets/spend-over-500")))
    explore = attribute(find_link(dataset_page, "Explore"), "href")  # 1: Explore
    page = parse_page(client.get(explore))
    box = element(page, "input[name=supplier_name__contains]")  # 2: type the supplier
    assert text_of(element(page, f"label[for={attribute(box, 'id')}]")) == "Supplier name contains"
    answer = client.get(explore, query_string={box["name"]: "minster"}, follow_redirects=True)  # 3
    assert answer.status_code == 200
    doc = main(parse_page(answer))
    assert heading(parse_page(answer)) == "Explore Spend July to September 2026"
    assert text_of(element(doc, "#rows")) == "Rows 1 to 1 of 1"
    headings = table_headings(element(doc, "#rows ~ div table"))
    assert headings[-1] == "Net amount" and headings[1] == "Date"
    assert _rows(answer) == [
        [
            "City of York Council",
            "9 September 2026",
            "T00250",
            "Minster Surfacing Ltd",
            "Adult Social Care",
            "£1,291.00",
        ]
    ]


def _go(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response


def _link(response, text: str) -> str:
    return attribute(find_link(main(parse_page(response)), text), "href")


def test_pages_reach_the_last_row_and_come_back(client, spending):
    page = _go(client, _explore(spending))
    assert text_of(element(main(parse_page(page)), "#rows")) == "Rows 1 to 100 of 306"
    seen = [row[2] for row in _rows(page)]
    ranges = []
    while "_next" in (next_url := _link(page, "Next")) and len(ranges) < 3:
        page = _go(client, next_url)
        ranges.append(text_of(element(main(parse_page(page)), "#rows")))
        seen += [row[2] for row in _rows(page)]
        if len(seen) == 306:
            break
    assert ranges == ["Rows 101 to 200 of 306", "Rows 201 to 300 of 306", "Rows 301 to 306 of 306"]
    assert seen == [f"T{n:05d}" for n in range(1, 307)]
    back = _go(client, _link(page, "Previous"))
    assert text_of(element(main(parse_page(back)), "#rows")) == "Rows 201 to 300 of 306"
    first = _go(client, _link(_go(client, _link(back, "Previous")), "Previous"))
    assert text_of(element(main(parse_page(first)), "#rows")) == "Rows 1 to 100 of 306"
    assert not main(parse_page(first)).find("a", rel="prev")


def test_headings_sort_and_pages_keep_the_sort(client, spending):
    page = _go(client, _explore(spending))
    grid = element(main(parse_page(page)), "#rows ~ div table")
    amount = grid.find_all("th")[-1]
    assert attribute(amount, "aria-sort") == "none"
    largest = _go(client, _go_link_in(amount, client, "Net amount"))
    header = element(main(parse_page(largest)), "#rows ~ div table").find_all("th")[-1]
    assert attribute(header, "aria-sort") == "descending"
    assert _rows(largest)[0][-1] == "£3,213.00"
    second = _go(client, _link(largest, "Next"))
    assert _rows(second)[0][-1] == "£2,152.50"  # row 205 is the 101st largest
    assert text_of(element(main(parse_page(second)), "#rows")) == "Rows 101 to 200 of 306"
    back = _go(client, _link(second, "Previous"))
    assert _rows(back) == _rows(largest)


def _go_link_in(scope, client, text: str) -> str:
    """Sort smallest first, then follow the heading again for largest first."""
    smallest = _go(client, attribute(find_link(scope, text), "href"))
    grid = element(main(parse_page(smallest)), "#rows ~ div table")
    assert attribute(grid.find_all("th")[-1], "aria-sort") == "ascending"
    assert _rows(smallest)[0][-1] == "£10.50"
    return attribute(find_link(grid.find_all("th")[-1], text), "href")


def test_a_value_list_counts_rows_and_filters_by_a_choice(client, spending):
    page = main(parse_page(_go(client, _explore(spending))))
    lists = {text_of(item.find("summary")): item for item in page.select("details.app-value-list")}
    assert set(lists) == {"Expense area"}  # a column of one value offers no choice
    choices = texts(lists["Expense area"], "li")
    assert choices == [
        "Adult Social Care (77 rows)",
        "Housing (77 rows)",
        "Highways (76 rows)",
        "Waste (76 rows)",
    ]
    housing = _go(client, attribute(find_link(lists["Expense area"], "Housing"), "href"))
    doc = main(parse_page(housing))
    assert text_of(element(doc, "#rows")) == "Rows 1 to 77 of 77"
    assert {row[4] for row in _rows(housing)} == {"Housing"}
    assert _filters_in_use(doc) == ['Expense area is "Housing"']


def _filters_in_use(doc) -> list[str]:
    return [str(item.contents[0]).strip() for item in doc.select("#filters-in-use li")]


def test_choosing_columns_shows_only_those(client, spending):
    page = parse_page(_go(client, _explore(spending)))
    boxes = main(page).select("input[name=_col]")
    assert len(boxes) == 6 and all(box.has_attr("checked") for box in boxes)
    chosen = client.get(_explore(spending), query_string={"_col": ["supplier_name", "net_amount"]})
    grid = element(main(parse_page(chosen)), "#rows ~ div table")
    assert table_headings(grid) == ["Supplier name", "Net amount"]
    every = client.get(_explore(spending), query_string={"_col": [b["value"] for b in boxes]})
    assert every.status_code == 302 and every.location.endswith("/explore")


def test_a_new_filter_row_becomes_the_data_apis_query(client, spending):
    asked = {
        "_filter_column": "net_amount",
        "_filter_op": "gte",
        "_filter_value": "3000",
        "supplier_name__contains": "",
    }
    response = client.get(_explore(spending), query_string=asked)
    assert response.status_code == 302
    assert response.location.endswith("/explore?net_amount__gte=3000")
    shown = _go(client, response.location)
    doc = main(parse_page(shown))
    assert _filters_in_use(doc) == ['Net amount is at least "3000"']
    assert [row[-1] for row in _rows(shown)][:2] == ["£3,003.00", "£3,013.50"]
    assert text_of(element(doc, "#rows")) == "Rows 1 to 21 of 21"


def test_downloads_and_the_api_address_give_exactly_the_view(client, spending):
    view = {"expense_area": "Waste", "net_amount__lt": "1000", "_sort_desc": "net_amount"}
    view["_col"] = "transaction_number,net_amount"
    page = _go(client, _explore(spending) + "?" + "&".join(f"{k}={v}" for k, v in view.items()))
    shown = _rows(page)
    assert shown[0] == ["T00095", "£997.50"] and len(shown) == 24
    doc = main(parse_page(page))
    downloads = {
        text_of(a).split(" ")[0]: attribute(a, "href") for a in doc.select("#view-downloads a")
    }
    raw = [[row[0], float(row[1][1:].replace(",", ""))] for row in shown]
    csv_lines = client.get(downloads["CSV"]).text.splitlines()
    assert csv_lines[0] == "transaction_number,net_amount"
    assert [line.split(",") for line in csv_lines[1:]] == [[t, repr(a)] for t, a in raw]
    as_json = json.loads(client.get(downloads["JSON"]).data)
    assert [[item["transaction_number"], item["net_amount"]] for item in as_json] == raw
    workbook = load_workbook(io.BytesIO(client.get(downloads["Excel"]).data), read_only=True)
    cells = [list(row) for row in workbook.active.iter_rows(values_only=True)]
    assert cells == [["transaction_number", "net_amount"], *raw]
    api = text_of(element(doc, "#api-address"))
    api_rows = client.get(urlsplit(api).path + "?" + urlsplit(api).query).get_json()["rows"]
    assert [[item["transaction_number"], item["net_amount"]] for item in api_rows] == raw
    snippets = {
        text_of(d.find("summary")): text_of(d.find("pre")) for d in doc.select(".app-snippet")
    }
    assert snippets["curl"] == f"curl '{api}'"
    assert api in snippets["Python (requests)"] and downloads["CSV"] in snippets["R (readr)"]
    assert downloads["CSV"] in snippets["Python (pandas)"] and api in snippets["R (jsonlite)"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("net_amount__gt=lots", "net_amount__gt must be a number"),
        ("date=yesterday", "date must be a date"),
        ("_sort=nothing", "Unknown column 'nothing' in _sort"),
        ("_next=garbage", "_next is not a token this API gave out."),
    ],
)
def test_a_bad_filter_is_explained_on_the_page(client, spending, query, message):
    response = client.get(f"{_explore(spending)}?{query}")
    assert response.status_code == 400
    doc = parse_page(response)
    assert message in text_of(element(doc, ".govuk-error-summary"))
    assert element(doc, "form#filter-rows")


def test_other_datasets_and_unknown_files_have_no_explorer(client, spending):
    assert client.get(f"/datasets/another/resources/{spending.id}/explore").status_code == 404
    assert client.get("/datasets/spend-over-500/resources/nothing/explore").status_code == 404


def test_a_view_larger_than_an_excel_sheet_is_refused_as_xlsx(client, spending, monkeypatch):
    monkeypatch.setattr(exports, "EXCEL_ROWS", 50)
    too_many = client.get(f"/api/data/{spending.id}.xlsx?expense_area=Housing")
    assert too_many.status_code == 400
    assert "An Excel sheet holds at most 49 rows" in too_many.get_json()["error"]["message"]
    fits = client.get(f"/api/data/{spending.id}.xlsx?expense_area=Housing&net_amount__lt=500")
    assert fits.status_code == 200
    rows = list(load_workbook(io.BytesIO(fits.data), read_only=True).active.values)
    assert len(rows) == 1 + 12  # rows 1, 5, ... 45 are under £500
