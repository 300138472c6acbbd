"""DCAT for harvesters (data.gov.uk, the European data portal): the catalogue and each dataset
as JSON-LD, Turtle and RDF/XML, built once as a graph by `opendata.dcat_graph`."""

from __future__ import annotations

from flask import Blueprint, Response, current_app

from catalog.distribution.feeds import public_datasets_for_metadata
from catalog.publishing.datasets import get_public_dataset
from catalog.visibility import public_view
from opendata.database import get_session
from opendata.dcat_graph import catalog_graph, dataset_graph

bp = Blueprint("dcat", __name__)

FORMATS = {
    "jsonld": ("json-ld", "application/ld+json"),
    "ttl": ("turtle", "text/turtle"),
    "rdf": ("xml", "application/rdf+xml"),
}
CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "spdx": "http://spdx.org/rdf/terms#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


@bp.get("/catalog.<any(jsonld, ttl, rdf):extension>")
def catalogue(extension: str):
    settings = current_app.config["SETTINGS"]
    views = public_datasets_for_metadata(get_session())
    graph = catalog_graph(views, base_url=settings.base_url, title=settings.site_name)
    return _serialised(graph, extension)


@bp.get("/datasets/<name>.<any(jsonld, ttl, rdf):extension>")
def dataset(name: str, extension: str):
    found = public_view(get_public_dataset(get_session(), name))
    graph = dataset_graph(found, base_url=current_app.config["SETTINGS"].base_url)
    return _serialised(graph, extension)


def _serialised(graph, extension: str) -> Response:
    rdf_format, media_type = FORMATS[extension]
    extra = {"context": CONTEXT} if rdf_format == "json-ld" else {}
    body = graph.serialize(format=rdf_format, **extra)
    response = Response(body, mimetype=media_type)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
