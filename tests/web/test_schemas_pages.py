"""Browsing the council's data schemas, and the data dictionary they give each file."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest
from frictionless import Resource, Schema

from catalog.publishing.resources import Upload, resource_create
from catalog.publishing.workflow import release_without_review
from catalog.tables.schemas import SCHEMAS, list_schemas, load_schema
from tests.api.test_feeds import SITEMAP
from tests.conftest import ACTOR
from tests.pages import (
    find_link,
    heading,
    lede,
    link_to,
    main,
    parse_page,
    summary_list,
    table,
    table_rows,
    text_of,
)

REGISTRY = sorted(path.stem for path in SCHEMAS.glob("*.json"))
SPEND_ROW = (
    "body_name,body,date,transaction_number,net_amount,irrecoverable_vat,supplier_name,"
    "supplier_id,expense_type,expense_area,purpose,merchant_category\r\n"
    'City of York Council,E06000014,2024-04-03,T1,"£1,234.56",,Acme Ltd,01234567,'
    "Repairs,Housing,Boiler repair,\r\n"
)


@pytest.mark.parametrize("name", REGISTRY)
def test_every_schema_is_valid_frictionless_with_titles_for_people(name):
    descriptor = json.loads((SCHEMAS / f"{name}.json").read_text(encoding="utf-8"))
    Schema.from_descriptor(descriptor)
    assert list(Schema.metadata_validate(descriptor)) == []
    assert descriptor["name"] == name and descriptor["title"] and descriptor["description"]
    assert all(field.get("title") and field.get("description") for field in descriptor["fields"])


def test_spend_schema_accepts_pounds_with_commas_and_rejects_a_wrong_ons_code():
    schema = Schema.from_descriptor(load_schema("spend-over-500"))
    good = Resource(SPEND_ROW.encode(), format="csv", schema=schema)
    assert good.validate().valid
    assert float(good.read_rows()[0]["net_amount"]) == 1234.56
    bad = Resource(SPEND_ROW.replace("E06000014", "York").encode(), format="csv", schema=schema)
    assert bad.validate().flatten(["type", "fieldName"]) == [["constraint-error", "body"]]


def test_the_list_shows_every_schema_with_its_column_count(client):
    response = client.get("/schemas")
    assert response.status_code == 200
    listed = table(parse_page(response), "schemas")
    rows = {cells[0]: cells for cells in table_rows(listed)}
    for schema in list_schemas():
        assert find_link(listed, schema.title)["href"] == f"/schemas/{schema.name}"
        assert rows[schema.title][2] == str(schema.field_count)
    assert "Spend over £500" in rows and "Procurement card transactions" in rows


def _dictionary(page, caption: str) -> dict[str, list[str]]:
    """A data dictionary's rows by column name: (column, type, rules, description)."""
    rows = table_rows(table(page, caption))
    return {cells[0].rsplit(" ", 1)[-1]: cells for cells in rows}


def _dictionary_links(page) -> list[str]:
    """Where the links in a resource page's data dictionary section go."""
    found = []
    for part in page.find("h2", id="data-dictionary").find_next_siblings():
        found += [a["href"] for a in part.find_all("a", href=True)]
        if part.find("table"):
            return found
    raise AssertionError("the data dictionary has no table")


def test_a_schema_page_explains_each_column_in_plain_english(client):
    page = parse_page(client.get("/schemas/kpi-observations"))
    assert heading(page) == "KPI observations"
    columns = _dictionary(page, "columns a file must have")
    assert columns["period_start"][0] == "Period start period_start"
    assert columns["period_start"][1] == "Date date"
    assert "One of: provisional, final, revised" in columns["status"][2]
    assert "Required" in columns["indicator"][2]
    assert columns["value"][1].startswith("Number")
    about = summary_list(page)
    key = main(page).find("dt", string="Each row is identified by").find_next("dd")
    assert [text_of(code) for code in key("code")][:2] == ["indicator", "period"]
    assert about["Each row is identified by"].startswith("indicator, period")
    assert "An empty cell" in about["Treated as no value"]
    assert link_to(page, "/schemas/kpi-observations.json")


def test_the_spend_schema_page_says_amounts_may_carry_pound_signs(client):
    page = parse_page(client.get("/schemas/spend-over-500"))
    columns = _dictionary(page, "columns a file must have")
    assert columns["net_amount"][0] == "Net amount net_amount"
    assert "may include £ or %, thousands may be separated by ','" in columns["net_amount"][1]
    assert "Must match the pattern E(0[6-9]|10)[0-9]{6}" in columns["body"][2]
    assert summary_list(page)["Each row is identified by"] == "No single column or set of columns"


def test_the_schema_json_downloads_for_any_site_to_use(client):
    response = client.get("/schemas/spend-over-500.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.json == load_schema("spend-over-500")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    again = client.get(
        "/schemas/spend-over-500.json", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304


@pytest.mark.parametrize("url", ["/schemas/no-such-schema", "/schemas/no-such-schema.json"])
def test_an_unknown_schema_is_not_found(client, url):
    response = client.get(url)
    assert response.status_code == 404
    if response.mimetype == "text/html":
        assert lede(parse_page(response)) == "There is no schema called 'no-such-schema'."
    else:
        assert "There is no schema called 'no-such-schema'." in response.text


def test_schemas_are_linked_from_every_page_and_listed_in_the_sitemap(client):
    footer = parse_page(client.get("/")).find("footer")
    assert find_link(footer, "Data schemas")["href"] == "/schemas"
    sitemap = ET.fromstring(client.get("/sitemap.xml").data)
    paths = {urlsplit(loc.text).path for loc in sitemap.iter(f"{SITEMAP}loc")}
    assert {"/schemas", "/schemas/spend-over-500"} <= paths


def test_the_resource_page_is_a_data_dictionary(client, catalogue):
    dataset = catalogue.dataset(
        "ward-profiles", files={"wards.csv": b"Ward,Population,Surveyed\r\nAcomb,10674,true\r\n"}
    )
    page = parse_page(client.get(f"/datasets/ward-profiles/resources/{dataset.resources[0].id}"))
    assert page.find("h2", id="data-dictionary").get_text() == "Data dictionary"
    columns = _dictionary(page, "columns in this file holds")
    assert columns["Population"][0] == "Population Population"
    assert [columns[name][1].split()[0] for name in ("Population", "Surveyed", "Ward")] == [
        "Whole",
        "Yes",
        "Text",
    ]
    assert columns["Population"][1].startswith("Whole number")
    assert columns["Surveyed"][1].startswith("Yes or no")
    assert not any("/schemas/" in href for href in _dictionary_links(page))


def test_a_file_to_a_registry_schema_links_to_it_with_its_rules(client, catalogue):
    dataset = catalogue.dataset("spend-2024-q1", publish=False)
    resource_create(
        catalogue.session,
        store=catalogue.store,
        actor=ACTOR,
        dataset=dataset,
        title="Spend April to June 2024",
        upload=Upload(stream=io.BytesIO(SPEND_ROW.encode()), filename="spend.csv"),
        table_schema=load_schema("spend-over-500"),
    )
    release_without_review(catalogue.session, actor=ACTOR, dataset=dataset, source="test")
    page = parse_page(client.get(f"/datasets/spend-2024-q1/resources/{dataset.resources[0].id}"))
    follows = page.find("h2", id="data-dictionary").find_next("p")
    assert text_of(follows) == "This file follows the Spend over £500 schema."
    assert find_link(follows, "Spend over £500 schema")["href"] == "/schemas/spend-over-500"
    columns = _dictionary(page, "columns in this file holds")
    assert columns["supplier_name"][0] == "Beneficiary or supplier name supplier_name"
    assert "Must match the pattern" in columns["body"][2]
