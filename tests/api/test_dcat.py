"""DCAT as a harvester reads it: every serialisation parses back into the same graph, with the
catalogue, dataset and distribution properties DCAT-AP UK asks for, and nothing that is not
public (a draft, an embargoed release, a withdrawn dataset) ever appears."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib import namespace as ns

from catalog.clock import frozen_at
from tests.open_metadata import BASE_URL, CSV, seed

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
FORMATS = [
    ("jsonld", "application/ld+json", "json-ld"),
    ("ttl", "text/turtle", "turtle"),
    ("rdf", "application/rdf+xml", "xml"),
]
DATASET = URIRef(f"{BASE_URL}/datasets/school-census")


@pytest.fixture(scope="module")
def client(shared_app):
    return shared_app.test_client()


@pytest.fixture(scope="module")
def seeded(shared_app, shared_catalogue):
    """Seeded once for the module: every test here only reads."""
    return seed(shared_app, shared_catalogue)


def _graph(client, url: str, media_type: str, rdf_format: str) -> Graph:
    response = client.get(url)
    assert response.status_code == 200, response.data
    assert response.mimetype == media_type
    return Graph().parse(data=response.data, format=rdf_format)


@pytest.mark.parametrize(("extension", "media_type", "rdf_format"), FORMATS)
def test_the_catalogue_parses_and_describes_itself(
    client, seeded, extension, media_type, rdf_format
):
    graph = _graph(client, f"/catalog.{extension}", media_type, rdf_format)
    catalog = next(graph.subjects(ns.RDF.type, ns.DCAT.Catalog))
    assert graph.value(catalog, ns.DCTERMS.title)
    assert graph.value(catalog, ns.FOAF.homepage) == URIRef(f"{BASE_URL}/")
    assert graph.value(catalog, ns.DCTERMS.license) is not None
    publisher = graph.value(catalog, ns.DCTERMS.publisher)
    assert (publisher, ns.RDF.type, ns.FOAF.Organization) in graph
    assert str(graph.value(publisher, ns.FOAF.name)) == "City of York Council"
    assert set(graph.objects(catalog, ns.DCAT.dataset)) == {DATASET}


@pytest.mark.parametrize(("extension", "media_type", "rdf_format"), FORMATS)
def test_a_dataset_has_the_required_properties(client, seeded, extension, media_type, rdf_format):
    graph = _graph(client, f"/datasets/school-census.{extension}", media_type, rdf_format)
    assert (DATASET, ns.RDF.type, ns.DCAT.Dataset) in graph
    assert str(graph.value(DATASET, ns.DCTERMS.identifier)) == seeded.public.id
    assert str(graph.value(DATASET, ns.DCTERMS.title)) == "School census"
    assert str(graph.value(DATASET, ns.DCTERMS.description)) == "Pupils on roll by school."
    assert graph.value(DATASET, ns.DCAT.landingPage) == DATASET
    publisher = graph.value(DATASET, ns.DCTERMS.publisher)
    assert (publisher, ns.RDF.type, ns.FOAF.Organization) in graph
    assert str(graph.value(publisher, ns.FOAF.name)) == "Children, Education and Communities"
    contact = graph.value(DATASET, ns.DCAT.contactPoint)
    assert str(graph.value(contact, VCARD.fn)) == "Education data team"
    assert graph.value(contact, VCARD.hasEmail) == URIRef("mailto:education@york.example")
    assert graph.value(DATASET, ns.DCAT.theme) == URIRef(f"{BASE_URL}/topics/education-and-skills")
    assert Literal("schools", lang="en") in set(graph.objects(DATASET, ns.DCAT.keyword))
    assert "open-government-licence" in str(graph.value(DATASET, ns.DCTERMS.license))
    period = graph.value(DATASET, ns.DCTERMS.temporal)
    assert (period, ns.RDF.type, ns.DCTERMS.PeriodOfTime) in graph
    assert graph.value(period, ns.DCAT.startDate).toPython().isoformat() == "2023-01-01"
    assert graph.value(period, ns.DCAT.endDate).toPython().isoformat() == "2023-12-31"
    assert "E06000014" in str(graph.value(DATASET, ns.DCTERMS.spatial))
    assert graph.value(DATASET, ns.DCTERMS.issued).datatype == ns.XSD.dateTime
    assert graph.value(DATASET, ns.DCTERMS.modified) is not None
    assert str(graph.value(DATASET, ns.DCTERMS.accrualPeriodicity)).endswith("/frequency/ANNUAL")


@pytest.mark.parametrize(("extension", "media_type", "rdf_format"), FORMATS)
def test_each_released_version_is_a_distribution(client, seeded, extension, media_type, rdf_format):
    graph = _graph(client, f"/datasets/school-census.{extension}", media_type, rdf_format)
    (distribution,) = graph.objects(DATASET, ns.DCAT.distribution)
    resource = seeded.public.resources[0]
    permanent = (
        f"{BASE_URL}/datasets/school-census/resources/{resource.id}/versions/1/download/census.csv"
    )
    assert graph.value(distribution, ns.DCAT.downloadURL) == URIRef(permanent)
    assert (distribution, ns.RDF.type, ns.DCAT.Distribution) in graph
    assert str(graph.value(distribution, ns.DCAT.mediaType)).endswith("text/csv")
    assert str(graph.value(distribution, ns.DCTERMS.format)).endswith("/file-type/CSV")
    assert int(graph.value(distribution, ns.DCAT.byteSize)) == len(CSV)
    assert graph.value(distribution, ns.DCTERMS.license) is not None
    checksum = graph.value(distribution, SPDX.checksum)
    assert graph.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
    assert str(graph.value(checksum, SPDX.checksumValue)) == resource.versions[0].sha256


def test_the_permanent_download_url_answers(client, seeded):
    graph = _graph(client, "/datasets/school-census.ttl", "text/turtle", "turtle")
    url = str(graph.value(next(graph.objects(DATASET, ns.DCAT.distribution)), ns.DCAT.downloadURL))
    response = client.get(url.removeprefix(BASE_URL))
    assert response.status_code == 200
    assert response.data == CSV


def test_drafts_scheduled_and_withdrawn_datasets_are_not_described(client, seeded):
    text = client.get("/catalog.ttl").get_data(as_text=True)
    for name in ("draft-plans", "exam-results", "old-admissions"):
        assert name not in text
    assert client.get("/datasets/draft-plans.jsonld").status_code == 404
    assert client.get("/datasets/exam-results.ttl").status_code == 404
    assert client.get("/datasets/old-admissions.rdf").status_code == 410


def test_a_scheduled_dataset_appears_at_its_release_time(client, seeded):
    with frozen_at(seeded.release_at):
        assert "exam-results" in client.get("/catalog.ttl").get_data(as_text=True)
        assert client.get("/datasets/exam-results.jsonld").status_code == 200


NEGOTIATION = [
    ("text/turtle", "text/turtle", "turtle"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/rdf+xml", "application/rdf+xml", "xml"),
    ("application/ld+json;q=0.5, text/turtle;q=0.9", "text/turtle", "turtle"),
    ("*/*", "text/turtle", "turtle"),
]


@pytest.mark.parametrize(("accept", "media_type", "rdf_format"), NEGOTIATION)
def test_the_catalogue_iri_answers_in_the_format_asked_for(
    client, seeded, accept, media_type, rdf_format
):
    """The IRI the graph names the catalogue by resolves, to the same catalogue."""
    response = client.get("/catalog", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == media_type
    assert "Accept" in response.vary
    graph = Graph().parse(data=response.data, format=rdf_format)
    catalog = URIRef(f"{BASE_URL}/catalog")
    assert (catalog, ns.RDF.type, ns.DCAT.Catalog) in graph
    assert set(graph.objects(catalog, ns.DCAT.dataset)) == {DATASET}
    extension = response.headers["Content-Location"].rsplit(".", 1)[1]
    assert client.get(f"/catalog.{extension}").data == response.data


def test_a_browser_at_the_catalogue_iri_is_sent_to_the_datasets(client, seeded):
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get("/catalog", headers={"Accept": accept})
    assert response.status_code == 303
    assert response.headers["Location"] == "/datasets"
    assert "Accept" in response.vary
