"""Browsing the council's data schemas, and the data dictionary they give each file."""

from __future__ import annotations

import io
import json

import pytest
from frictionless import Resource, Schema

from catalog.publishing.resources import Upload, resource_create
from catalog.publishing.workflow import release_without_review
from catalog.tables.schemas import SCHEMAS, list_schemas, load_schema
from tests.conftest import ACTOR

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
    for schema in list_schemas():
        assert f'href="/schemas/{schema.name}"' in response.text
        assert schema.title in response.text
    assert "Spend over £500" in response.text
    assert "Procurement card transactions" in response.text


def test_a_schema_page_explains_each_column_in_plain_english(client):
    page = client.get("/schemas/kpi-observations").text
    assert '<h1 class="govuk-heading-xl">KPI observations</h1>' in page
    assert '<th scope="row" class="govuk-table__header">Period start<br>' in page
    assert "One of: provisional, final, revised" in page
    assert "Required" in page and "Date" in page and "Number" in page
    assert "<code>indicator</code>, <code>period</code>" in page
    assert "An empty cell" in page
    assert 'href="/schemas/kpi-observations.json"' in page


def test_the_spend_schema_page_says_amounts_may_carry_pound_signs(client):
    page = client.get("/schemas/spend-over-500").text
    assert "Net amount" in page
    assert "may include £ or %, thousands may be separated by &#39;,&#39;" in page
    assert "Must match the pattern E(0[6-9]|10)[0-9]{6}" in page
    assert "No single column or set of columns" in page


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
    assert "There is no schema called &#39;no-such-schema&#39;." in response.text


def test_schemas_are_linked_from_every_page_and_listed_in_the_sitemap(client):
    assert 'href="/schemas"' in client.get("/").text
    sitemap = client.get("/sitemap.xml").text
    assert "/schemas</loc>" in sitemap
    assert "/schemas/spend-over-500</loc>" in sitemap


def test_the_resource_page_is_a_data_dictionary(client, catalogue):
    dataset = catalogue.dataset(
        "ward-profiles", files={"wards.csv": b"Ward,Population,Surveyed\r\nAcomb,10674,true\r\n"}
    )
    page = client.get(f"/datasets/ward-profiles/resources/{dataset.resources[0].id}").text
    assert "Data dictionary" in page
    assert '<th scope="row" class="govuk-table__header">Population<br><code' in page
    assert "Whole number" in page and "Yes or no" in page and "Text" in page
    assert "/schemas/" not in page.split("Data dictionary")[1].split("</table>")[0]


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
    page = client.get(f"/datasets/spend-2024-q1/resources/{dataset.resources[0].id}").text
    assert (
        'This file follows the <a class="govuk-link" href="/schemas/spend-over-500">'
        "Spend over £500 schema</a>"
    ) in page
    assert "Beneficiary or supplier name" in page
    assert "Must match the pattern" in page
