"""Searching the catalogue as the public sees it: hits from the index, rows from the database."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.clock import utcnow
from catalog.models import Dataset, DatasetState, Indicator, Licence, Organisation, Topic
from catalog.permissions import MEMBER, Actor
from catalog.public_changes import stamp_public_change
from catalog.search import (
    FACETS,
    FacetCount,
    InTransaction,
    SearchBackend,
    SearchQuery,
    SearchResults,
)
from catalog.search.documents import document_for
from catalog.search.synonyms import with_synonyms
from catalog.visibility import PublicSummary, is_public, public_datasets_by_id, public_summaries

log = logging.getLogger(__name__)


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
    listed: list[PublicSummary] = field(default_factory=list)  # public results, as listed


def find_datasets(session: Session, backend: SearchBackend, query: SearchQuery) -> Found:
    """Run a public search, in residents' words too (`synonyms.py`); each hit is re-checked
    against the visibility rule in the database.

    A hit the database does not show means the index missed a change (its write failed after
    the commit): those documents are rewritten from the database and the search run again,
    so the totals and facets do not count, or name, what is not public. So are documents
    whose content no longer holds, once a file version scheduled for now is released."""
    now = query.now or utcnow()
    asked = replace(with_synonyms(query), include_unpublished=False, now=now)
    results = _search(session, backend, asked)
    datasets = public_datasets_by_id(session, results.ids, now)
    if len(datasets) < len(results.ids) and _repair(session, backend, results.ids, now):
        results = backend.search(asked)
        datasets = public_datasets_by_id(session, results.ids, now)
    labels = _labels(session)
    facets = {
        name: [_option(name, count, labels, query.filters) for count in counts]
        for name, counts in results.facets.items()
    }
    return Found(
        datasets=datasets,
        total=results.total,
        facets=facets,
        suggestion=results.suggestion,
        page=query.page,
        pages=max(1, -(-results.total // query.per_page)),
        listed=public_summaries(session, datasets, now),
    )


def _search(session: Session, backend: SearchBackend, query: SearchQuery) -> SearchResults:
    """The backend's answer, after rebuilding any public document that no longer holds at the
    query's time (a file version released since it was built), so no worker has to run."""
    results = backend.search(query)
    if results.stale and _repair(session, backend, list(results.stale), query.now):
        results = backend.search(query)
    return results


def _repair(session: Session, backend: SearchBackend, ids: list[str], now: datetime | None) -> bool:
    """Rewrite the index documents of these datasets from the database; False if the index
    cannot be written now (a full disk), when the re-checked hits are all that is shown."""
    rows = {d.id: d for d in session.scalars(select(Dataset).where(Dataset.id.in_(ids)))}
    try:
        backend.index_many([document_for(d, now) for d in rows.values()])
        for gone in set(ids) - rows.keys():
            backend.remove(gone)
    except OSError:
        log.exception("The search index is out of step and cannot be written: run reindex")
        return False
    return True


MEMBER_SEARCH_LIMIT = 10_000


def find_datasets_for_member(
    session: Session, backend: SearchBackend, query: SearchQuery, *, actor: Actor
) -> Found:
    """A search that also finds the unpublished datasets (drafts, in review, scheduled) of
    the actor's own organisations, as CKAN's `include_private` does for members.

    Other organisations' unpublished datasets must not even be counted, so the backend's
    totals and facets cannot be used: every match is loaded, filtered here, then counted and
    paged. Withdrawn datasets are never included."""
    now = query.now or utcnow()
    asked = with_synonyms(query)
    wide = replace(asked, page=1, per_page=MEMBER_SEARCH_LIMIT, now=now, include_unpublished=True)
    ids = _search(session, backend, wide).ids
    rows = {d.id: d for d in session.scalars(select(Dataset).where(Dataset.id.in_(ids)))}
    seen = [rows[i] for i in ids if i in rows and _seen_by(rows[i], actor, now)]
    start = (query.page - 1) * query.per_page
    labels = _labels(session)
    facets = {
        name: [_option(name, count, labels, query.filters) for count in counts]
        for name, counts in _facet_counts(seen, now).items()
    }
    return Found(
        datasets=seen[start : start + query.per_page],
        total=len(seen),
        facets=facets,
        suggestion=None,
        page=query.page,
        pages=max(1, -(-len(seen) // query.per_page)),
    )


def _seen_by(dataset: Dataset, actor: Actor, now) -> bool:
    if is_public(dataset, now):
        return True
    return dataset.state != DatasetState.WITHDRAWN and actor.has_role(
        dataset.organisation_id, MEMBER
    )


def _facet_counts(datasets: list[Dataset], now: datetime) -> dict[str, list[FacetCount]]:
    counters: dict[str, Counter] = {name: Counter() for name in FACETS}
    for dataset in datasets:
        doc = document_for(dataset, now)
        values = {
            "organisation": [doc.organisation],
            "topic": doc.topics,
            "tag": doc.tags,
            "format": doc.formats,
            "licence": [doc.licence],
            "frequency": [doc.frequency],
        }
        for name, found in values.items():
            counters[name].update(v for v in found if v)
    return {
        name: [FacetCount(v, n) for v, n in sorted(c.items(), key=lambda item: (-item[1], item[0]))]
        for name, c in counters.items()
    }


def reindex_all(session: Session, backend: SearchBackend) -> int:
    """Rebuild the index from the database, the source of truth; returns datasets indexed. A
    backend in the database is rebuilt in the session's unit of work, for its edge to commit,
    with a new public-change stamp: kept answers made from the old index are not given out."""
    documents = [document_for(d) for d in session.scalars(select(Dataset))]
    if isinstance(backend, InTransaction):
        backend.write(session, documents, everything=True)
    else:
        backend.clear()
        backend.index_many(documents)
    stamp_public_change(session)  # a rebuilt index may answer otherwise (a repair)
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


RECENT_PAGES = 5  # pages of the newest searched for datasets that are not KPI series


def recently_released(
    session: Session, backend: SearchBackend, *, limit: int = 5, now: datetime | None = None
) -> list[PublicSummary]:
    """The public datasets whose data was released last, newest first, as the home page leads
    with them. KPI series are left to the Council Plan scorecard: the KPI Machine releases
    dozens at once, and they would push every other release off the list.

    The search index orders by the public "last updated" it holds for each document (built
    through the public read model), so no query orders every dataset by it in SQL."""
    listed: list[PublicSummary] = []
    for page in range(1, RECENT_PAGES + 1):
        query = SearchQuery(sort="updated", page=page, per_page=limit * 4, now=now)
        found = find_datasets(session, backend, query)
        series = set(
            session.scalars(
                select(Indicator.dataset_id).where(
                    Indicator.dataset_id.in_([d.id for d in found.datasets])
                )
            )
        )
        listed += [view for view in found.listed if view.dataset.id not in series]
        if len(listed) >= limit or page >= found.pages:
            break
    return listed[:limit]
