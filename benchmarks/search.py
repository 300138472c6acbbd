"""Public search as the site runs it, and the index on its own, for a mix of queries.

`find_datasets` is what the search, organisation and topic pages call: the index query with
facet counts, then the page of datasets loaded from the database (each re-checked against the
visibility rule). Each call gets a fresh session, as each web request does. `backend.search` on
its own shows how much of that time is the index.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass

from flask import Flask
from sqlalchemy import select

from benchmarks.timing import Stats, measure
from benchmarks.vocabulary import COMMON_WORD, MISSPELT, PREFIX, TWO_WORDS
from catalog.clock import utcnow
from catalog.models import Dataset
from catalog.search import SearchQuery
from catalog.search.documents import document_for
from catalog.search.finder import find_datasets

PER_PAGE = 20  # as the site's search pages (opendata.web.search_args.PER_PAGE)

QUERIES = (
    ("empty query, all facets", SearchQuery(per_page=PER_PAGE)),
    (f"one common word '{COMMON_WORD}'", SearchQuery(text=COMMON_WORD, per_page=PER_PAGE)),
    (f"prefix '{PREFIX}'", SearchQuery(text=PREFIX, per_page=PER_PAGE)),
    (
        f"'{TWO_WORDS[0]}' + organisation",
        SearchQuery(
            text=TWO_WORDS[0], filters={"organisation": (TWO_WORDS[1],)}, per_page=PER_PAGE
        ),
    ),
    (f"misspelt '{MISSPELT}'", SearchQuery(text=MISSPELT, per_page=PER_PAGE)),
    ("sort by name, no text", SearchQuery(sort="name", per_page=PER_PAGE)),
    ("page 50, no text", SearchQuery(page=50, per_page=PER_PAGE)),
    ("page 50 of 'council'", SearchQuery(text="council", page=50, per_page=PER_PAGE)),
)


@dataclass(frozen=True)
class SearchRow:
    label: str
    total: int
    shown: int
    suggestion: str | None
    full: Stats | None
    index: Stats | None
    error: str | None = None


@dataclass(frozen=True)
class ColdRow:
    """The first search after a commit to the index, which rebuilds per-generation caches."""

    label: str
    stats: Stats


def run(app: Flask, *, runs: int, warmup: int) -> list[SearchRow]:
    catalog = app.extensions["catalog"]
    sessions, backend = catalog["sessions"], catalog["search"]
    rows = []
    for label, query in QUERIES:

        def full(_i: int, query: SearchQuery = query):
            with sessions() as session:
                return find_datasets(session, backend, query)

        def index_only(_i: int, query: SearchQuery = query):
            return backend.search(_as_finder_asks(query))

        try:
            found = full(0)
            full_stats = measure(full, runs=runs, warmup=warmup)
            index_stats = measure(index_only, runs=runs, warmup=warmup)
        except Exception as error:  # a broken query is reported, the others still run
            traceback.print_exc()
            failure = f"{type(error).__name__}: {error}"
            rows.append(SearchRow(label, 0, 0, None, None, None, failure))
            continue
        rows.append(
            SearchRow(
                label=label,
                total=found.total,
                shown=len(found.datasets),
                suggestion=found.suggestion,
                full=full_stats,
                index=index_stats,
            )
        )
    return rows


def cold_after_commit(app: Flask, *, repeats: int = 5) -> ColdRow:
    """Re-index one unchanged dataset (as any publish does), then time the next search."""
    catalog = app.extensions["catalog"]
    sessions, backend = catalog["sessions"], catalog["search"]
    with sessions() as session:
        dataset = session.scalars(select(Dataset).order_by(Dataset.name).limit(1)).one()
        document = document_for(dataset)
    samples = []
    query = SearchQuery(text=COMMON_WORD, per_page=PER_PAGE)
    for _ in range(repeats):
        backend.index(document)
        started = time.perf_counter()
        with sessions() as session:
            find_datasets(session, backend, query)
        samples.append((time.perf_counter() - started) * 1000)
    return ColdRow(f"first search after an index commit ('{COMMON_WORD}')", Stats.of(samples))


def _as_finder_asks(query: SearchQuery) -> SearchQuery:
    """The query `find_datasets` passes to the backend: the same, with `now` filled in."""
    return SearchQuery(
        text=query.text,
        filters=query.filters,
        sort=query.sort,
        page=query.page,
        per_page=query.per_page,
        now=utcnow(),
    )
