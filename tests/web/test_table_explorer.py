"""The table explorer: a resident finds one supplier's payment among 306 rows, pages, sorts,
filters by a value list, chooses columns, and takes away exactly that view as a file or code."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from catalog.publishing.workflow import release_without_review
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
