"""`datapackage.json`: a dataset that Frictionless tools can fetch, verify and validate."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import timedelta
from urllib.parse import urlsplit

from frictionless import Package, validate

from catalog.clock import utcnow
from catalog.publishing.resources import Upload, version_add
from catalog.publishing.workflow import dataset_withdraw
from tests.conftest import ACTOR
from tests.pages import find_link, parse_page

WARDS = b"Ward,Population\r\nAcomb,10674\r\nClifton,13481\r\n"
SPEND = "Date;Supplier;Amount\r\n2024-04-03;Café Nero;12.50\r\n".encode("cp1252")
NOTES = b"%PDF-1.4 not really a PDF"


def test_a_published_dataset_is_a_valid_data_package(client, catalogue, tmp_path):
    catalogue.dataset(
        "ward-profiles",
        title="Ward profiles",
        description="Population of each ward.",
        files={"wards.csv": WARDS, "card-spend.csv": SPEND, "notes.pdf": NOTES},
    )
    response = client.get("/datasets/ward-profiles/datapackage.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    package = response.json
    assert package["name"] == "ward-profiles" and package["title"] == "Ward profiles"
    assert package["homepage"].endswith("/datasets/ward-profiles")
    assert package["licenses"][0]["title"] == "Open Government Licence v3.0"
    assert "open-government-licence/version/3" in package["licenses"][0]["path"]
    assert [r["name"] for r in package["resources"]] == ["wards-csv", "card-spend-csv", "notes-pdf"]

    for resource in package["resources"]:
        download = client.get(urlsplit(resource["path"]).path)
        assert download.status_code == 200
        assert resource["hash"] == f"sha256:{hashlib.sha256(download.data).hexdigest()}"
        assert resource["bytes"] == len(download.data)
        local = resource["path"].rsplit("/", 1)[1]
        (tmp_path / local).write_bytes(download.data)
        resource["path"] = local
    (tmp_path / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")

    report = validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note"])
    wards, spend, _ = Package(str(tmp_path / "datapackage.json")).resources
    assert [row["Population"] for row in wards.read_rows()] == [10674, 13481]
    assert spend.read_rows()[0]["Supplier"] == "Café Nero"


def test_tabular_files_carry_their_columns_and_encoding(client, catalogue):
    catalogue.dataset("card-spend", files={"card-spend.csv": SPEND, "notes.pdf": NOTES})
    spend, notes = client.get("/datasets/card-spend/datapackage.json").json["resources"]
    assert spend["format"] == "csv" and spend["mediatype"] == "text/csv"
    assert spend["encoding"] == "windows-1252"
    assert spend["dialect"] == {"delimiter": ";"}
    assert [field["name"] for field in spend["schema"]["fields"]] == ["Date", "Supplier", "Amount"]
    assert notes["mediatype"] == "application/pdf"
    assert "schema" not in notes and "encoding" not in notes


def test_the_dataset_page_links_to_its_data_package(client, catalogue):
    catalogue.dataset("ward-profiles", files={"wards.csv": WARDS})
    page = parse_page(client.get("/datasets/ward-profiles"))
    link = find_link(page, "Data package (JSON)")
    assert link["href"] == "/datasets/ward-profiles/datapackage.json"


def test_a_draft_or_embargoed_dataset_has_no_data_package(client, catalogue):
    catalogue.dataset("draft-budget", files={"budget.csv": WARDS}, publish=False)
    embargoed = utcnow() + timedelta(days=1)
    catalogue.dataset("embargoed-budget", files={"budget.csv": WARDS}, publish=embargoed)
    assert client.get("/datasets/draft-budget/datapackage.json").status_code == 404
    assert client.get("/datasets/embargoed-budget/datapackage.json").status_code == 404


def test_a_withdrawn_dataset_says_so(client, catalogue):
    dataset = catalogue.dataset("old-budget", files={"budget.csv": WARDS})
    dataset_withdraw(catalogue.session, actor=ACTOR, dataset=dataset, reason="Superseded.")
    assert client.get("/datasets/old-budget/datapackage.json").status_code == 410


def test_an_embargoed_new_version_is_not_listed_until_its_release(client, catalogue):
    dataset = catalogue.dataset("ward-profiles", files={"wards.csv": WARDS})
    corrected = WARDS.replace(b"10674", b"10675")
    version_add(
        catalogue.session,
        store=catalogue.store,
        actor=ACTOR,
        resource=dataset.resources[0],
        upload=Upload(stream=io.BytesIO(corrected), filename="wards.csv"),
        release_at=utcnow() + timedelta(days=1),
    )
    (resource,) = client.get("/datasets/ward-profiles/datapackage.json").json["resources"]
    assert resource["path"].endswith("/versions/1/download/wards.csv")
    assert resource["hash"] == f"sha256:{hashlib.sha256(WARDS).hexdigest()}"
