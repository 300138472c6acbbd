"""`/api/openapi.json` and `/api/docs`: the API description and a readable page made from it."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from opendata.api.ckan import ACTIONS, WRITES
from opendata.api.ckan_openapi import SCHEMAS, TAG, action_paths
from opendata.api.openapi_document import EXAMPLES, PATHS, openapi_document
from opendata.api.openapi_page import documented_operations

bp = Blueprint("openapi", __name__)


@bp.get("/api/openapi.json")
def document():
    response = jsonify(_document())
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/api/docs")
def docs():
    described = _document()
    return render_template(
        "api_docs.html", document=described, operations=documented_operations(described)
    )


def _document() -> dict:
    settings = current_app.config["SETTINGS"]
    ckan = "api_ckan.action" in current_app.view_functions
    return openapi_document(
        base_url=settings.base_url,
        site_name=settings.site_name,
        served=_served_paths(),
        more_paths=action_paths(ACTIONS, WRITES) if ckan else {},
        more_schemas=SCHEMAS,
        more_tags=[TAG] if ckan else [],
    )


def _served_paths() -> set[str]:
    """The documented paths this app answers, found by matching each (with example values)
    against the URL map: a blueprint that is not installed drops out of the description."""
    adapter = current_app.url_map.bind("localhost")
    served = set()
    for path in PATHS:
        try:
            adapter.match(path.format(**EXAMPLES), method="GET")
        except RequestRedirect:
            served.add(path)
        except HTTPException:
            continue
        else:
            served.add(path)
    return served
