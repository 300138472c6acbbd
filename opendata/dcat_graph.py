"""DCAT descriptions of the catalogue and its datasets, as rdflib graphs.

Pure functions of public datasets and the site's base URL, so every serialisation (JSON-LD,
Turtle, RDF/XML) says the same thing and tests can check the graph without HTTP. The terms follow
DCAT-AP UK where it has a convention: EU frequency and file-type vocabularies, vCard contact
points, spdx checksums, and ONS statistical geography URIs for places we know.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from urllib.parse import quote

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

from catalog.models import Dataset, Resource, ResourceVersion
from catalog.visibility import PublicDataset

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
FREQUENCY = Namespace("http://publications.europa.eu/resource/authority/frequency/")
FILE_TYPE = Namespace("http://publications.europa.eu/resource/authority/file-type/")
GSS = Namespace("http://statistics.data.gov.uk/id/statistical-geography/")

COUNCIL = "City of York Council"
COUNCIL_HOMEPAGE = "https://www.york.gov.uk/"
OGL_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"

FREQUENCIES = {
    "daily": "DAILY",
    "weekly": "WEEKLY",
    "monthly": "MONTHLY",
    "quarterly": "QUARTERLY",
    "annual": "ANNUAL",
    "one-off": "NEVER",
    "irregular": "IRREG",
}

# Places the council publishes about, by the ONS code DCAT-AP UK asks for in dct:spatial.
PLACES = {"city of york": "E06000014", "york": "E06000014"}


def _bind(graph: Graph) -> Graph:
    for prefix, namespace in (
        ("dcat", DCAT),
        ("dct", DCTERMS),
        ("foaf", FOAF),
        ("vcard", VCARD),
        ("spdx", SPDX),
        ("skos", SKOS),
    ):
        graph.bind(prefix, namespace)
    return graph


def catalog_graph(views: list[PublicDataset], *, base_url: str, title: str) -> Graph:
    """The whole public catalogue: a dcat:Catalog linking every public dataset."""
    graph = _bind(Graph())
    catalog = URIRef(f"{base_url}/catalog")
    graph.add((catalog, RDF.type, DCAT.Catalog))
    graph.add((catalog, DCTERMS.title, Literal(title, lang="en")))
    graph.add((catalog, DCTERMS.description, Literal(f"Open data published by {COUNCIL}.")))
    graph.add((catalog, FOAF.homepage, URIRef(f"{base_url}/")))
    graph.add((catalog, DCTERMS.license, URIRef(OGL_URL)))
    graph.add((catalog, DCTERMS.language, URIRef("http://id.loc.gov/vocabulary/iso639-1/en")))
    council = URIRef(COUNCIL_HOMEPAGE)
    graph.add((catalog, DCTERMS.publisher, council))
    graph.add((council, RDF.type, FOAF.Organization))
    graph.add((council, FOAF.name, Literal(COUNCIL)))
    for view in views:
        graph.add((catalog, DCAT.dataset, add_dataset(graph, view, base_url=base_url)))
    return graph


def dataset_graph(view: PublicDataset, *, base_url: str) -> Graph:
    graph = _bind(Graph())
    add_dataset(graph, view, base_url=base_url)
    return graph


def dataset_uri(dataset: Dataset, base_url: str) -> URIRef:
    return URIRef(f"{base_url}/datasets/{dataset.name}")


def add_dataset(graph: Graph, view: PublicDataset, *, base_url: str) -> URIRef:
    """Add one public dataset with its released distributions; return its URI."""
    dataset = view.dataset
    node = dataset_uri(dataset, base_url)
    graph.add((node, RDF.type, DCAT.Dataset))
    graph.add((node, DCTERMS.identifier, Literal(dataset.id)))
    graph.add((node, DCTERMS.title, Literal(dataset.title, lang="en")))
    graph.add((node, DCTERMS.description, Literal(dataset.description or dataset.title)))
    graph.add((node, DCAT.landingPage, node))
    graph.add((node, DCTERMS.license, URIRef(dataset.licence.url)))
    if dataset.published_at:
        graph.add((node, DCTERMS.issued, _datetime(dataset.published_at)))
    graph.add((node, DCTERMS.modified, _datetime(view.updated_at)))
    _publisher(graph, node, dataset, base_url)
    _contact(graph, node, dataset)
    for topic in dataset.topics:
        theme = URIRef(f"{base_url}/topics/{topic.name}")
        graph.add((node, DCAT.theme, theme))
        graph.add((theme, RDF.type, SKOS.Concept))
        graph.add((theme, SKOS.prefLabel, Literal(topic.title, lang="en")))
    for tag in dataset.tags:
        graph.add((node, DCAT.keyword, Literal(tag.name, lang="en")))
    if dataset.frequency in FREQUENCIES:
        graph.add((node, DCTERMS.accrualPeriodicity, FREQUENCY[FREQUENCIES[dataset.frequency]]))
    _temporal(graph, node, dataset.temporal_start, dataset.temporal_end)
    _spatial(graph, node, dataset.spatial)
    for file in view.files:
        if file.resource.link_url is not None:
            _link_distribution(graph, node, dataset, file, base_url)
        for version in file.versions:
            _distribution(graph, node, dataset, file.resource, version, base_url)
    return node


def version_url(dataset: Dataset, resource: Resource, version: ResourceVersion, base: str) -> str:
    """The permanent link to exactly this file, as released (it never changes)."""
    return (
        f"{base}/datasets/{dataset.name}/resources/{resource.id}/versions/{version.number}"
        f"/download/{quote(version.filename)}"
    )


def _publisher(graph: Graph, node: URIRef, dataset: Dataset, base_url: str) -> None:
    organisation = URIRef(f"{base_url}/organisations/{dataset.organisation.name}")
    graph.add((node, DCTERMS.publisher, organisation))
    graph.add((organisation, RDF.type, FOAF.Organization))
    graph.add((organisation, FOAF.name, Literal(dataset.organisation.title)))


def _contact(graph: Graph, node: URIRef, dataset: Dataset) -> None:
    if not (dataset.contact_name or dataset.contact_email):
        return
    card = BNode(f"contact-{dataset.id}")
    graph.add((node, DCAT.contactPoint, card))
    graph.add((card, RDF.type, VCARD.Organization))
    graph.add((card, VCARD.fn, Literal(dataset.contact_name or dataset.organisation.title)))
    if dataset.contact_email:
        graph.add((card, VCARD.hasEmail, URIRef(f"mailto:{dataset.contact_email}")))


def _temporal(graph: Graph, node: URIRef, start: date | None, end: date | None) -> None:
    if start is None and end is None:
        return
    period = BNode(f"period-{node_id(node)}")
    graph.add((node, DCTERMS.temporal, period))
    graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
    if start:
        graph.add((period, DCAT.startDate, Literal(start.isoformat(), datatype=XSD.date)))
    if end:
        graph.add((period, DCAT.endDate, Literal(end.isoformat(), datatype=XSD.date)))


def _spatial(graph: Graph, node: URIRef, spatial: str | None) -> None:
    if not spatial:
        return
    code = PLACES.get(spatial.strip().lower())
    place: URIRef | BNode
    if code:
        place = GSS[code]
    elif spatial.startswith(("http://", "https://")):
        place = URIRef(spatial)
    else:
        place = BNode(f"place-{node_id(node)}")
    graph.add((node, DCTERMS.spatial, place))
    graph.add((place, RDF.type, DCTERMS.Location))
    graph.add((place, RDFS.label, Literal(spatial, lang="en")))


def _distribution(graph, node, dataset, resource, version, base_url) -> None:
    url = URIRef(version_url(dataset, resource, version, base_url))
    graph.add((node, DCAT.distribution, url))
    graph.add((url, RDF.type, DCAT.Distribution))
    title = f"{resource.title} (version {version.number})"
    graph.add((url, DCTERMS.title, Literal(title, lang="en")))
    if resource.description:
        graph.add((url, DCTERMS.description, Literal(resource.description)))
    graph.add((url, DCAT.accessURL, URIRef(f"{base_url}/datasets/{dataset.name}")))
    graph.add((url, DCAT.downloadURL, url))
    graph.add(
        (
            url,
            DCAT.mediaType,
            URIRef(f"https://www.iana.org/assignments/media-types/{_media(version)}"),
        )
    )
    graph.add((url, DCTERMS.format, FILE_TYPE[resource.format.upper()]))
    graph.add((url, DCAT.byteSize, Literal(version.size, datatype=XSD.nonNegativeInteger)))
    graph.add((url, DCTERMS.license, URIRef(dataset.licence.url)))
    if version.published_at:
        graph.add((url, DCTERMS.issued, _datetime(version.published_at)))
    checksum = BNode(f"checksum-{version.sha256}")
    graph.add((url, SPDX.checksum, checksum))
    graph.add((checksum, RDF.type, SPDX.Checksum))
    graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    graph.add((checksum, SPDX.checksumValue, Literal(version.sha256, datatype=XSD.hexBinary)))


def _link_distribution(graph, node, dataset, file, base_url) -> None:
    """A file hosted elsewhere: reached at its own address (dcat:accessURL), with no
    download URL, size or checksum of ours. Its node is its page here."""
    resource = file.resource
    url = URIRef(f"{base_url}/datasets/{dataset.name}/resources/{resource.id}")
    graph.add((node, DCAT.distribution, url))
    graph.add((url, RDF.type, DCAT.Distribution))
    graph.add((url, DCTERMS.title, Literal(resource.title, lang="en")))
    if resource.description:
        graph.add((url, DCTERMS.description, Literal(resource.description)))
    graph.add((url, DCAT.accessURL, URIRef(resource.link_url)))
    graph.add((url, DCTERMS.format, FILE_TYPE[resource.format.upper()]))
    graph.add((url, DCTERMS.license, URIRef(dataset.licence.url)))
    graph.add((url, DCTERMS.modified, _datetime(file.updated_at)))


def node_id(node: URIRef) -> str:
    """A blank node name derived from its subject, so the same graph serialises the same way
    every time and its ETag can answer 304."""
    return hashlib.sha256(str(node).encode()).hexdigest()[:16]


def _media(version: ResourceVersion) -> str:
    return version.media_type.split(";")[0].strip()


def _datetime(moment: datetime) -> Literal:
    """Stored times are naive UTC; say so, so the literal means one instant everywhere."""
    return Literal(moment.isoformat() + "Z", datatype=XSD.dateTime)
