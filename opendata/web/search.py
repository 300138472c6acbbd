"""The dataset search page, also used (with a fixed filter) by organisation and topic pages."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request, url_for

from catalog.search import FACETS, SearchQuery
from catalog.search.finder import Found, find_datasets
from opendata.database import get_search, get_session
from opendata.web.search_args import search_query

bp = Blueprint("search", __name__)

FACET_TITLES = {
    "organisation": "Publisher",
    "topic": "Topic",
    "tag": "Tag",
    "format": "Format",
    "licence": "Licence",
    "frequency": "Update frequency",
}


@bp.get("/datasets")
def datasets():
    query = search_query(request.args)
    found = find_datasets(get_session(), get_search(), query)
    return render_template("search.html", **search_context(query, found, "search.datasets"))


def search_context(query: SearchQuery, found: Found, endpoint: str, **path_args: str) -> dict:
    """What a results page shows: hits, facets, chosen filters with removal links, pages."""
    args = {"q": query.text or None, "sort": None if query.sort == "relevance" else query.sort}
    filters = {k: list(v) for k, v in request.args.lists() if k in FACETS}

    def link(**changes) -> str:
        values: dict[str, Any] = {**path_args, **args, **filters, **changes}
        return url_for(endpoint, **values)

    chosen = [
        {
            "facet": FACET_TITLES[name],
            "label": option.label,
            "remove": link(**{name: [v for v in filters[name] if v != option.value]}),
        }
        for name in FACETS
        for option in found.facets.get(name, [])
        if option.selected and name in filters
    ]
    return {
        "query": query,
        "found": found,
        "facet_titles": FACET_TITLES,
        "chosen": chosen,
        "previous_url": link(page=query.page - 1) if query.page > 1 else None,
        "next_url": link(page=query.page + 1) if query.page < found.pages else None,
        "first_url": link(page=None),
        "sort_options": [
            ("relevance", "Best match"),
            ("updated", "Recently updated"),
            ("name", "Name (A to Z)"),
        ],
        "suggestion_url": link(q=found.suggestion) if found.suggestion else None,
        "endpoint": endpoint,
        "path_args": path_args,
    }
