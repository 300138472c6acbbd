"""schema.org JSON-LD in pages, as a search engine reads it: valid JSON in a script element that
no title can break out of, describing the dataset and where to download it."""

from __future__ import annotations

from tests.open_metadata import BASE_URL, CSV, use_base_url
from tests.pages import parse_page, structured_data


def _json_ld(page) -> dict:
    (found,) = structured_data(page)
    return found


def test_a_dataset_page_describes_the_dataset(app, client, catalogue):
    use_base_url(app)
    catalogue.dataset(
        "school-census",
        title="School census",
        description="Pupils on roll by school.",
        files={"census.csv": CSV},
        tags=["schools"],
        spatial="City of York",
    )
    page = parse_page(client.get("/datasets/school-census"))
    data = _json_ld(page)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Dataset"
    assert data["name"] == "School census"
    assert data["description"] == "Pupils on roll by school."
    assert data["url"] == f"{BASE_URL}/datasets/school-census"
    assert "open-government-licence" in data["license"]
    assert data["creator"]["name"] == "Children, Education and Communities"
    assert data["publisher"]["name"] == "City of York Council"
    assert "schools" in data["keywords"]
    assert data["spatialCoverage"]["name"] == "City of York"
    assert data["spatialCoverage"]["sameAs"].endswith("/statistical-geography/E06000014")
    contact = data["creator"]["contactPoint"]  # no contact of its own: ask the publisher
    assert contact["name"] == "Children, Education and Communities"
    assert contact["url"] == f"{BASE_URL}/organisations/children-education"
    assert data["dateModified"].endswith("Z")
    (download,) = data["distribution"]
    assert download["@type"] == "DataDownload"
    assert download["contentUrl"].endswith("/versions/1/download/census.csv")
    assert download["encodingFormat"] == "text/csv"
    alternates = {link["type"]: link["href"] for link in page.find_all("link", rel="alternate")}
    assert alternates["application/ld+json"] == "/datasets/school-census.jsonld"
    assert alternates["text/turtle"] == "/datasets/school-census.ttl"


def test_a_title_cannot_close_the_script(client, catalogue):
    title = 'Bins </script><script>alert("x")</script>'
    catalogue.dataset("bins", title=title)
    page = parse_page(client.get("/datasets/bins"))
    assert not any('alert("x")' in s.get_text() for s in page("script") if not s.get("type"))
    assert _json_ld(page)["name"] == title  # the data block holds it whole


def test_the_home_page_describes_the_catalogue(client, catalogue):
    data = _json_ld(parse_page(client.get("/")))
    assert data["@type"] == "DataCatalog"
    assert data["publisher"]["name"] == "City of York Council"
