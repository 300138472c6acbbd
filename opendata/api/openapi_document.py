"""The OpenAPI 3.1 description of the public HTTP APIs, as one plain dict.

Both `/api/openapi.json` and the `/api/docs` page are generated from it, so the documentation
cannot drift from the description. Paths are listed only when the app really serves them
(the CKAN Action API is added by its own blueprint), so the document never promises a 404.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from catalog.indicators.scorecard import RAG_LABELS
from catalog.indicators.scorecard import SORTS as INDICATOR_SORTS
from catalog.names import MAX_ROW_NUMBER
from catalog.tables.datastore.query import DEFAULT_SIZE, EXACT_TOTAL_UP_TO, MAX_SIZE
from catalog.tables.datastore.totals import ESTIMATE_FROM_ROWS
from opendata.api.indicator_schemas import MAX_LATEST, MAX_PAGE, MAX_PER_PAGE
from opendata.dcat_graph import DCAT_AP_3, PROFILES

Json = dict[str, Any]
ERROR = {"$ref": "#/components/schemas/Error"}
EXAMPLES = {
    "ref": "CSS7",
    "name": "school-census",
    "resource_id": "0b7f4c52-8a7e-4c1e-9a51-6f0d2c3e4b10",
    "organisation": "children-education",
    "topic": "education-and-skills",
}


def _param(name: str, where: str, description: str, schema: Json | None = None) -> Json:
    param: dict[str, Any] = {
        "name": name,
        "in": where,
        "required": where == "path",
        "description": description,
        "schema": schema or {"type": "string"},
    }
    if name in EXAMPLES and where == "path":
        param["example"] = EXAMPLES[name]
    return param


def _responses(ok: str, media: str, *, errors: tuple[int, ...] = (), pages: bool = False) -> Json:
    """Errors are JSON under /api/ and the site's HTML error pages elsewhere (`pages`). Every
    /api/ path can answer 401 (a token that does not work) and 429 (too many requests)."""
    responses: dict[str, Any] = {"200": {"description": ok, "content": {media: {}}}}
    titles = {
        304: "Not modified since the ETag sent in If-None-Match",
        400: "Bad query string",
        401: "The API token sent does not work",
        404: "Not found",
        410: "Withdrawn",
        429: "Too many requests: wait for the time in Retry-After",
        503: "The query took too long: narrow it with filters",
    }
    content = {"text/html": {}} if pages else {"application/json": {"schema": ERROR}}
    for status in sorted({*errors, *(() if pages else (401, 429))}):
        described: Json = {"description": titles[status]}
        responses[str(status)] = described if status == 304 else {**described, "content": content}
    return responses


def _get(
    summary: str,
    tag: str,
    ok: str,
    media: str,
    params: Sequence[Json] = (),
    errors: tuple[int, ...] = (),
    pages: bool = False,
    **extra: Any,
) -> Json:
    operation: dict[str, Any] = {"summary": summary, "tags": [tag], "parameters": list(params)}
    operation["responses"] = _responses(ok, media, errors=errors, pages=pages)
    operation.update(extra)
    return {"get": operation}


def _dcat_dataset(label: str, media: str) -> Json:
    params = [NAME, DCAT_PROFILE]
    return _get("One dataset in DCAT", "DCAT", label, media, params, (400, 404, 410), pages=True)


def _dcat_catalogue(label: str, media: str) -> Json:
    return _get("The DCAT catalogue", "DCAT", label, media, [DCAT_PROFILE], (400,), pages=True)


LIST_PARAMS = [
    _param("q", "query", "Words to find in the reference or title."),
    _param(
        "rag",
        "query",
        "Only red, amber or green indicators, or none (those with no target); empty for all.",
        {"type": "string", "enum": [*RAG_LABELS, "none", ""]},
    ),
    _param(
        "sort",
        "query",
        "Sort order: " + ", ".join(INDICATOR_SORTS) + " (ref unless sent; empty is ref).",
        {"type": "string", "enum": [*INDICATOR_SORTS, ""], "default": "ref"},
    ),
    _param("theme", "query", "A topic's URL name."),
    _param("organisation", "query", "A publisher's URL name."),
    _param("frequency", "query", "Update frequency, e.g. quarterly."),
    _param(
        "page",
        "query",
        "Page number from 1.",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
    ),
    _param(
        "per_page",
        "query",
        "Results per page.",
        {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": 50},
    ),
]
SERIES_PARAMS = [
    _param("ref", "path", "The indicator reference, e.g. CSS7."),
    _param(
        "from",
        "query",
        "First period to include, as councils write periods: 2016/17 Q1, 2016/17, 2016-04, ...",
    ),
    _param("to", "query", "Last period to include, written as from is."),
    _param(
        "latest",
        "query",
        "Only the newest n periods.",
        {"type": "integer", "minimum": 1, "maximum": MAX_LATEST},
    ),
]
NAME = _param("name", "path", "The dataset's URL name.")
DCAT_PROFILE = _param(
    "_profile",
    "query",
    "The DCAT-AP version to follow: dcat-ap-3 (the default) or dcat-ap-2.1.1 (decimal byte "
    "sizes and SHA-1 checksums, as DCAT-AP 2.1.1 asks).",
    {"type": "string", "enum": list(PROFILES), "default": DCAT_AP_3.name},
)
PUBLISHER = _param("organisation", "path", "The publisher's URL name.")
TOPIC = _param("topic", "path", "The topic's URL name.")
DATA_PARAMS = [
    _param(
        "resource_id",
        "path",
        "The file's id, as on its page.",
        {"type": "string", "format": "uuid"},
    ),
    _param(
        "version",
        "query",
        "An older published version (the newest unless sent).",
        {"type": "integer", "minimum": 1, "maximum": MAX_ROW_NUMBER},
    ),
    _param(
        "_sort",
        "query",
        "Sort by this column (one of the first indexed columns), rows without a value first.",
    ),
    _param("_sort_desc", "query", "Sort by this column, largest first (not with _sort)."),
    _param("_col", "query", "Columns to return, repeated or comma-separated."),
    _param(
        "_size",
        "query",
        f"Rows per page, {DEFAULT_SIZE} unless sent.",
        {"type": "integer", "minimum": 1, "maximum": MAX_SIZE, "default": DEFAULT_SIZE},
    ),
    _param("_next", "query", "The token from the previous page's next."),
    _param(
        "_shape",
        "query",
        "Each row as an object (the default) or an array.",
        {"type": "string", "enum": ["objects", "arrays"], "default": "objects"},
    ),
    _param(
        "_count",
        "query",
        f"exact to count every match. Otherwise, past {EXACT_TOTAL_UP_TO:,} matching rows "
        f"in a table of over {ESTIMATE_FROM_ROWS:,} rows, the total may be an estimate "
        "within 1% of the count (with 99.9% confidence; `total_is_exact` false), unless one "
        "index holds every filtered column.",
        {"type": "string", "enum": ["exact"]},
    ),
]
DATA_FILTERS = (
    "Any other parameter filters the rows: `column=value` keeps the rows whose column equals "
    "the value; `column__op=value` compares with op exact, not, gt, gte, lt, lte, contains, "
    "startswith, in (a,b,c) or isnull (true/false). A value must suit the column's type, and "
    "a column, operator, sort or token the table does not have is a 400."
)


def _data(summary: str, label: str, media: str) -> Json:
    """One way of reading a table through the data API: every one takes the same query."""
    return _get(
        summary,
        "Data",
        label,
        media,
        DATA_PARAMS,
        (304, 400, 404, 410, 503),
        description=DATA_FILTERS,
    )


PATHS: dict[str, Json] = {
    "/api/indicators": _get(
        "Published indicators with their latest figure and status",
        "Indicators",
        "A page of indicators",
        "application/json",
        LIST_PARAMS,
        (400,),
    ),
    "/api/indicators.csv": _get(
        "Published indicators as CSV", "Indicators", "CSV", "text/csv", LIST_PARAMS, (400,)
    ),
    "/api/indicators/{ref}": _get(
        "One indicator's definition and series",
        "Indicators",
        "The indicator",
        "application/json",
        SERIES_PARAMS,
        (400, 404),
    ),
    "/api/indicators/{ref}.csv": _get(
        "One indicator's series as CSV", "Indicators", "CSV", "text/csv", SERIES_PARAMS, (400, 404)
    ),
    "/api/me": _get(
        "Who the API token belongs to, and their roles",
        "Accounts",
        "The account",
        "application/json",
        errors=(401,),
        security=[{"token": []}],
    ),
    "/api/data/{resource_id}": _data(
        "Rows of a published table, filtered, sorted and paged",
        "A page of rows with next_url (also in a Link header)",
        "application/json",
    ),
    "/api/data/{resource_id}.csv": _data(
        "Every row of a filtered, sorted query as CSV", "CSV", "text/csv"
    ),
    "/api/data/{resource_id}.json": _data(
        "Every row of a query as one JSON array", "JSON", "application/json"
    ),
    "/api/data/{resource_id}.ndjson": _data(
        "Every row of a query as newline-delimited JSON", "NDJSON", "application/x-ndjson"
    ),
    "/api/data/{resource_id}.xlsx": _data(
        "Every row of a query as an Excel workbook (at most 1,048,575 rows: Excel's limit; "
        "a larger query is a 400)",
        "XLSX",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "/catalog": _get(
        "The DCAT catalogue's IRI: Turtle, JSON-LD or RDF/XML as the Accept header asks "
        "(a browser is sent to /datasets)",
        "DCAT",
        "Turtle",
        "text/turtle",
        [DCAT_PROFILE],
        (400,),
        pages=True,
    ),
    "/catalog.jsonld": _dcat_catalogue("JSON-LD", "application/ld+json"),
    "/catalog.ttl": _dcat_catalogue("Turtle", "text/turtle"),
    "/catalog.rdf": _dcat_catalogue("RDF/XML", "application/rdf+xml"),
    "/datasets/{name}.jsonld": _dcat_dataset("JSON-LD", "application/ld+json"),
    "/datasets/{name}.ttl": _dcat_dataset("Turtle", "text/turtle"),
    "/datasets/{name}.rdf": _dcat_dataset("RDF/XML", "application/rdf+xml"),
    "/feeds/releases.atom": _get(
        "The 50 newest public releases", "Feeds", "An Atom 1.0 feed", "application/atom+xml"
    ),
    "/feeds/organisations/{organisation}.atom": _get(
        "The 50 newest public releases of one publisher",
        "Feeds",
        "An Atom 1.0 feed",
        "application/atom+xml",
        params=[PUBLISHER],
        errors=(404,),
        pages=True,
    ),
    "/feeds/topics/{topic}.atom": _get(
        "The 50 newest public releases on one topic",
        "Feeds",
        "An Atom 1.0 feed",
        "application/atom+xml",
        params=[TOPIC],
        errors=(404,),
        pages=True,
    ),
    "/sitemap.xml": _get("Every public page", "Feeds", "A sitemap", "application/xml"),
    "/dumps/catalogue.jsonl": _get(
        "Every public dataset as a CKAN package, one per line",
        "Bulk",
        "JSON Lines",
        "application/x-ndjson",
    ),
    "/dumps/catalogue.jsonl.gz": _get(
        "The JSON Lines dump, gzipped", "Bulk", "gzip", "application/gzip"
    ),
    "/dumps/datapackages.zip": _get(
        "Every public dataset's datapackage.json", "Bulk", "A zip", "application/zip"
    ),
}


def openapi_document(
    *,
    base_url: str,
    site_name: str,
    served: set[str],
    more_paths: dict[str, Json] | None = None,
    more_schemas: dict[str, Json] | None = None,
    more_tags: list[Json] | None = None,
) -> dict[str, Any]:
    """The description, keeping only the paths in `served` (OpenAPI-style templates), with
    the paths and schemas another module describes (the CKAN Action API's)."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{site_name} APIs",
            "version": "1.0.0",
            "description": "Open data from City of York Council, under the Open Government "
            "Licence v3.0. No key is needed to read; publishers send an API token.",
            "license": {
                "name": "Open Government Licence v3.0",
                "url": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
            },
        },
        "servers": [{"url": base_url}],
        "tags": more_tags or [],
        "paths": {
            **{path: item for path, item in PATHS.items() if path in served},
            **(more_paths or {}),
        },
        "components": {
            "schemas": {
                **(more_schemas or {}),
                "Error": {
                    "type": "object",
                    "properties": {
                        "error": {
                            "type": "object",
                            "properties": {
                                "status": {"type": "integer"},
                                "title": {"type": "string"},
                                "message": {"type": "string"},
                                "field": {"type": "string"},
                            },
                        }
                    },
                },
            },
            "securitySchemes": {
                "token": {"type": "http", "scheme": "bearer", "description": "An API token."},
                "ckanApiKey": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "X-CKAN-API-Key",
                    "description": "An API token, as older CKAN clients send it.",
                },
            },
        },
    }
