""" "Cite this data": BibTeX and CSL JSON for each released version, at URLs beside its page.

The cited URL is the version's permanent page, made absolute with `OPENDATA_BASE_URL` so a
citation names the public address even behind a proxy.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, url_for

from catalog.publishing.citations import (
    Citation,
    as_bibtex,
    as_csl_json,
    citation_for,
    get_citation,
)
from opendata.database import get_session

bp = Blueprint("citations", __name__)

VERSION_PATH = "/datasets/<name>/resources/<resource_id>/versions/<int:number>"
BIBTEX_TYPE = "application/x-bibtex; charset=utf-8"
CSL_JSON_TYPE = "application/vnd.citationstyles.csl+json; charset=utf-8"


@bp.get(f"{VERSION_PATH}/cite.bib")
def bibtex(name: str, resource_id: str, number: int):
    citation = _citation(name, resource_id, number)
    return _document(as_bibtex(citation), BIBTEX_TYPE, f"{citation.key}.bib")


@bp.get(f"{VERSION_PATH}/cite.json")
def csl_json(name: str, resource_id: str, number: int):
    citation = _citation(name, resource_id, number)
    return _document(as_csl_json(citation), CSL_JSON_TYPE, f"{citation.key}.json")


def version_citation(resource, version) -> Citation:
    """The citation shown on a version's page."""
    return citation_for(
        resource, version, permanent_url(resource.dataset.name, resource.id, version.number)
    )


def permanent_url(name: str, resource_id: str, number: int) -> str:
    base = current_app.config["SETTINGS"].base_url
    return base + url_for("resources.version", name=name, resource_id=resource_id, number=number)


def _citation(name: str, resource_id: str, number: int) -> Citation:
    url = permanent_url(name, resource_id, number)
    return get_citation(
        get_session(), dataset_name=name, resource_id=resource_id, number=number, url=url
    )


def _document(body: str, content_type: str, filename: str) -> Response:
    response = Response(body, content_type=content_type)
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
