"""`package_search`: CKAN's search parameters read onto the catalogue's public search.

Supported: `q`; `fq` as `field:value` terms (quoted values may hold spaces; a leading `+` is
allowed) on organization, groups, tags, res_format and license_id, all of which must match;
`rows` (at most 1000), `start`; `sort` as "score desc", "metadata_modified desc" or
"title_string asc" (also "name asc"); `facet.field` (a JSON list) and `facet.limit`;
`include_private=true`, which with a token also finds the unpublished datasets of the caller's
own organisations (never withdrawn ones, never other organisations').
"""

from __future__ import annotations

import re
from typing import Any

from marshmallow import ValidationError

from catalog.names import MAX_ROW_NUMBER, row_number
from catalog.search import SearchQuery
from catalog.search.finder import find_datasets, find_datasets_for_member
from opendata.api.ckan_dicts import package_dict
from opendata.auth import current_actor
from opendata.database import get_search, get_session
from opendata.json_limits import bounded_loads

MAX_ROWS = 1000
FIELDS = {
    "organization": "organisation",
    "groups": "topic",
    "tags": "tag",
    "res_format": "format",
    "license_id": "licence",
}
SORTS = {
    "score desc": "relevance",
    "metadata_modified desc": "updated",
    "title_string asc": "name",
    "name asc": "name",
}
TERM = re.compile(r'\+?([A-Za-z_]+):(?:"([^"]*)"|(\S+))')


def package_search(params: dict[str, Any]) -> dict[str, Any]:
    """Search public datasets: q, fq, rows, start, sort, facet.field, facet.limit and
    include_private (see this module's docstring)."""
    rows = min(count_param(params, "rows", 10), MAX_ROWS)
    start = count_param(params, "start", 0)
    sort = _sort(params.get("sort"))
    facet_fields = _json_list(params.get("facet.field", "[]"), "facet.field")
    facet_limit = count_param(params, "facet.limit", 50, least=-1)
    per_page, page, skip = _paging(rows, start)
    query = SearchQuery(
        text=str(params.get("q") or "").strip(),
        filters=_filters(str(params.get("fq") or "")),
        sort=sort,
        page=page,
        per_page=per_page,
    )
    actor = current_actor()
    if actor is not None and truthy(params, "include_private"):
        found = find_datasets_for_member(get_session(), get_search(), query, actor=actor)
    else:
        found = find_datasets(get_session(), get_search(), query)
    facets, search_facets = {}, {}
    for field in facet_fields:
        options = found.facets.get(FIELDS.get(field, ""), [])
        if facet_limit >= 0:
            options = options[:facet_limit]
        facets[field] = {option.value: option.count for option in options}
        search_facets[field] = {
            "title": field,
            "items": [
                {"name": o.value, "display_name": o.label, "count": o.count} for o in options
            ],
        }
    return {
        "count": found.total,
        "sort": params.get("sort") or "score desc, metadata_modified desc",
        "results": [package_dict(d) for d in found.datasets[skip : skip + rows]],
        "facets": facets,
        "search_facets": search_facets,
    }


def _paging(rows: int, start: int) -> tuple[int, int, int]:
    """(per_page, page, skip): pages when `start` falls on a page boundary, else one big page."""
    if rows and start % rows == 0:
        return rows, start // rows + 1, 0
    return max(1, start + rows), 1, start


def _filters(fq: str) -> dict[str, tuple[str, ...]]:
    filters: dict[str, list[str]] = {}
    leftover = TERM.sub("", fq).strip()
    if leftover:
        raise ValidationError({"fq": [f"Use field:value terms; could not read '{leftover}'."]})
    for field, quoted, bare in TERM.findall(fq):
        if field not in FIELDS:
            known = ", ".join(FIELDS)
            raise ValidationError({"fq": [f"Cannot filter on '{field}'. Use one of: {known}."]})
        value = quoted or bare
        if field == "res_format":
            value = value.upper()
        filters.setdefault(FIELDS[field], []).append(value)
    return {name: tuple(values) for name, values in filters.items()}


def _sort(raw: Any) -> str:
    if not raw:
        return "relevance"
    first = " ".join(str(raw).split(",")[0].lower().split())
    if first not in SORTS:
        raise ValidationError({"sort": [f"Sort by one of: {', '.join(SORTS)}."]})
    return SORTS[first]


def truthy(params: dict[str, Any], name: str) -> bool:
    value = params.get(name, False)
    return value is True or str(value).lower() in ("true", "1", "yes", "on")


def count_param(params: dict[str, Any], name: str, default: int, *, least: int = 0) -> int:
    """A whole number from `least` to the largest a database holds, as text or JSON; else a
    409 naming the parameter (never a number no query can take)."""
    raw = params.get(name, default)
    text = str(raw).strip()
    number = raw if type(raw) is int else row_number(text.removeprefix("-"))
    if number is not None and type(raw) is not int and text.startswith("-"):
        number = -number
    if number is None or not least <= number <= MAX_ROW_NUMBER:
        raise ValidationError({name: [f"Must be a whole number from {least} to {MAX_ROW_NUMBER}"]})
    return number


def _json_list(raw: Any, field: str) -> list[str]:
    """CKAN's GET parameters carry lists as JSON text (`facet.field=["tags"]`)."""
    if isinstance(raw, str):
        try:
            raw = bounded_loads(raw)
        except ValueError as error:
            raise ValidationError({field: ['Send a JSON list, such as ["tags"].']}) from error
    if not isinstance(raw, list):
        raise ValidationError({field: ['Send a JSON list, such as ["tags"].']})
    return [str(item) for item in raw]
