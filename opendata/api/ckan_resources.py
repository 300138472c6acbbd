"""CKAN read actions about resources: one resource, a search of them by field, their views
(the table preview the resource page shows) and the formats in use.

A file is shown as released (its newest released version); a member of the owning
organisation also reads the files of its unpublished datasets, as `resource_show` allows.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError

from catalog.errors import Invalid, NotFound
from catalog.models import Resource, ResourceVersion, TableStatus
from catalog.publishing.lookups import find_resource
from catalog.publishing.resource_search import (
    ResourceQuery,
    public_formats,
    search_public_resources,
)
from catalog.visibility import is_public, public_view
from opendata.api.ckan_dicts import resource_dict
from opendata.api.ckan_params import number, required, text
from opendata.api.ckan_search import count_param
from opendata.auth import current_actor
from opendata.database import get_session

MAX_RESULTS = 1000
MAX_FORMATS = 100


def resource_show(params: dict[str, Any]) -> dict[str, Any]:
    """One released file of a public dataset by `id` (members also see unpublished ones).
    `include_tracking` is accepted and changes nothing."""
    return resource_dict(_resource(params))


def resource_search(params: dict[str, Any]) -> dict[str, Any]:
    """Released files matching every term of `query`, a "field:term" string or a list of
    them. Fields: name, description, format and url (a link's address or a file's name) hold
    the term, ignoring case; hash starts with it. `order_by` one of name, description, format,
    created, position, id; `offset`; `limit` (at most 1000). Gives {count, results}."""
    terms = _terms(params.get("query"))
    query = ResourceQuery(
        terms=terms,
        order_by=text(params, "order_by") or None,
        offset=count_param(params, "offset", 0),
        limit=number(params, "limit", MAX_RESULTS, most=MAX_RESULTS),
    )
    try:
        count, found = search_public_resources(get_session(), query)
    except Invalid as error:
        raise ValidationError({error.field or "query": [error.message]}) from None
    return {"count": count, "results": [resource_dict(resource) for resource in found]}


def _terms(query: Any) -> tuple[tuple[str, str], ...]:
    if query in (None, "", []):
        raise ValidationError({"query": ["Missing value"]})
    pairs = [query] if isinstance(query, str) else query
    if not isinstance(pairs, list) or not all(isinstance(p, str) and ":" in p for p in pairs):
        raise ValidationError({"query": ["Must be <field>:<value> pair(s)"]})
    return tuple((field.strip(), term) for field, _, term in (p.partition(":") for p in pairs))


def resource_view_list(params: dict[str, Any]) -> list[dict[str, Any]]:
    """The views of a resource by `id`: a table whose data is loaded has one, the sortable
    preview its page shows ("datatables_view"); a link or any other file has none."""
    resource = _resource(params)
    return [_table_view(resource)] if _has_table(resource) else []


def resource_view_show(params: dict[str, Any]) -> dict[str, Any]:
    """One view by `id`: a table view's id is its resource's id."""
    resource = _resource(params)
    if not _has_table(resource):
        raise NotFound(f"There is no view with the id '{resource.id}'.")
    return _table_view(resource)


def _resource(params: dict[str, Any]) -> Resource:
    return find_resource(get_session(), required(params, "id"), actor=current_actor())


def _has_table(resource: Resource) -> bool:
    """Whether the version the caller is shown has its table loaded for querying."""
    version = _shown_version(resource)
    table = version.data_table if version else None
    return table is not None and table.status == TableStatus.LOADED


def _shown_version(resource: Resource) -> ResourceVersion | None:
    if not is_public(resource.dataset):
        return resource.latest
    file = public_view(resource.dataset).file(resource.id)
    return file.latest if file else None


def _table_view(resource: Resource) -> dict[str, Any]:
    return {
        "id": resource.id,
        "resource_id": resource.id,
        "package_id": resource.dataset_id,
        "view_type": "datatables_view",
        "title": "Table",
        "description": "The table's rows, sortable by column, as the resource page shows them.",
        "filterable": True,
        "responsive": False,
    }


def format_autocomplete(params: dict[str, Any]) -> list[str]:
    """Formats of released files whose name holds `q`, most used first, at most `limit` (5),
    in lower case."""
    query = text(params, "q")
    if not query:
        raise ValidationError({"q": ["Missing value"]})
    limit = number(params, "limit", 5, most=MAX_FORMATS)
    return public_formats(get_session(), containing=query, limit=limit)


ACTIONS = {
    function.__name__: function
    for function in (
        resource_show,
        resource_search,
        resource_view_list,
        resource_view_show,
        format_autocomplete,
    )
}
