"""What a harvester learns beyond the required fields: a file's earlier versions, linked to it
and each downloadable for good, never one not yet released; and for a KPI series, the periods
its released figures cover, the council's area and whom to ask, in DCAT and in the schema.org
of its page, with the council's area and mailbox taken from the settings."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import timedelta

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib import namespace as ns

from catalog.clock import frozen_at, utcnow
from catalog.indicators.series import (
    IndicatorInput,
    ObservationInput,
    indicator_create,
    indicator_publish,
    observations_record,
)
from catalog.publishing.resources import Upload, version_add
from tests.open_metadata import ACTOR, BASE_URL, CSV, use_base_url
from tests.pages import parse_page, structured_data

DCAT = Namespace("http://www.w3.org/ns/dcat#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
YORK = URIRef("http://statistics.data.gov.uk/id/statistical-geography/E06000014")
CENSUS = URIRef(f"{BASE_URL}/datasets/school-census")
SERIES = URIRef(f"{BASE_URL}/datasets/indicator-dcat1")
CORRECTED = CSV + b"Tang Hall,190\n"


@pytest.fixture(scope="module")
def client(shared_app):
    return shared_app.test_client()


@pytest.fixture(scope="module")
def seeded(shared_app, shared_catalogue):
    """A file in three versions (the third scheduled for tomorrow) and a KPI series released
    for 2019/20 to 2023/24, its 2024/25 figure recorded and scheduled for tomorrow."""
    use_base_url(shared_app)
    made = shared_catalogue
    tomorrow = utcnow() + timedelta(days=1)
    census = made.dataset("school-census", files={"census.csv": CSV})
    for content, release_at in ((CORRECTED, None), (CORRECTED + b"Clifton,75\n", tomorrow)):
        upload = Upload(stream=io.BytesIO(content), filename="census.csv")
        version_add(
            made.session,
            store=made.store,
            actor=ACTOR,
            resource=census.resources[0],
            upload=upload,
            release_at=release_at,
        )
    data = IndicatorInput(
        ref="DCAT1",
        title="Households in temporary accommodation",
        unit="count",
        polarity="Up is Bad",
        collection_type="snapshot",
        frequency="annual",
        theme="education-and-skills",
        organisation="children-education",
        responsible_role="Head of Housing Options",
    )
    indicator = indicator_create(made.session, actor=ACTOR, data=data)
    rows = [ObservationInput(period=p, value=v) for p, v in (("2019/20", 80.0), ("2023/24", 95.0))]
    observations_record(made.session, actor=ACTOR, indicator=indicator, rows=rows)
    indicator_publish(made.session, store=made.store, actor=ACTOR, indicator=indicator)
    later = [ObservationInput(period="2024/25", value=99.0)]
    observations_record(made.session, actor=ACTOR, indicator=indicator, rows=later)
    indicator_publish(made.session, store=made.store, actor=ACTOR, indicator=indicator, at=tomorrow)
    made.saved()
    return census.resources[0], tomorrow


def _graph(client, url: str) -> Graph:
    response = client.get(url)
    assert response.status_code == 200, response.data
    return Graph().parse(data=response.data, format="turtle")


def _version(resource, number: int) -> URIRef:
    return URIRef(f"{CENSUS}/resources/{resource.id}/versions/{number}")


def test_a_file_is_one_distribution_linking_its_released_versions(client, seeded):
    resource, _ = seeded
    graph = _graph(client, "/catalog.ttl")
    file = URIRef(f"{CENSUS}/resources/{resource.id}")
    assert list(graph.objects(CENSUS, DCAT.distribution)) == [file]
    first, second = _version(resource, 1), _version(resource, 2)
    assert set(graph.objects(file, DCAT.hasVersion)) == {first, second}
    assert graph.value(file, DCAT.hasCurrentVersion) == second
    assert graph.value(second, DCAT.previousVersion) == first
    assert graph.value(first, DCAT.previousVersion) is None
    assert {graph.value(v, DCAT.isVersionOf) for v in (first, second)} == {file}
    assert graph.value(file, DCAT.downloadURL) == graph.value(second, DCAT.downloadURL)
    for number, content in ((1, CSV), (2, CORRECTED)):
        download = str(graph.value(_version(resource, number), DCAT.downloadURL))
        assert download.endswith(f"/versions/{number}/download/census.csv")
        assert client.get(download.removeprefix(BASE_URL)).data == content


def test_a_scheduled_version_is_linked_only_from_its_release(client, seeded):
    resource, tomorrow = seeded
    third = _version(resource, 3)
    for url in ("/catalog.ttl", "/datasets/school-census.jsonld", "/catalog"):
        assert "/versions/3" not in client.get(url).get_data(as_text=True), url
    with frozen_at(tomorrow):
        graph = _graph(client, "/datasets/school-census.ttl")
    file = URIRef(f"{CENSUS}/resources/{resource.id}")
    assert graph.value(file, DCAT.hasCurrentVersion) == third
    assert graph.value(third, DCAT.previousVersion) == _version(resource, 2)


def test_a_series_covers_its_released_periods_and_the_council_area(client, seeded):
    graph = _graph(client, "/datasets/indicator-dcat1.ttl")
    period = graph.value(SERIES, ns.DCTERMS.temporal)
    assert (period, ns.RDF.type, ns.DCTERMS.PeriodOfTime) in graph
    dates = [graph.value(period, p).toPython().isoformat() for p in (DCAT.startDate, DCAT.endDate)]
    assert dates == ["2019-04-01", "2024-03-31"]  # 2024/25 is not out until tomorrow
    assert graph.value(SERIES, ns.DCTERMS.spatial) == YORK
    assert (YORK, ns.RDF.type, ns.DCTERMS.Location) in graph
    contact = graph.value(SERIES, DCAT.contactPoint)
    assert (contact, ns.RDF.type, VCARD.Kind) in graph
    assert str(graph.value(contact, VCARD.fn)) == "Head of Housing Options"
    assert graph.value(contact, VCARD.hasURL) == URIRef(
        f"{BASE_URL}/organisations/children-education"
    )


def test_a_series_coverage_grows_when_its_next_figure_is_released(client, seeded):
    _, tomorrow = seeded
    with frozen_at(tomorrow):
        graph = _graph(client, "/catalog.ttl")
        page = parse_page(client.get("/datasets/indicator-dcat1"))
    period = graph.value(SERIES, ns.DCTERMS.temporal)
    assert graph.value(period, DCAT.endDate).toPython().isoformat() == "2025-03-31"
    (described,) = structured_data(page)
    assert described["temporalCoverage"] == "2019-04-01/2025-03-31"


def test_the_series_page_tells_search_engines_the_same(client, seeded):
    (described,) = structured_data(parse_page(client.get("/datasets/indicator-dcat1")))
    assert described["temporalCoverage"] == "2019-04-01/2024-03-31"
    assert described["spatialCoverage"] == {
        "@type": "Place",
        "name": "City of York",
        "sameAs": str(YORK),
    }
    contact = described["creator"]["contactPoint"]
    assert contact["@type"] == "ContactPoint"
    assert contact["name"] == "Head of Housing Options"
    assert contact["url"] == f"{BASE_URL}/organisations/children-education"


def test_the_council_area_and_mailbox_come_from_the_settings(
    shared_app, client, seeded, monkeypatch
):
    settings = shared_app.config["SETTINGS"]
    changed = replace(
        settings, area_code="E08000035", area_name="Leeds", contact_email="data@leeds.example"
    )
    monkeypatch.setitem(shared_app.config, "SETTINGS", changed)
    graph = _graph(client, "/datasets/indicator-dcat1.ttl")
    leeds = URIRef("http://statistics.data.gov.uk/id/statistical-geography/E08000035")
    assert graph.value(SERIES, ns.DCTERMS.spatial) == leeds
    assert str(graph.value(leeds, ns.RDFS.label)) == "Leeds"
    contact = graph.value(SERIES, DCAT.contactPoint)
    assert graph.value(contact, VCARD.hasEmail) == URIRef("mailto:data@leeds.example")
    (described,) = structured_data(parse_page(client.get("/datasets/indicator-dcat1")))
    assert described["creator"]["contactPoint"]["email"] == "data@leeds.example"
    assert described["spatialCoverage"]["name"] == "Leeds"
