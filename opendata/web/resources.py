"""Resource pages: what a file holds (a preview and its columns) and every version of it, or
for a link to a file hosted elsewhere, where it is and whether it worked when last checked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, render_template, request, url_for

from catalog.errors import Invalid
from catalog.models import TableStatus
from catalog.publishing.link_checker import LinkStatus, last_link_status
from catalog.publishing.resources import get_public_file, get_public_version
from catalog.tables.datastore.engine import datastore_for
from catalog.tables.datastore.query import parse_query, run_query
from catalog.tables.places import places_of
from catalog.tables.reading import preview_cell
from opendata.database import get_session, get_store
from opendata.web.citations import version_citation

bp = Blueprint("resources", __name__)

PREVIEW_ROWS = 100


@dataclass(frozen=True)
class Heading:
    name: str
    href: str | None
    aria_sort: str


@dataclass(frozen=True)
class DataPreview:
    """The first rows of a loaded table, as the data API returns them, ready for the page."""

    headings: list[Heading]
    rows: list[list[str]]
    caption: str
    api_url: str
    csv_url: str
    json_url: str


@dataclass(frozen=True)
class LinkPage:
    """A linked file: its address, the site that holds it, and its last check."""

    url: str
    host: str
    status: LinkStatus | None


@bp.get("/datasets/<name>/resources/<resource_id>")
def show(name: str, resource_id: str):
    file = get_public_file(get_session(), name, resource_id)
    return _render(file, file.latest)


@bp.get("/datasets/<name>/resources/<resource_id>/versions/<int:number>")
def version(name: str, resource_id: str, number: int):
    file = get_public_file(get_session(), name, resource_id)
    return _render(file, get_public_version(file, number))


def _render(file, version):
    resource = file.resource
    return render_template(
        "resource.html",
        dataset=resource.dataset,
        resource=resource,
        file=file,
        version=version,
        preview=_preview(file, version),
        places=places_of(get_store(), version) if version else None,
        fields=(version.table_schema or {}).get("fields", []) if version else [],
        link=_link(resource),
        citation=version_citation(resource, version) if version else None,
    )


def _link(resource) -> LinkPage | None:
    if resource.link_url is None:
        return None
    host = urlsplit(resource.link_url).hostname or resource.link_url
    return LinkPage(resource.link_url, host, last_link_status(get_session(), resource))


def _preview(file, version) -> DataPreview | None:
    """The preview runs the data API's own query; a file with no loaded table has none."""
    table = version.data_table if version else None
    if table is None or table.status != TableStatus.LOADED:
        return None
    sort = request.args.get("sort", "")
    try:
        query = parse_query(table, _sort_params(sort))
    except Invalid as error:
        raise Invalid(error.message, field="sort") from error
    page = run_query(datastore_for(get_session()), table, query)
    exports = _export_urls(file, version)
    return DataPreview(
        headings=[_heading(column, sort) for column in page.columns],
        rows=[[_cell_text(value) for value in row] for row in page.rows],
        caption=_caption(version.filename, len(page.rows), page.total, sort),
        **exports,
    )


def _sort_params(sort: str) -> dict[str, list[str]]:
    params = {"_size": [str(PREVIEW_ROWS)]}
    if sort.startswith("-"):
        params["_sort_desc"] = [sort[1:]]
    elif sort:
        params["_sort"] = [sort]
    return params


def _heading(column, sort: str) -> Heading:
    """A column heading links to sorting by it, ascending first, then descending."""
    state = {column.name: "ascending", f"-{column.name}": "descending"}.get(sort, "none")
    if not (column.indexed or column.indexing):
        return Heading(column.name, None, state)
    target = f"-{column.name}" if state == "ascending" else column.name
    return Heading(column.name, f"?{urlencode({'sort': target})}#preview", state)


def _caption(filename: str, shown: int, total: int, sort: str) -> str:
    caption = f"First {shown} rows of {filename}"
    if total > shown:
        caption += f" (the file has {total:,} rows)"
    if sort.startswith("-"):
        caption += f", sorted by {sort[1:]}, largest first"
    elif sort:
        caption += f", sorted by {sort}, smallest first"
    return caption


def _export_urls(file, version) -> dict[str, str]:
    """The data API for this version: without `version` when it is the newest one."""
    params: dict[str, Any] = {} if version is file.latest else {"version": version.number}
    rid = file.resource.id
    return {
        "api_url": url_for("data.rows", resource_id=rid, _external=True, **params),
        "csv_url": url_for("data.export", resource_id=rid, fmt="csv", **params),
        "json_url": url_for("data.export", resource_id=rid, fmt="json", **params),
    }


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return preview_cell(str(value))
