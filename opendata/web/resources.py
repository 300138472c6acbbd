"""Resource pages: what a file holds (a preview and its columns) and every version of it."""

from __future__ import annotations

from flask import Blueprint, render_template

from catalog.resources import get_public_resource, get_public_version
from catalog.tabular import TABULAR_FORMATS, preview
from opendata.database import get_session, get_store

bp = Blueprint("resources", __name__)

PREVIEW_ROWS = 10


@bp.get("/datasets/<name>/resources/<resource_id>")
def show(name: str, resource_id: str):
    resource = get_public_resource(get_session(), name, resource_id)
    return _render(resource, resource.latest_public)


@bp.get("/datasets/<name>/resources/<resource_id>/versions/<int:number>")
def version(name: str, resource_id: str, number: int):
    resource = get_public_resource(get_session(), name, resource_id)
    return _render(resource, get_public_version(resource, number))


def _render(resource, version):
    table = None
    if version is not None and resource.format in TABULAR_FORMATS:
        table = preview(get_store().path_for(version.sha256), limit=PREVIEW_ROWS)
    return render_template(
        "resource.html",
        dataset=resource.dataset,
        resource=resource,
        version=version,
        table=table,
        fields=(version.table_schema or {}).get("fields", []) if version else [],
    )
