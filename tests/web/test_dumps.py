"""Bulk dumps: the whole public catalogue as JSON Lines and as a zip of Data Packages.

A dump is remade whenever it could differ from what is public, so these tests only move the
clock or change the catalogue through the services, and never remake a dump by hand.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
import zipfile
from datetime import timedelta
from urllib.parse import urlsplit

from catalog.clock import frozen_at, utcnow
from catalog.distribution.dumps import manifest_read
from catalog.publishing.resources import Upload, version_add
from catalog.publishing.workflow import dataset_submit, dataset_withdraw
from tests.conftest import ACTOR
from tests.pages import find_link, parse_page, table, table_rows

WARDS = b"Ward,Population\r\nAcomb,10674\r\nClifton,13481\r\n"


def dumped_names(client) -> list[str]:
    response = client.get("/dumps/catalogue.jsonl")
    assert response.status_code == 200
    return sorted(json.loads(line)["name"] for line in response.text.splitlines())


def zipped_packages(client) -> dict[str, dict]:
    response = client.get("/dumps/datapackages.zip")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.data)) as packages:
        return {name.split("/")[0]: json.loads(packages.read(name)) for name in packages.namelist()}


def test_the_dump_holds_exactly_the_public_datasets(client, catalogue):
    catalogue.dataset("ward-profiles", title="Ward profiles", files={"wards.csv": WARDS})
    catalogue.dataset("draft-budget", files={"budget.csv": WARDS}, publish=False)
    in_review = catalogue.dataset("school-places", files={"places.csv": WARDS}, publish=False)
    dataset_submit(catalogue.session, actor=ACTOR, dataset=in_review)
    withdrawn = catalogue.dataset("old-budget", files={"budget.csv": WARDS})
    dataset_withdraw(catalogue.session, actor=ACTOR, dataset=withdrawn, reason="Superseded.")
    catalogue.dataset("next-budget", files={"b.csv": WARDS}, publish=utcnow() + timedelta(days=2))

    response = client.get("/dumps/catalogue.jsonl")
    assert response.mimetype == "application/x-ndjson"
    (line,) = response.text.splitlines()
    package = json.loads(line)
    shown = client.get("/api/3/action/package_show?id=ward-profiles").json["result"]
    assert package.keys() == shown.keys()
    assert package["name"] == "ward-profiles" and package["title"] == "Ward profiles"
    assert package["state"] == "active" and package["private"] is False
    (resource,) = package["resources"]
    assert resource["hash"] == f"sha256:{hashlib.sha256(WARDS).hexdigest()}"
    assert resource["url"].endswith("/download/wards.csv")
    assert list(zipped_packages(client)) == ["ward-profiles"]
    compressed = client.get("/dumps/catalogue.jsonl.gz")
    assert gzip.decompress(compressed.data).decode() == response.text


def test_an_embargoed_dataset_enters_the_dump_at_its_second(client, catalogue):
    catalogue.dataset("ward-profiles", files={"wards.csv": WARDS})
    release = utcnow() + timedelta(hours=1)
    catalogue.dataset("budget-2025", files={"budget.csv": WARDS}, publish=release)
    with frozen_at(release - timedelta(seconds=1)):
        assert dumped_names(client) == ["ward-profiles"]
        assert list(zipped_packages(client)) == ["ward-profiles"]
    with frozen_at(release):
        assert dumped_names(client) == ["budget-2025", "ward-profiles"]
        assert sorted(zipped_packages(client)) == ["budget-2025", "ward-profiles"]
    with frozen_at(release + timedelta(seconds=1)):
        assert dumped_names(client) == ["budget-2025", "ward-profiles"]


def test_a_withdrawn_dataset_leaves_the_dump_at_once(client, catalogue):
    dataset = catalogue.dataset("procurement-card", files={"card.csv": b"Amount\n12\n"})
    catalogue.dataset("ward-profiles", files={"wards.csv": WARDS})
    with frozen_at(utcnow()):
        assert dumped_names(client) == ["procurement-card", "ward-profiles"]
        # In the very second the dump was made.
        dataset_withdraw(catalogue.session, actor=ACTOR, dataset=dataset, reason="Personal data.")
        assert dumped_names(client) == ["ward-profiles"]
        assert list(zipped_packages(client)) == ["ward-profiles"]


def test_an_embargoed_new_version_is_not_in_the_zip_until_its_release(client, catalogue):
    dataset = catalogue.dataset("ward-profiles", files={"wards.csv": WARDS})
    corrected = WARDS.replace(b"10674", b"10675")
    release = utcnow() + timedelta(hours=1)
    version_add(
        catalogue.session,
        store=catalogue.store,
        actor=ACTOR,
        resource=dataset.resources[0],
        upload=Upload(stream=io.BytesIO(corrected), filename="wards.csv"),
        release_at=release,
    )
    with frozen_at(release - timedelta(seconds=1)):
        (resource,) = zipped_packages(client)["ward-profiles"]["resources"]
        assert resource["path"].endswith("/versions/1/download/wards.csv")
        assert resource["hash"] == f"sha256:{hashlib.sha256(WARDS).hexdigest()}"
        (line,) = client.get("/dumps/catalogue.jsonl").text.splitlines()
        assert json.loads(line)["resources"][0]["size"] == len(WARDS)
    with frozen_at(release):
        (resource,) = zipped_packages(client)["ward-profiles"]["resources"]
        assert resource["path"].endswith("/versions/2/download/wards.csv")
        assert resource["hash"] == f"sha256:{hashlib.sha256(corrected).hexdigest()}"


def test_each_data_package_in_the_zip_verifies_against_its_files(client, catalogue):
    catalogue.dataset(
        "ward-profiles",
        files={"wards.csv": WARDS, "notes.pdf": b"%PDF-1.4 not really a PDF"},
    )
    catalogue.dataset("school-places", files={"places.csv": b"School,Places\nFishergate,210\n"})
    packages = zipped_packages(client)
    assert sorted(packages) == ["school-places", "ward-profiles"]
    for name, package in packages.items():
        assert package["name"] == name
        assert package["homepage"].endswith(f"/datasets/{name}")
        for resource in package["resources"]:
            assert resource["path"].startswith("http")
            download = client.get(urlsplit(resource["path"]).path)
            assert download.status_code == 200
            assert resource["hash"] == f"sha256:{hashlib.sha256(download.data).hexdigest()}"
            assert resource["bytes"] == len(download.data)


def test_dumps_are_cacheable_downloads_with_etags(client, catalogue):
    catalogue.dataset("ward-profiles", files={"wards.csv": WARDS})
    for url in ["/dumps/catalogue.jsonl", "/dumps/catalogue.jsonl.gz", "/dumps/datapackages.zip"]:
        response = client.get(url)
        assert response.status_code == 200, url
        etag, _ = response.get_etag()
        assert etag == hashlib.sha256(response.data).hexdigest()
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert response.headers["Cache-Control"] == "public, max-age=300"
        assert response.last_modified is not None
        again = client.get(url, headers={"If-None-Match": f'"{etag}"'})
        assert again.status_code == 304, url
    assert client.get("/dumps/catalogue.json").status_code == 404


def test_the_same_catalogue_gives_the_same_etag(client, catalogue):
    catalogue.dataset("ward-profiles", files={"wards.csv": WARDS})
    moment = utcnow()
    with frozen_at(moment + timedelta(minutes=1)):
        first = client.get("/dumps/datapackages.zip").get_etag()[0]
    with frozen_at(moment + timedelta(days=2)):
        assert client.get("/dumps/datapackages.zip").get_etag()[0] == first


def test_the_dumps_page_lists_the_files_with_their_sizes(client, catalogue):
    catalogue.dataset("ward-profiles", files={"wards.csv": WARDS})
    page = client.get("/dumps")
    assert page.status_code == 200
    files = table(parse_page(page), "1 datasets, made")
    listed = {cells[0]: cells for cells in table_rows(files)}
    for name in ["catalogue.jsonl", "catalogue.jsonl.gz", "datapackages.zip"]:
        assert find_link(files, name)["href"] == f"/dumps/{name}"
        assert re.fullmatch(r"[\d.,]+ (bytes|KB|MB)", listed[name][2])
    assert any(cells[2].endswith(" bytes") for cells in listed.values())
    footer = parse_page(client.get("/")).find("footer")
    assert find_link(footer, "Download the whole catalogue")["href"] == "/dumps"


def test_the_dump_command_writes_both_files(app, runner, catalogue):
    catalogue.dataset("ward-profiles", files={"wards.csv": WARDS})
    result = runner.invoke(args=["dump"])
    assert result.exit_code == 0, result.output
    assert "1 public datasets dumped" in result.output
    folder = app.config["SETTINGS"].instance / "dumps"
    manifest = manifest_read(folder)
    store = app.extensions["catalog"]["store"]
    with store.open(manifest.files["catalogue.jsonl"].sha256) as handle:
        (line,) = handle.read().decode("utf-8").splitlines()
    assert json.loads(line)["name"] == "ward-profiles"
    assert json.loads(line)["url"] == "http://127.0.0.1:5000/datasets/ward-profiles"
    with (
        store.open(manifest.files["datapackages.zip"].sha256) as handle,
        zipfile.ZipFile(handle) as packages,
    ):
        assert packages.namelist() == ["ward-profiles/datapackage.json"]
    assert sorted(path.name for path in folder.iterdir()) == [".lock", "manifest.json"]
