"""Searching the catalogue as the public sees it: hits from the index, rows from the database."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.clock import utcnow
from catalog.datasets import public_datasets_by_id
from catalog.models import Dataset, Licence, Organisation, Topic
from catalog.search import FacetCount, SearchBackend, SearchQuery
from catalog.search.documents import document_for


@dataclass(frozen=True)
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool


@dataclass(frozen=True)
class Found:
    datasets: list[Dataset]
    total: int
    facets: dict[str, list[FacetOption]]
    suggestion: str | None
    page: int
    pages: int


def find_datasets(session: Session, backend: SearchBackend, query: SearchQuery) -> Found:
    """Run a public search; each hit is re-checked against the visibility rule in the database."""
    now = query.now or utcnow()
    results = backend.search(
        SearchQuery(
            text=query.text,
            filters=query.filters,
            sort=query.sort,
            page=query.page,
            per_page=query.per_page,
            now=now,
        )
    )
    labels = _labels(session)
    facets = {
        name: [_option(name, count, labels, query.filters) for count in counts]
        for name, counts in results.facets.items()
    }
    return Found(
        datasets=public_datasets_by_id(session, results.ids, now),
        total=results.total,
        facets=facets,
        suggestion=results.suggestion,
        page=query.page,
        pages=max(1, -(-results.total // query.per_page)),
    )


def reindex_all(session: Session, backend: SearchBackend) -> int:
    """Rebuild the index from the database, the source of truth; returns datasets indexed."""
    backend.clear()
    documents = [document_for(d) for d in session.scalars(select(Dataset))]
    backend.index_many(documents)
    return len(documents)


def _labels(session: Session) -> dict[str, dict[str, str]]:
    return {
        "organisation": dict(session.execute(select(Organisation.name, Organisation.title)).all()),
        "topic": dict(session.execute(select(Topic.name, Topic.title)).all()),
        "licence": dict(session.execute(select(Licence.id, Licence.title)).all()),
    }


def _option(
    name: str,
    count: FacetCount,
    labels: dict[str, dict[str, str]],
    filters: dict[str, tuple[str, ...]],
) -> FacetOption:
    label = labels.get(name, {}).get(count.value, count.value)
    if name == "frequency":
        label = count.value.capitalize()
    return FacetOption(
        value=count.value,
        label=label,
        count=count.count,
        selected=count.value in filters.get(name, ()),
    )
