"""DCAT as a validating harvester reads it: the demo catalogue, with a file in three versions
(the last not yet released), a linked file, a draft and a withdrawn dataset besides, conforms
to the DCAT-AP 3.0 shapes by default and to the DCAT-AP 2.1.1 shapes in its 2.1.1 profile, as
the European data portal checks them. The shapes are ours, written from the two
specifications (tests/data/shacl); each test that passes a graph also has one the shapes fail,
so a shape that checks nothing cannot pass unnoticed."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib import namespace as ns

from catalog.clock import utcnow
from catalog.publishing.resources import Upload, resource_link_create, version_add
from catalog.publishing.workflow import dataset_withdraw
from tests.open_metadata import ACTOR, BASE_URL, CSV, use_base_url

SHAPES = Path(__file__).parents[1] / "data" / "shacl"
SH = Namespace("http://www.w3.org/ns/shacl#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
PROFILES = {"dcat-ap-3": "dcat_ap_3.ttl", "dcat-ap-2.1.1": "dcat_ap_2_1_1.ttl"}
DATASET = URIRef(f"{BASE_URL}/datasets/school-census")
STOPS = "http://93.184.215.14/naptan/stops.csv"


@pytest.fixture(scope="module")
def client(shared_app):
    return shared_app.test_client()


@pytest.fixture(scope="module")
def demo(shared_app, shared_catalogue):
    """The demo catalogue and the cases it lacks, built once: every test here only reads."""
    use_base_url(shared_app)
    loaded = shared_app.test_cli_runner().invoke(args=["demo"])
    assert loaded.exit_code == 0, loaded.output
    made = shared_catalogue
    census = made.dataset("school-census", files={"census.csv": CSV}, spatial="York wards")
    resource = census.resources[0]
    for number, release_at in ((2, None), (3, utcnow() + timedelta(days=1))):
        version_add(
            made.session,
            store=made.store,
            actor=ACTOR,
            resource=resource,
            upload=Upload(
                stream=io.BytesIO(CSV + f"Version {number},1\n".encode()), filename="census.csv"
            ),
            release_at=release_at,
        )
    resource_link_create(made.session, actor=ACTOR, dataset=census, title="Stops", url=STOPS)
    made.saved()
    made.dataset("draft-plans", files={"plans.csv": CSV}, publish=False)
    withdrawn = made.dataset("old-admissions", files={"old.csv": CSV})
    dataset_withdraw(made.session, actor=ACTOR, dataset=withdrawn, reason="Superseded")
    made.saved()
    return census


def _graph(client, url: str, rdf_format: str = "turtle") -> Graph:
    response = client.get(url)
    assert response.status_code == 200, response.data
    return Graph().parse(data=response.data, format=rdf_format)


def _violations(graph: Graph, shapes: str) -> list[str]:
    """Each violation as `path: message`, for an assertion that shows what is wrong."""
    _, report, _ = validate(graph, shacl_graph=Graph().parse(SHAPES / shapes))
    return sorted(
        f"{report.value(result, SH.resultPath)}: {report.value(result, SH.resultMessage)}"
        for result in report.subjects(SH.resultSeverity, SH.Violation)
    )


@pytest.mark.parametrize("profile", list(PROFILES))
def test_the_whole_catalogue_conforms(client, demo, profile):
    graph = _graph(client, f"/catalog.ttl?_profile={profile}")
    datasets = set(graph.objects(URIRef(f"{BASE_URL}/catalog"), ns.DCAT.dataset))
    assert len(datasets) > 90 and DATASET in datasets
    assert URIRef(f"{BASE_URL}/datasets/indicator-css7") in datasets
    assert (
        not {URIRef(f"{BASE_URL}/datasets/{n}") for n in ("draft-plans", "old-admissions")}
        & datasets
    )
    assert _violations(graph, PROFILES[profile]) == []


@pytest.mark.parametrize("profile", list(PROFILES))
def test_a_dataset_conforms_in_json_ld(client, demo, profile):
    graph = _graph(client, f"/datasets/school-census.jsonld?_profile={profile}", "json-ld")
    assert len(set(graph.objects(DATASET, ns.DCAT.distribution))) == 2  # the file and the link
    assert _violations(graph, PROFILES[profile]) == []


def test_the_profiles_differ_only_where_the_versions_of_dcat_ap_do(client, demo):
    """DCAT-AP 3.0 types a byte size as xsd:nonNegativeInteger and takes a SHA-256; 2.1.1 wants
    an xsd:decimal and SHA-1. No one graph can satisfy both, so each profile breaks the other
    version's shapes on exactly those two points, and on nothing else."""
    paths = {
        "dcat-ap-3": ("dcat_ap_2_1_1.ttl", {str(ns.DCAT.byteSize), str(SPDX.algorithm)}),
        "dcat-ap-2.1.1": ("dcat_ap_3.ttl", {str(ns.DCAT.byteSize)}),
    }
    for profile, (other_shapes, expected) in paths.items():
        graph = _graph(client, f"/datasets/school-census.ttl?_profile={profile}")
        broken = {violation.split(": ")[0] for violation in _violations(graph, other_shapes)}
        assert broken == expected, profile


def test_the_2_1_1_profile_gives_sha1_checksums_that_match_the_file(client, demo):
    graph = _graph(client, "/datasets/school-census.ttl?_profile=dcat-ap-2.1.1")
    node = URIRef(f"{DATASET}/resources/{demo.resources[0].id}")
    checksum = graph.value(node, SPDX.checksum)
    assert graph.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha1
    download = client.get(str(graph.value(node, ns.DCAT.downloadURL)).removeprefix(BASE_URL))
    assert str(graph.value(checksum, SPDX.checksumValue)) == hashlib.sha1(download.data).hexdigest()
    size = graph.value(node, ns.DCAT.byteSize)
    assert (size.datatype, size.toPython()) == (ns.XSD.decimal, len(download.data))


def test_an_unknown_profile_is_a_bad_request(client, demo):
    response = client.get("/catalog.ttl?_profile=dcat-ap-9")
    assert response.status_code == 400
    assert "dcat-ap-2.1.1" in response.get_data(as_text=True)


def _byte_size_as_text(graph: Graph) -> None:
    node, size = next(iter(graph.subject_objects(ns.DCAT.byteSize)))
    graph.set((node, ns.DCAT.byteSize, Literal(str(size))))


def _no_title(graph: Graph) -> None:
    graph.remove((DATASET, ns.DCTERMS.title, None))


def _licence_untyped(graph: Graph) -> None:
    graph.remove((None, ns.RDF.type, ns.DCTERMS.LicenseDocument))


def _language_not_from_the_eu_list(graph: Graph) -> None:
    language = URIRef("http://id.loc.gov/vocabulary/iso639-1/en")
    graph.set((DATASET, ns.DCTERMS.language, language))
    graph.add((language, ns.RDF.type, ns.DCTERMS.LinguisticSystem))


def _media_type_untyped(graph: Graph) -> None:
    graph.remove((None, ns.RDF.type, ns.DCTERMS.MediaType))


BREAKAGES = [
    (_byte_size_as_text, ns.DCAT.byteSize),
    (_no_title, ns.DCTERMS.title),
    (_licence_untyped, ns.DCTERMS.license),
    (_language_not_from_the_eu_list, ns.DCTERMS.language),
    (_media_type_untyped, ns.DCAT.mediaType),
]


@pytest.mark.parametrize("profile", list(PROFILES))
@pytest.mark.parametrize(("breakage", "path"), BREAKAGES, ids=lambda b: getattr(b, "__name__", ""))
def test_the_shapes_catch_a_broken_graph(client, demo, profile, breakage, path):
    graph = _graph(client, f"/datasets/school-census.ttl?_profile={profile}")
    breakage(graph)
    broken = {violation.split(": ")[0] for violation in _violations(graph, PROFILES[profile])}
    assert str(path) in broken


def test_a_file_missing_from_the_store_loses_only_its_checksum(app, catalogue, caplog):
    """One lost file must not take the whole catalogue down for a 2.1.1 harvester."""
    lost = catalogue.dataset("lost-file", files={"lost.csv": CSV + b"Lost,1\n"})
    catalogue.saved()
    catalogue.store.path_for(lost.resources[0].latest.sha256).unlink()
    graph = _graph(app.test_client(), "/catalog.ttl?_profile=dcat-ap-2.1.1")
    page = f"/datasets/lost-file/resources/{lost.resources[0].id}"
    node = next(s for s in set(graph.subjects()) if str(s).endswith(page))
    assert graph.value(node, ns.DCAT.downloadURL) is not None
    assert graph.value(node, SPDX.checksum) is None
    assert "checksum is left out" in caplog.text
