"""Reading a search from the query string, with a clear 400 for what cannot be understood."""

from __future__ import annotations

from flask import abort
from werkzeug.datastructures import MultiDict

from catalog.search import FACETS, PAGE_SORTS, SearchQuery

MAX_PAGE = 1000
PER_PAGE = 20
MAX_TEXT = 500


def search_query(args: MultiDict[str, str], **fixed: tuple[str, ...]) -> SearchQuery:
    """The search a page asked for; `fixed` filters come from the URL path (a topic page)."""
    text = args.get("q", "").strip()
    if len(text) > MAX_TEXT:
        abort(400, f"The search text is too long: use {MAX_TEXT} characters or fewer.")
    sort = args.get("sort", "relevance")
    if sort not in PAGE_SORTS:
        abort(400, f"Sort must be one of: {', '.join(PAGE_SORTS)}.")
    filters = {
        name: tuple(dict.fromkeys(v for v in args.getlist(name) if v.strip()))
        for name in FACETS
        if args.getlist(name)
    }
    for name, values in fixed.items():
        filters[name] = tuple(dict.fromkeys((*values, *filters.get(name, ()))))
    return SearchQuery(
        text=text,
        filters={k: v for k, v in filters.items() if v},
        sort=sort,
        page=_page(args.get("page", "1")),
        per_page=PER_PAGE,
    )


def _page(raw: str) -> int:
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 4) or not 1 <= int(raw) <= MAX_PAGE:
        abort(400, f"The page must be a whole number from 1 to {MAX_PAGE}.")
    return int(raw)
