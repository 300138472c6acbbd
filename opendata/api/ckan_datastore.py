"""CKAN's `datastore_search` on our datastore: the same query engine as `/api/data/`, so a
CKAN client's filters, sort and paging obey the same rules (bound values, indexed sorts,
public versions only) and see the same rows."""

from __future__ import annotations

from itertools import islice
from typing import Any

from marshmallow import ValidationError

from catalog.errors import Invalid
from catalog.tables.datastore.engine import datastore_for
from catalog.tables.datastore.query import parse_query, run_query, stream
from catalog.tables.datastore.serving import served_table
from opendata.api.ckan_search import count_param, truthy
from opendata.database import get_session
from opendata.json_limits import bounded_loads

CKAN_TYPES = {
    "integer": "int",
    "year": "int",
    "number": "numeric",
    "boolean": "bool",
    "date": "date",
    "datetime": "timestamp",
    "time": "time",
}
MAX_OFFSET = 100_000
CKAN_FIELDS = {"_sort": "sort", "_sort_desc": "sort", "_col": "fields", "_size": "limit"}


def datastore_search(params: dict[str, Any]) -> dict[str, Any]:
    """Rows of a published table: `resource_id`, `filters` (a JSON object of column: value or
    list of values), `fields`, `sort` ("column" or "column desc"), `limit` (default 100,
    at most 10,000), `offset` (at most 100,000; follow `_links.next`), `include_total`."""
    resource_id = params.get("resource_id") or params.get("id")
    if not resource_id:
        raise ValidationError({"resource_id": ["Missing value"]})
    if params.get("q"):
        # Ignoring it would return every row to a client that believes it searched.
        raise ValidationError({"q": ["Full-text q is not supported here: use filters."]})
    session = get_session()
    _resource, _version, table = served_table(session, str(resource_id))
    limit = count_param(params, "limit", 100)
    offset = count_param(params, "offset", 0)
    if offset > MAX_OFFSET:
        raise ValidationError({"offset": [f"Must be at most {MAX_OFFSET:,}"]})
    try:
        query = parse_query(table, _engine_params(params, limit))
    except Invalid as error:
        field = CKAN_FIELDS.get(error.field or "", "filters")
        raise ValidationError({field: [error.message]}) from None
    datastore = datastore_for(session)
    page = run_query(datastore, table, query)
    rows = page.rows
    if offset:
        rows = list(islice(stream(datastore, table, query), offset, offset + limit))
    names = [column.name for column in query.columns]
    result: dict[str, Any] = {
        "resource_id": str(resource_id),
        "fields": [
            {"id": column.name, "type": CKAN_TYPES.get(column.type, "text")}
            for column in query.columns
        ],
        "records": [dict(zip(names, row, strict=True)) for row in rows],
        "limit": limit,
        "offset": offset,
        "_links": {
            "start": f"/api/3/action/datastore_search?resource_id={resource_id}",
            "next": f"/api/3/action/datastore_search?resource_id={resource_id}"
            f"&offset={offset + limit}",
        },
    }
    if "include_total" not in params or truthy(params, "include_total"):
        result["total"] = page.total
    return result


def _engine_params(params: dict[str, Any], limit: int) -> dict[str, list[str]]:
    """CKAN's parameters as the query string `/api/data/` takes."""
    engine: dict[str, list[str]] = {"_size": [str(limit)], "_count": ["exact"]}
    for name, value in _filters(params).items():
        values = value if isinstance(value, list) else [value]
        engine[f"{name}__in"] = [",".join(str(item) for item in values)]
    fields = _names(params.get("fields"), "fields")
    if fields:
        engine["_col"] = fields
    sort = params.get("sort")
    if sort:
        column, _, direction = str(sort).split(",")[0].strip().partition(" ")
        key = "_sort_desc" if direction.strip().lower() == "desc" else "_sort"
        engine[key] = [column.strip().strip('"')]
    return engine


def _filters(params: dict[str, Any]) -> dict[str, Any]:
    raw = params.get("filters") or {}
    if isinstance(raw, str):
        try:
            raw = bounded_loads(raw)
        except ValueError as error:
            raise ValidationError({"filters": ["Not a JSON object"]}) from error
    if not isinstance(raw, dict):
        raise ValidationError({"filters": ["Not a JSON object"]})
    return raw


def _names(raw: Any, field: str) -> list[str]:
    if raw in (None, ""):
        return []
    if isinstance(raw, str):
        return [name.strip() for name in raw.split(",") if name.strip()]
    if isinstance(raw, list):
        return [str(name) for name in raw]
    raise ValidationError({field: ["Not a list of column names"]})


ACTIONS = {"datastore_search": datastore_search}
