"""`package_search`: CKAN's search parameters read onto the catalogue's public search.

`q`, `fq` and `fq_list` are CKAN's query language (`catalog.search.query_language` reads it:
`*:*`, words, phrases, `field:value`, AND/OR/NOT, ranges on metadata_modified and
metadata_created); all must match, and `q` defaults to everything. `fq_list` is a JSON list, or
the parameter repeated in a GET. `rows` (default 10, at most 1000), `start`; `sort` as CKAN
sorts (`id asc`, `name asc`, `metadata_modified desc`, `score desc, metadata_modified desc`,
...); `facet.field` (a JSON list) and `facet.limit`; `include_private=true`, which with a token
also finds the unpublished datasets of the caller's own organisations (never withdrawn ones,
never other organisations'). A query that cannot be read is CKAN's 409 "Search Error", naming
what could not be read.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError

from catalog.clock import utcnow
from catalog.errors import NotFound
from catalog.names import MAX_ROW_NUMBER, row_number
from catalog.publishing.lookups import organisation_by_ref
from catalog.search import SearchQuery
from catalog.search.finder import find_datasets, find_datasets_for_member
from catalog.search.query_language import Expression, every, parse, read_sort
from opendata.api.ckan_dicts import package_dict
from opendata.auth import current_actor
from opendata.database import get_search, get_session
from opendata.json_limits import bounded_loads

MAX_ROWS = 1000
FIELDS = {  # CKAN's facet fields -> the catalogue's facets
    "organization": "organisation",
    "groups": "topic",
    "tags": "tag",
    "res_format": "format",
    "license_id": "licence",
}


def package_search(params: dict[str, Any]) -> dict[str, Any]:
    """Search public datasets with CKAN's query language (q, fq and fq_list, all of which
    must match), `rows` at a time from `start`, in `sort` order, counting the values of each
    `facet.field`; with a token, `include_private=true` also finds your own organizations'
    unpublished datasets."""
    rows = min(count_param(params, "rows", 10), MAX_ROWS)
    start = count_param(params, "start", 0)
    sort = read_sort(str(params.get("sort") or "score desc"))
    facet_fields = _json_list(params.get("facet.field", "[]"), "facet.field")
    facet_limit = count_param(params, "facet.limit", 50, least=-1)
    per_page, page, skip = _paging(rows, start)
    query = SearchQuery(expression=_expression(params), sort=sort, page=page, per_page=per_page)
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


def _expression(params: dict[str, Any]) -> Expression:
    """What q, fq and every fq_list filter ask for, read at one moment (for NOW)."""
    now = utcnow()
    texts = [("q", params.get("q")), ("fq", params.get("fq"))]
    texts += [("fq_list", text) for text in _fq_list(params.get("fq_list", []))]
    return every(
        [
            parse(str(text), param=name, now=now, organisation_named=_organisation_name)
            for name, text in texts
            if text is not None
        ]
    )


def _fq_list(raw: Any) -> list[str]:
    """A list (a JSON body's, or a repeated GET parameter), a JSON list as text, or one filter."""
    if isinstance(raw, str):
        raw = _json_list(raw, "fq_list") if raw.lstrip().startswith("[") else [raw]
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise ValidationError({"fq_list": ['Send a list of filters, such as ["tags:parking"].']})
    return raw


def _organisation_name(ref: str) -> str | None:
    """An owner_org names an organisation by its CKAN id or its name."""
    try:
        return organisation_by_ref(get_session(), ref).name
    except NotFound:
        return None


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
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise ValidationError({field: ['Send a JSON list of names, such as ["tags"].']})
    return raw
