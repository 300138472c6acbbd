"""CKAN's `datastore_search` and `datastore_info` on our datastore, through the public read
model (only the newest loaded public version of a published file is served).

Parameters are read as CKAN 2.10 reads them: `id` for `resource_id`, JSON text for `filters`
and a `q` object in a query string, comma lists for `fields` and `sort`, CKAN's booleans, a
`limit` cut to 32,000. Records come as CKAN's `records_format` asks. Bad input is a 409
naming the parameter; an unknown or unpublished table is a 404. How `_id`, `q`, the sort and
the total work is told in `catalog.tables.datastore.records`.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any, cast
from urllib.parse import urlencode

from marshmallow import ValidationError

from catalog.models import DataTable, ResourceVersion
from catalog.tables.datastore.engine import datastore_for
from catalog.tables.datastore.query import QueryTimeout
from catalog.tables.datastore.records import (
    ROWS_MAX,
    Records,
    RecordSearch,
    SortKey,
    find_records,
    record_columns,
)
from catalog.tables.datastore.serving import served_table
from catalog.tables.datastore.tables import DataColumn, native_type
from opendata.api.ckan_search import count_param
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
FORMATS = ("objects", "lists", "csv", "tsv")
TRUE_WORDS = ("true", "yes", "t", "y", "1", "on")
SORT_CLAUSE = re.compile(r"^(.+?)(?: +(asc|desc))?(?: +nulls +(first|last))? *$", re.IGNORECASE)
SEARCH_PATH = "/api/3/action/datastore_search"


def datastore_search(params: dict[str, Any]) -> dict[str, Any]:
    """Rows of a published table. `resource_id` (or `id`); `filters`: {column: value or list
    of values}; `q`: words to find in any column, or {column: words}; `full_text`: words to
    find in any column, in place of a text `q`; `plain` (default true; false takes
    to_tsquery's & | ! and brackets); `fields`; `sort` ("a desc, b nulls first");
    `distinct`; `limit` (default 100, at most 32,000; 0 for the fields and total only);
    `offset`; `include_total` (default true); `total_estimation_threshold` (a total above it
    may be estimated: see `total_was_estimated`); `records_format`: objects, lists, csv or
    tsv (no header)."""
    resource_id = _resource_id(params)
    records_format = _choice(params, "records_format", FORMATS)
    search = _search(params)
    session = get_session()
    _resource, version, table = served_table(session, resource_id)
    try:
        found = find_records(datastore_for(session), table, search)
    except QueryTimeout as error:
        raise ValidationError({"query": [error.message]}) from None
    result: dict[str, Any] = {
        "include_total": search.include_total,
        "resource_id": resource_id,
        "fields": [_field(column, version) for column in found.columns],
        "records_format": records_format,
        "records": _records(found, records_format),
        "limit": search.limit,
        "offset": search.offset,
        "_links": _links(params, search),
    }
    if search.include_total:
        result["total"] = found.total
        result["total_was_estimated"] = found.total_was_estimated
    return result


def datastore_info(params: dict[str, Any]) -> dict[str, Any]:
    """What the datastore holds for a published table, as CKAN 2.11 answers: `meta` (id,
    count, table_type, aliases) unless `include_meta` is false, and `fields` (not `_id`), each
    with a `schema` (native_type, index_name, is_index, notnull, uniquekey) unless
    `include_fields_schema` is false. Takes `resource_id` or `id`."""
    resource_id = _resource_id(params)
    _resource, version, table = served_table(get_session(), resource_id)
    with_schema = _flag(params, "include_fields_schema", default=True)
    fields = []
    for column in record_columns(table):
        if column.name.startswith("_"):
            continue
        described = _field(column, version)
        if with_schema:
            described["schema"] = _column_schema(table, column)
        fields.append(described)
    info: dict[str, Any] = {"fields": fields}
    if _flag(params, "include_meta", default=True):
        info["meta"] = {
            "id": resource_id,
            "count": table.row_count,
            "table_type": "BASE TABLE",
            "aliases": [],
        }
    return info


def _search(params: dict[str, Any]) -> RecordSearch:
    words, column_words = _q(params)
    return RecordSearch(
        fields=_names(params.get("fields"), "fields") or None,
        filters=_filters(params),
        full_text=_text(params, "full_text") or words,
        column_text=column_words,
        plain=_flag(params, "plain", default=True),
        sort=_sort(params.get("sort")),
        limit=min(count_param(params, "limit", 100), ROWS_MAX),
        offset=count_param(params, "offset", 0),
        distinct=_flag(params, "distinct", default=False),
        include_total=_flag(params, "include_total", default=True),
        estimate_above=_threshold(params),
    )


def _resource_id(params: dict[str, Any]) -> str:
    resource_id = params.get("resource_id") or params.get("id")
    if not resource_id or not isinstance(resource_id, str):
        raise ValidationError({"resource_id": ["Missing value"]})
    return resource_id


def _field(column: DataColumn, version: ResourceVersion) -> dict[str, Any]:
    """A column as CKAN describes it, with the Table Schema's title and description as the
    data dictionary's `label` and `notes`."""
    described: dict[str, Any] = {"id": column.name, "type": CKAN_TYPES.get(column.type, "text")}
    schema: dict[str, Any] = next(
        (f for f in (version.table_schema or {}).get("fields", []) if f["name"] == column.name),
        {},
    )
    info = {
        key: schema[name]
        for key, name in (("label", "title"), ("notes", "description"))
        if schema.get(name)
    }
    if info:
        described["info"] = info
    return described


def _column_schema(table: DataTable, column: DataColumn) -> dict[str, Any]:
    return {
        "native_type": native_type(column),
        "index_name": f"ix_{table.table_name}_{column.key}" if column.indexed else None,
        "is_index": column.indexed,
        "notnull": False,
        "uniquekey": False,
    }


def _records(found: Records, records_format: str) -> Any:
    if records_format == "objects":
        names = [column.name for column in found.columns]
        return [dict(zip(names, row, strict=True)) for row in found.rows]
    if records_format == "lists":
        return [list(row) for row in found.rows]
    buffer = io.StringIO()
    delimiter = "," if records_format == "csv" else "\t"
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerows([_cell(value) for value in row] for row in found.rows)
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    """A value in CSV as in JSON: true and false, and nothing for a missing value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


def _links(params: dict[str, Any], search: RecordSearch) -> dict[str, str]:
    """The first page and the next, as GET URLs carrying the same search."""
    carried = {
        name: value if isinstance(value, str) else json.dumps(value)
        for name, value in params.items()
        if name != "offset" and value is not None
    }
    start = f"{SEARCH_PATH}?{urlencode(carried)}"
    following = urlencode({**carried, "offset": search.offset + search.limit})
    return {"start": start, "next": f"{SEARCH_PATH}?{following}"}


def _flag(params: dict[str, Any], name: str, *, default: bool) -> bool:
    """CKAN's boolean: true, yes, t, y, 1 (or on) are true; anything else sent is false."""
    value = params.get(name)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in TRUE_WORDS


def _choice(params: dict[str, Any], name: str, allowed: tuple[str, ...]) -> str:
    value = params.get(name) or allowed[0]
    if value not in allowed:
        raise ValidationError({name: [f"Value must be one of {', '.join(allowed)}"]})
    return str(value)


def _threshold(params: dict[str, Any]) -> int | None:
    if params.get("total_estimation_threshold") in (None, ""):
        return None
    return count_param(params, "total_estimation_threshold", 0)


def _json(raw: Any, field: str) -> Any:
    try:
        return bounded_loads(raw)
    except ValueError as error:
        raise ValidationError({field: ["Cannot parse JSON"]}) from error


def _filters(params: dict[str, Any]) -> dict[str, list[Any]]:
    raw = params.get("filters") or {}
    if isinstance(raw, str):
        raw = _json(raw, "filters")
    if not isinstance(raw, dict):
        raise ValidationError({"filters": ["Not a JSON object"]})
    filters = {}
    for name, value in raw.items():
        values = value if isinstance(value, list) else [value]
        if any(isinstance(item, dict | list) for item in values):
            raise ValidationError({"filters": [f"'{name}' must be a value or a list of values"]})
        filters[name] = values
    return filters


def _q(params: dict[str, Any]) -> tuple[str | None, dict[str, str]]:
    """`q` as words to find in any column, or as {column: words} (sent as an object, or as
    JSON text of one in a query string)."""
    raw = params.get("q")
    if raw in (None, ""):
        return None, {}
    if isinstance(raw, str):
        try:
            parsed = bounded_loads(raw)
        except ValueError:
            return raw, {}
        if not isinstance(parsed, dict):
            return raw, {}
        raw = parsed
    if not isinstance(raw, dict) or not all(isinstance(value, str) for value in raw.values()):
        raise ValidationError({"q": ["Send words, or an object of column: words"]})
    return None, {str(name): value for name, value in raw.items() if value}


def _text(params: dict[str, Any], name: str) -> str | None:
    raw = params.get(name)
    if raw in (None, ""):
        return None
    if not isinstance(raw, str):
        raise ValidationError({name: ["Must be text"]})
    return raw


def _names(raw: Any, field: str) -> list[str]:
    """A list, JSON text of one, or CKAN's comma list (a name may be in double quotes)."""
    if raw in (None, ""):
        return []
    if isinstance(raw, str):
        stripped = raw.strip()
        if stripped.startswith("["):
            raw = _json(stripped, field)
        else:
            return [_unquoted(name) for name in stripped.split(",") if name.strip()]
    if isinstance(raw, list) and all(isinstance(name, str) for name in raw):
        return [_unquoted(name) for name in raw]
    raise ValidationError({field: ["Not a list of column names"]})


def _unquoted(name: str) -> str:
    name = name.strip()
    return name[1:-1] if len(name) > 1 and name[0] == name[-1] == '"' else name


def _sort(raw: Any) -> list[SortKey]:
    """CKAN's sort: clauses "column [asc|desc] [nulls first|last]", comma-separated."""
    keys = []
    clauses = raw.split(",") if isinstance(raw, str) else _names(raw, "sort")
    for clause in clauses:
        if not clause.strip():
            continue
        # Any text matches: what is left after the direction is the column's name.
        name, direction, nulls = cast(re.Match[str], SORT_CLAUSE.match(clause.strip())).groups()
        keys.append(
            SortKey(
                name=_unquoted(name),
                descending=(direction or "asc").lower() == "desc",
                nulls_first=None if nulls is None else nulls.lower() == "first",
            )
        )
    return keys


ACTIONS = {"datastore_search": datastore_search, "datastore_info": datastore_info}
