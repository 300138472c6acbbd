"""A publisher links to a file another organisation hosts, and the public finds it everywhere
resources appear: the dataset and resource pages, the Data Package, DCAT, schema.org, the
CKAN dictionaries, the bulk dump and search. Nothing here fetches the link: the address is a
literal public IP, accepted by reading it."""

from __future__ import annotations

import json
import zipfile
from io import BytesIO

import pytest
from frictionless import Package
from rdflib import Graph, URIRef
from rdflib import namespace as ns

from catalog.publishing.resources import resource_link_create
from catalog.publishing.workflow import release_without_review
from tests.conftest import ACTOR
from tests.pages import (
    banners,
    choices,
    element,
    field_error,
    field_value,
    find_link,
    hrefs,
    listed_datasets,
    main,
    parse_page,
    structured_data,
    summary_errors,
    summary_list,
    summary_lists,
    table,
    table_rows,
    text_of,
    texts,
)

STOPS = "http://93.184.215.14/naptan/stops.csv"
PAGE = "/publish/datasets/bus-stops"


@pytest.fixture
def erin(people, visitor):
    people.make("Erin Editor", "editor")
    visitor.sign_in("erin-editor@york.gov.uk")
    return visitor


@pytest.fixture
def draft(catalogue):
    return catalogue.dataset("bus-stops", title="Bus stops", publish=False)


def _add_link(erin, **fields):
    data = {"kind": "link", "title": "Bus stops (NaPTAN)", "url": STOPS, **fields}
    return erin.submit(PAGE, data, to=f"{PAGE}/files", follow=False)


def _error_summary(response) -> list[tuple[str, str]]:
    return [(href, said) for said, href in summary_errors(parse_page(response))]


def _field_names(scope) -> set[str]:
    return {field["name"] for field in scope.find_all(["input", "select"], attrs={"name": True})}


def test_the_add_a_file_form_offers_an_upload_or_a_link(erin, draft):
    page = parse_page(erin.get(PAGE))
    choice = element(page, ".app-file-choice")
    assert choices(choice, "kind") == [("upload", True), ("link", False)]
    assert texts(choice, ".govuk-radios__label") == ["Upload a file", "Link to a file elsewhere"]
    upload = element(choice, ".app-file-choice__upload")
    link = element(choice, ".app-file-choice__link")
    assert _field_names(upload) >= {"file"} and "url" not in _field_names(upload)
    assert _field_names(link) >= {"url", "link_format"} and "file" not in _field_names(link)
    assert link.find("input", attrs={"name": "url"})["type"] == "url"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "http://169.254.169.254/latest/meta-data/",
            "169.254.169.254 is a link-local address, not one on the public internet",
        ),
        ("file:///etc/passwd", "‘file:’ addresses cannot be linked"),
        ("http://0x7f000001/", "0x7f000001 (127.0.0.1) is a loopback address"),
        ("https://ada:secret@93.184.215.14/stops.csv", "Remove the user name or password"),
        ("", "Enter the web address of the file"),
    ],
)
def test_a_refused_address_is_shown_in_the_error_summary_and_kept(erin, draft, url, message):
    response = _add_link(erin, url=url)
    assert response.status_code == 422
    ((href, text),) = _error_summary(response)
    assert href == "#upload-url" and text.startswith(message)
    page = parse_page(response)
    assert "govuk-input--error" in page.find(id="upload-url")["class"]
    assert field_error(page, "upload-url").startswith(message)
    assert field_value(page, "url") == url  # kept, to be corrected
    assert [value for value, chosen in choices(page, "kind") if chosen] == ["link"]
    assert page.find("h2", id="files").find_next("p").get_text() == "There are no files yet."


def test_a_link_without_a_format_or_extension_asks_for_the_format(erin, draft):
    response = _add_link(erin, url="http://93.184.215.14/stops")
    assert response.status_code == 422
    assert _error_summary(response)[0][0] == "#upload-link_format"
    added = _add_link(erin, url="http://93.184.215.14/stops", link_format="GeoJSON")
    assert added.status_code == 302


def test_the_journey_from_adding_a_link_to_the_public_pages(erin, draft, catalogue, client):
    added = _add_link(erin, description="Every bus stop in York, from the national register.")
    assert added.status_code == 302
    staff = parse_page(erin.get(PAGE))
    assert any(said.startswith("Link added.") for said in banners(staff))
    (stops,) = [details for details in summary_lists(staff) if "Link" in details]
    assert stops["Link"] == STOPS and find_link(main(staff), STOPS)["href"] == STOPS
    details = texts(staff, "details summary")
    assert "Change the link of Bus stops (NaPTAN)" in details
    assert "Upload a corrected or new version of Bus stops (NaPTAN)" not in details

    catalogue.session.refresh(draft)
    (resource,) = draft.resources
    release_without_review(catalogue.session, actor=ACTOR, dataset=draft, source="test")
    files = table(parse_page(client.get("/datasets/bus-stops")), "Files in this dataset")
    go = find_link(files, "Go to the file")
    assert go["href"] == STOPS and go["rel"] == ["noopener", "nofollow"]
    assert table_rows(files)[0][:3] == ["Bus stops (NaPTAN)", "CSV", "Held elsewhere"]

    response = client.get(f"/datasets/bus-stops/resources/{resource.id}")
    assert response.status_code == 200
    page = parse_page(response)
    go = find_link(page, "Go to the file on 93.184.215.14")
    assert go["href"] == STOPS and go["rel"] == ["noopener", "nofollow"]
    assert text_of(element(page, ".govuk-inset-text")).startswith(
        "The council does not host this file"
    )
    assert text_of(element(page, ".app-prose")) == (
        "Every bus stop in York, from the national register."
    )
    about = summary_list(main(page))
    assert about["Format"] == "CSV" and about["Link check"] == "Not checked yet"
    assert not {"Versions", "Preview", "Data dictionary"} & set(texts(page, "h2"))
    assert page.find(id="preview") is None and "SHA-256" not in about
    assert not any("/download" in href for href in hrefs(page))


def test_download_addresses_of_a_link_are_not_found_and_never_redirect(catalogue, client):
    dataset = catalogue.dataset("bus-stops", publish=False)
    link = resource_link_create(
        catalogue.session, actor=ACTOR, dataset=dataset, title="Stops", url=STOPS
    )
    release_without_review(catalogue.session, actor=ACTOR, dataset=dataset, source="test")
    base = f"/datasets/bus-stops/resources/{link.id}"
    for url in (
        f"{base}/download",
        f"{base}/download/stops.csv",
        f"{base}/versions/1",
        f"{base}/versions/1/download/stops.csv",
        f"{base}/versions/1/report",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Location" not in response.headers


def test_a_link_in_a_draft_is_not_public(catalogue, client):
    dataset = catalogue.dataset("bus-stops", publish=False)
    link = resource_link_create(
        catalogue.session, actor=ACTOR, dataset=dataset, title="Stops", url=STOPS
    )
    assert client.get(f"/datasets/bus-stops/resources/{link.id}").status_code == 404
    shown = client.get("/api/3/action/resource_show", query_string={"id": link.id})
    assert shown.status_code == 404
    assert STOPS not in client.get("/dumps/catalogue.jsonl").text


def test_an_editor_changes_the_address_of_a_link(erin, draft, catalogue):
    _add_link(erin)
    catalogue.session.refresh(draft)
    (resource,) = draft.resources
    form = f"{PAGE}/files/{resource.id}/link"
    refused = erin.submit(PAGE, {"url": "http://192.168.1.20/stops.csv"}, to=form, follow=False)
    assert refused.status_code == 422
    ((href, text),) = _error_summary(refused)
    assert href == f"#link-{resource.id}-url" and "192.168.1.20 is a private address" in text
    changed = erin.submit(PAGE, {"url": "https://93.184.215.14/stops-2026.xlsx"}, to=form)
    shown = parse_page(changed)
    assert any(
        said.startswith("The link of Bus stops (NaPTAN) was changed.") for said in banners(shown)
    )
    (stops,) = [details for details in summary_lists(shown) if "Link" in details]
    assert stops["Link"] == "https://93.184.215.14/stops-2026.xlsx"
    assert find_link(main(shown), "https://93.184.215.14/stops-2026.xlsx")
    assert stops["Format"].startswith("XLSX.")


@pytest.fixture
def published(catalogue):
    dataset = catalogue.dataset(
        "bus-stops", title="Bus stops", files={"shelters.csv": b"Stop,Shelter\nA1,yes\n"}
    )
    link = resource_link_create(
        catalogue.session,
        actor=ACTOR,
        dataset=dataset,
        title="NaPTAN stops register",
        url=STOPS,
        description="The national register.",
    )
    return dataset, link


def test_the_data_package_gives_the_link_as_its_path_and_frictionless_accepts_it(client, published):
    package = client.get("/datasets/bus-stops/datapackage.json").json
    shelters, stops = package["resources"]
    assert "hash" in shelters and "bytes" in shelters
    assert stops == {
        "name": "naptan-stops-register",
        "title": "NaPTAN stops register",
        "path": STOPS,
        "format": "csv",
        "description": "The national register.",
    }
    report = Package.validate_descriptor(package)
    assert report.valid, report.flatten(["type", "note"])
    assert Package.from_descriptor(package).get_resource("naptan-stops-register").remote


def test_dcat_gives_the_link_as_the_access_url_with_no_download_url(client, published):
    dataset, link = published
    graph = Graph().parse(data=client.get("/datasets/bus-stops.ttl").text, format="turtle")
    node = URIRef(f"http://127.0.0.1:5000/datasets/bus-stops/resources/{link.id}")
    dataset_node = URIRef("http://127.0.0.1:5000/datasets/bus-stops")
    assert (dataset_node, ns.DCAT.distribution, node) in graph
    assert list(graph.objects(node, ns.DCAT.accessURL)) == [URIRef(STOPS)]
    assert list(graph.objects(node, ns.DCAT.downloadURL)) == []
    downloads = [
        str(url)
        for distribution in graph.objects(dataset_node, ns.DCAT.distribution)
        for url in graph.objects(distribution, ns.DCAT.downloadURL)
    ]
    assert len(downloads) == 1 and "/versions/1/download/shelters.csv" in downloads[0]


def test_schema_org_and_ckan_describe_the_link(client, published):
    dataset, link = published
    (found,) = structured_data(parse_page(client.get("/datasets/bus-stops")))
    distributions = found["distribution"]
    assert {
        "@type": "DataDownload",
        "name": "NaPTAN stops register",
        "contentUrl": STOPS,
        "encodingFormat": "text/csv",
    } in distributions

    shown = client.get("/api/3/action/resource_show", query_string={"id": link.id}).json
    resource = shown["result"]
    assert (resource["url"], resource["url_type"], resource["format"]) == (STOPS, None, "CSV")
    assert (resource["size"], resource["hash"], resource["mimetype"]) == (None, "", None)
    package = client.get("/api/3/action/package_show", query_string={"id": "bus-stops"}).json
    assert [r["url_type"] for r in package["result"]["resources"]] == ["upload", None]


def test_the_dump_and_search_include_the_link(client, published, catalogue):
    before = client.get("/dumps/catalogue.jsonl").text
    (line,) = before.splitlines()
    assert [r["url"] for r in json.loads(line)["resources"]][1] == STOPS
    with zipfile.ZipFile(BytesIO(client.get("/dumps/datapackages.zip").data)) as packages:
        package = json.loads(packages.read("bus-stops/datapackage.json"))
    assert package["resources"][1]["path"] == STOPS

    found = client.get("/api/3/action/package_search", query_string={"q": "NaPTAN"}).json
    assert [p["name"] for p in found["result"]["results"]] == ["bus-stops"]
    searched = parse_page(client.get("/datasets", query_string={"q": "register"}))
    assert listed_datasets(searched) == ["Bus stops"]
