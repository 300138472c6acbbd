"""DCAT for harvesters (data.gov.uk, the European data portal): the catalogue and each dataset
as JSON-LD, Turtle and RDF/XML, built once as a graph by `opendata.dcat_graph`.

`/catalog` is the catalogue's own IRI: it answers a harvester in the format its Accept header
names and sends a browser to the dataset search. DCAT-AP 3.0 is the default; `?_profile=
dcat-ap-2.1.1` gives the DCAT-AP 2.1.1 form (decimal byte sizes, SHA-1 checksums) for a
harvester that validates against that version, such as the European data portal's.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, redirect, request, url_for

from catalog.distribution.feeds import public_datasets_for_metadata
from catalog.errors import Invalid
from catalog.indicators.scorecard import series_coverage
from catalog.publishing.datasets import get_public_dataset
from catalog.visibility import public_view
from opendata.database import get_session, get_store
from opendata.dcat_graph import DCAT_AP_3, PROFILES, Profile, Site, catalog_graph, dataset_graph

bp = Blueprint("dcat", __name__)

FORMATS = {
    "jsonld": ("json-ld", "application/ld+json"),
    "ttl": ("turtle", "text/turtle"),
    "rdf": ("xml", "application/rdf+xml"),
}
# What /catalog offers, in the order it prefers when a client takes anything (`*/*`).
NEGOTIATED = {media_type: extension for extension, (_, media_type) in FORMATS.items()}
OFFERED = ["text/turtle", "application/ld+json", "application/rdf+xml", "text/html"]
CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "spdx": "http://spdx.org/rdf/terms#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


@bp.get("/catalog")
def negotiated():
    """The catalogue's IRI resolves: RDF in the format asked for, the search page for people."""
    best = request.accept_mimetypes.best_match(OFFERED, default="text/turtle")
    if best == "text/html":
        response = redirect(url_for("search.datasets"), 303)
    else:
        response = catalogue(NEGOTIATED[best])
        response.headers["Content-Location"] = url_for("dcat.catalogue", extension=NEGOTIATED[best])
    response.vary.add("Accept")
    return response


@bp.get("/catalog.<any(jsonld, ttl, rdf):extension>")
def catalogue(extension: str):
    session, site = get_session(), _site()
    views = public_datasets_for_metadata(session)
    series = series_coverage(session, [view.dataset for view in views], get_store())
    graph = catalog_graph(views, site=site, series=series, store=get_store(), profile=_profile())
    return _serialised(graph, extension)


@bp.get("/datasets/<name>.<any(jsonld, ttl, rdf):extension>")
def dataset(name: str, extension: str):
    session = get_session()
    view = public_view(get_public_dataset(session, name))
    series = series_coverage(session, [view.dataset], get_store()).get(view.dataset.id)
    graph = dataset_graph(view, site=_site(), series=series, store=get_store(), profile=_profile())
    return _serialised(graph, extension)


def _site() -> Site:
    return Site.from_settings(current_app.config["SETTINGS"])


def _profile() -> Profile:
    name = request.args.get("_profile", DCAT_AP_3.name)
    if name not in PROFILES:
        raise Invalid(
            f"There is no DCAT profile '{name}': use one of {', '.join(PROFILES)}.",
            field="_profile",
        )
    return PROFILES[name]


def _serialised(graph, extension: str) -> Response:
    rdf_format, media_type = FORMATS[extension]
    extra = {"context": CONTEXT} if rdf_format == "json-ld" else {}
    body = graph.serialize(format=rdf_format, **extra)
    response = Response(body, mimetype=media_type)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
