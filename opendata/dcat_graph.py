"""DCAT descriptions of the catalogue and its datasets, as rdflib graphs.

Pure functions of public datasets and the site's settings, so every serialisation (JSON-LD,
Turtle, RDF/XML) says the same thing and tests can check the graph without HTTP. The terms
follow DCAT-AP: EU frequency, file-type and language vocabularies, IANA media types, vCard
contact points, spdx checksums, ONS statistical geography URIs for the council's area, and
every node a range names typed as that class, so a validator without inference accepts it.

A file is one distribution, its current public version; each public version of it is a
distribution of its own, linked from it (DCAT 3 `dcat:hasVersion`, `dcat:previousVersion`)
and not listed on the dataset, so a harvester sees one file once. DCAT-AP 3.0 and 2.1.1
disagree on two points, so a harvester picks its `Profile`: a byte size is an
xsd:nonNegativeInteger in 3.0 and an xsd:decimal in 2.1.1, and 2.1.1 accepts only SHA-1
checksums where 3.0 takes our SHA-256.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import quote

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

from catalog.errors import NotFound
from catalog.indicators.scorecard import SeriesCoverage
from catalog.models import Dataset, Resource, ResourceVersion
from catalog.publishing.resources import MEDIA_TYPES
from catalog.storage import FileStore
from catalog.visibility import PublicDataset, PublicFile
from opendata.config import Settings

log = logging.getLogger(__name__)

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
AUTHORITY = "http://publications.europa.eu/resource/authority/"
FREQUENCY = Namespace(f"{AUTHORITY}frequency/")
FILE_TYPE = Namespace(f"{AUTHORITY}file-type/")
LANGUAGE = Namespace(f"{AUTHORITY}language/")
IANA = Namespace("http://www.iana.org/assignments/media-types/")
GSS = Namespace("http://statistics.data.gov.uk/id/statistical-geography/")
# DCAT 3 terms, which rdflib's DCAT namespace (DCAT 2) does not list.
DCAT3 = Namespace(str(DCAT))

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
# Our formats (and a linked file's usual ones) by their code in the EU file-type list; a
# linked file of any other format gets no dct:format rather than a made-up code.
FILE_TYPES = {
    "csv": "CSV",
    "tsv": "TSV",
    "json": "JSON",
    "geojson": "GEOJSON",
    "xlsx": "XLSX",
    "xls": "XLS",
    "ods": "ODS",
    "pdf": "PDF",
    "txt": "TXT",
    "zip": "ZIP",
    "html": "HTML",
    "xml": "XML",
    "kml": "KML",
    "docx": "DOCX",
    "odt": "ODT",
}


@dataclass(frozen=True)
class Profile:
    """A DCAT-AP version a harvester may ask for (`?_profile=`), and what it changes."""

    name: str
    byte_size: URIRef
    checksum: str  # a hashlib name, whose spdx algorithm is checksumAlgorithm_<name>


DCAT_AP_3 = Profile("dcat-ap-3", XSD.nonNegativeInteger, "sha256")
DCAT_AP_2_1_1 = Profile("dcat-ap-2.1.1", XSD.decimal, "sha1")
PROFILES = {profile.name: profile for profile in (DCAT_AP_3, DCAT_AP_2_1_1)}


@dataclass(frozen=True)
class Site:
    """What the description says about the site itself, from its settings."""

    base_url: str
    title: str
    area_code: str
    area_name: str
    contact_email: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Site:
        return cls(
            base_url=settings.base_url,
            title=settings.site_name,
            area_code=settings.area_code,
            area_name=settings.area_name,
            contact_email=settings.contact_email,
        )

    @property
    def catalog_url(self) -> str:
        """The catalogue's IRI, which answers with the catalogue (`/catalog`)."""
        return f"{self.base_url}/catalog"


def catalog_graph(
    views: list[PublicDataset],
    *,
    site: Site,
    series: Mapping[str, SeriesCoverage],
    store: FileStore,
    profile: Profile = DCAT_AP_3,
) -> Graph:
    """The whole public catalogue: a dcat:Catalog linking every public dataset."""
    writer = _Writer(site, series, store, profile)
    graph = writer.graph
    catalog = URIRef(site.catalog_url)
    graph.add((catalog, RDF.type, DCAT.Catalog))
    graph.add((catalog, DCTERMS.title, Literal(site.title, lang="en")))
    graph.add((catalog, DCTERMS.description, Literal(f"Open data published by {COUNCIL}.")))
    graph.add((catalog, FOAF.homepage, writer.document(f"{site.base_url}/")))
    graph.add((catalog, DCTERMS.license, writer.licence(OGL_URL)))
    graph.add((catalog, DCTERMS.language, writer.english()))
    graph.add((catalog, DCTERMS.spatial, writer.council_area()))
    graph.add((catalog, DCTERMS.publisher, writer.agent(COUNCIL_HOMEPAGE, COUNCIL)))
    if views:
        graph.add((catalog, DCTERMS.modified, _datetime(max(v.updated_at for v in views))))
    for view in views:
        graph.add((catalog, DCAT.dataset, writer.dataset(view)))
    return graph


def dataset_graph(
    view: PublicDataset,
    *,
    site: Site,
    series: SeriesCoverage | None,
    store: FileStore,
    profile: Profile = DCAT_AP_3,
) -> Graph:
    coverage = {view.dataset.id: series} if series is not None else {}
    writer = _Writer(site, coverage, store, profile)
    writer.dataset(view)
    return writer.graph


def dataset_uri(dataset: Dataset, base_url: str) -> URIRef:
    return URIRef(f"{base_url}/datasets/{dataset.name}")


def version_url(dataset: Dataset, resource: Resource, version: ResourceVersion, base: str) -> str:
    """The permanent link to exactly this file, as released (it never changes)."""
    return (
        f"{base}/datasets/{dataset.name}/resources/{resource.id}/versions/{version.number}"
        f"/download/{quote(version.filename)}"
    )


def contact_email(dataset: Dataset, site: Site) -> str | None:
    """Whom to write to about a dataset: its own contact, else the site's role mailbox."""
    return dataset.contact_email or site.contact_email


def contact_name(dataset: Dataset, series: SeriesCoverage | None) -> str:
    """A contact's name: the dataset's contact, an indicator's responsible role, else its
    publisher; never a person unless the publisher wrote one as the contact."""
    return dataset.contact_name or (series.role if series else "") or dataset.organisation.title


class _Writer:
    """Adds public datasets to one graph as one profile describes them."""

    def __init__(
        self,
        site: Site,
        series: Mapping[str, SeriesCoverage],
        store: FileStore,
        profile: Profile,
    ) -> None:
        self.site, self.series, self.store, self.profile = site, series, store, profile
        self.graph = _bind(Graph())

    def dataset(self, view: PublicDataset) -> URIRef:
        """Add one public dataset with its released distributions; return its URI."""
        graph, dataset = self.graph, view.dataset
        series = self.series.get(dataset.id)
        node = dataset_uri(dataset, self.site.base_url)
        graph.add((node, RDF.type, DCAT.Dataset))
        graph.add((node, DCTERMS.identifier, Literal(dataset.id)))
        graph.add((node, DCTERMS.title, Literal(dataset.title, lang="en")))
        graph.add((node, DCTERMS.description, Literal(dataset.description or dataset.title)))
        graph.add((node, DCAT.landingPage, self.document(str(node))))
        graph.add((node, DCTERMS.license, self.licence(dataset.licence.url)))
        graph.add((node, DCTERMS.language, self.english()))
        if dataset.published_at:
            graph.add((node, DCTERMS.issued, _datetime(dataset.published_at)))
        graph.add((node, DCTERMS.modified, _datetime(view.updated_at)))
        organisation = f"{self.site.base_url}/organisations/{dataset.organisation.name}"
        graph.add((node, DCTERMS.publisher, self.agent(organisation, dataset.organisation.title)))
        self._contact(node, dataset, series)
        for topic in dataset.topics:
            theme = URIRef(f"{self.site.base_url}/topics/{topic.name}")
            graph.add((node, DCAT.theme, theme))
            graph.add((theme, RDF.type, SKOS.Concept))
            graph.add((theme, SKOS.prefLabel, Literal(topic.title, lang="en")))
        for tag in dataset.tags:
            graph.add((node, DCAT.keyword, Literal(tag.name, lang="en")))
        if dataset.frequency in FREQUENCIES:
            frequency = self._concept(FREQUENCY[FREQUENCIES[dataset.frequency]], "frequency")
            graph.add((node, DCTERMS.accrualPeriodicity, frequency))
            graph.add((frequency, RDF.type, DCTERMS.Frequency))
        if series is not None:
            self._temporal(node, series.start, series.end)
            graph.add((node, DCTERMS.spatial, self.council_area()))
        else:
            self._temporal(node, dataset.temporal_start, dataset.temporal_end)
            self._spatial(node, dataset.spatial)
        for file in view.files:
            graph.add((node, DCAT.distribution, self._distribution(dataset, file)))
        return node

    def document(self, url: str) -> URIRef:
        page = URIRef(url)
        self.graph.add((page, RDF.type, FOAF.Document))
        return page

    def licence(self, url: str) -> URIRef:
        licence = URIRef(url)
        self.graph.add((licence, RDF.type, DCTERMS.LicenseDocument))
        return licence

    def english(self) -> URIRef:
        language = self._concept(LANGUAGE.ENG, "language")
        self.graph.add((language, RDF.type, DCTERMS.LinguisticSystem))
        return language

    def agent(self, url: str, name: str) -> URIRef:
        agent = URIRef(url)
        self.graph.add((agent, RDF.type, FOAF.Agent))
        self.graph.add((agent, RDF.type, FOAF.Organization))
        self.graph.add((agent, FOAF.name, Literal(name)))
        return agent

    def council_area(self) -> URIRef:
        area = GSS[self.site.area_code]
        self._place(area, self.site.area_name)
        return area

    def _concept(self, concept: URIRef, scheme: str) -> URIRef:
        """A term of an EU vocabulary, saying which list it is from (as DCAT-AP checks)."""
        self.graph.add((concept, SKOS.inScheme, URIRef(f"{AUTHORITY}{scheme}")))
        return concept

    def _place(self, place: URIRef | BNode, label: str) -> URIRef | BNode:
        self.graph.add((place, RDF.type, DCTERMS.Location))
        self.graph.add((place, RDFS.label, Literal(label, lang="en")))
        return place

    def _contact(self, node: URIRef, dataset: Dataset, series: SeriesCoverage | None) -> None:
        """A vCard for questions: an email address where one is known, else the publisher's
        page here, so every dataset has somewhere to ask."""
        card = BNode(f"contact-{dataset.id}")
        self.graph.add((node, DCAT.contactPoint, card))
        self.graph.add((card, RDF.type, VCARD.Kind))
        self.graph.add((card, RDF.type, VCARD.Organization))
        self.graph.add((card, VCARD.fn, Literal(contact_name(dataset, series))))
        email = contact_email(dataset, self.site)
        if email:
            self.graph.add((card, VCARD.hasEmail, URIRef(f"mailto:{email}")))
        else:
            page = f"{self.site.base_url}/organisations/{dataset.organisation.name}"
            self.graph.add((card, VCARD.hasURL, URIRef(page)))

    def _temporal(self, node: URIRef, start: date | None, end: date | None) -> None:
        if start is None and end is None:
            return
        period = BNode(f"period-{node_id(node)}")
        self.graph.add((node, DCTERMS.temporal, period))
        self.graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
        if start:
            self.graph.add((period, DCAT.startDate, Literal(start.isoformat(), datatype=XSD.date)))
        if end:
            self.graph.add((period, DCAT.endDate, Literal(end.isoformat(), datatype=XSD.date)))

    def _spatial(self, node: URIRef, spatial: str | None) -> None:
        if not spatial:
            return
        place: URIRef | BNode
        if spatial.strip().lower() == self.site.area_name.lower():
            place = self.council_area()
        elif spatial.startswith(("http://", "https://")):
            place = self._place(URIRef(spatial), spatial)
        else:
            place = self._place(BNode(f"place-{node_id(node)}"), spatial)
        self.graph.add((node, DCTERMS.spatial, place))

    def _distribution(self, dataset: Dataset, file: PublicFile) -> URIRef:
        """The file as it is now: its page here, downloading its current public version, with
        every public version linked (a link has no versions: it is reached where it lives)."""
        resource, latest = file.resource, file.latest
        page = f"{self.site.base_url}/datasets/{dataset.name}/resources/{resource.id}"
        node = URIRef(page)
        self._file_node(node, dataset, resource, resource.title)
        if latest is None:
            self.graph.add((node, DCAT.accessURL, URIRef(resource.link_url or page)))
            self.graph.add((node, DCTERMS.modified, _datetime(file.updated_at)))
            return node
        self.graph.add((node, DCAT.accessURL, node))
        self._download(node, dataset, resource, latest)
        previous: URIRef | None = None
        for version in file.versions:
            version_node = URIRef(f"{page}/versions/{version.number}")
            title = f"{resource.title} (version {version.number})"
            self._file_node(version_node, dataset, resource, title)
            self.graph.add((version_node, DCAT.accessURL, version_node))
            self._download(version_node, dataset, resource, version)
            self.graph.add((version_node, DCAT3.version, Literal(str(version.number))))
            self.graph.add((node, DCAT3.hasVersion, version_node))
            self.graph.add((version_node, DCAT3.isVersionOf, node))
            if previous is not None:
                self.graph.add((version_node, DCAT3.previousVersion, previous))
            previous = version_node
        self.graph.add((node, DCAT3.hasCurrentVersion, URIRef(f"{page}/versions/{latest.number}")))
        return node

    def _file_node(self, node: URIRef, dataset: Dataset, resource: Resource, title: str) -> None:
        graph = self.graph
        graph.add((node, RDF.type, DCAT.Distribution))
        graph.add((node, DCTERMS.title, Literal(title, lang="en")))
        if resource.description:
            graph.add((node, DCTERMS.description, Literal(resource.description)))
        graph.add((node, DCTERMS.license, self.licence(dataset.licence.url)))
        if resource.format in FILE_TYPES:
            file_type = self._concept(FILE_TYPE[FILE_TYPES[resource.format]], "file-type")
            graph.add((node, DCTERMS.format, file_type))
            graph.add((file_type, RDF.type, DCTERMS.MediaTypeOrExtent))
        if resource.link_url is not None and resource.format in MEDIA_TYPES:
            self._media_type(node, MEDIA_TYPES[resource.format])

    def _download(
        self, node: URIRef, dataset: Dataset, resource: Resource, version: ResourceVersion
    ) -> None:
        """What a download of exactly this version gives: its address, size and checksum."""
        graph, profile = self.graph, self.profile
        url = URIRef(version_url(dataset, resource, version, self.site.base_url))
        graph.add((node, DCAT.downloadURL, url))
        self._media_type(node, version.media_type.split(";")[0].strip())
        graph.add((node, DCAT.byteSize, Literal(str(version.size), datatype=profile.byte_size)))
        if version.published_at:
            graph.add((node, DCTERMS.issued, _datetime(version.published_at)))
        try:
            digest = self.store.digest(version.sha256, profile.checksum)
        except NotFound:
            log.error("The stored file of %s is missing: its checksum is left out", url)
            return
        checksum = BNode(f"checksum-{profile.checksum}-{digest}")
        algorithm = SPDX[f"checksumAlgorithm_{profile.checksum}"]
        graph.add((node, SPDX.checksum, checksum))
        graph.add((checksum, RDF.type, SPDX.Checksum))
        graph.add((checksum, SPDX.algorithm, algorithm))
        graph.add((algorithm, RDF.type, SPDX.ChecksumAlgorithm))
        graph.add((checksum, SPDX.checksumValue, Literal(digest, datatype=XSD.hexBinary)))

    def _media_type(self, node: URIRef, media_type: str) -> None:
        term = IANA[media_type]
        self.graph.add((node, DCAT.mediaType, term))
        self.graph.add((term, RDF.type, DCTERMS.MediaType))


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


def node_id(node: URIRef) -> str:
    """A blank node name derived from its subject, so the same graph serialises the same way
    every time and its ETag can answer 304."""
    return hashlib.sha256(str(node).encode()).hexdigest()[:16]


def _datetime(moment: datetime) -> Literal:
    """Stored times are naive UTC; say so, so the literal means one instant everywhere."""
    return Literal(moment.isoformat() + "Z", datatype=XSD.dateTime)
