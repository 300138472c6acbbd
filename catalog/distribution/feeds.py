"""What the machine-readable listings publish: the release feeds (also the CKAN API's activity
streams) and the sitemap.

Both are built only from public things (see `catalog.visibility`), so a draft, an embargoed
release or a withdrawn dataset never reaches a feed reader or a search engine, and a scheduled
release appears at its second with no job running.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.clock import utcnow
from catalog.models import Dataset, Indicator, Organisation, Resource, ResourceVersion, Topic
from catalog.publishing.history import LINKED, PUBLISHED, version_kind
from catalog.visibility import (
    PublicDataset,
    public_dataset_clause,
    public_datasets,
    public_updated_clause,
    public_version_clause,
    public_views,
    released_at,
)


@dataclass(frozen=True)
class ReleaseEntry:
    """One public event: a dataset published (no `resource`), a link to a file added to it
    (a `resource` with no `version`) or a new file version released."""

    dataset: Dataset
    at: datetime
    resource: Resource | None = None
    version: ResourceVersion | None = None

    @property
    def kind(self) -> str:
        """What happened, in the words of a dataset's public history."""
        if self.resource is None:
            return PUBLISHED
        return LINKED if self.version is None else version_kind(self.version)


@dataclass(frozen=True)
class SitemapPage:
    kind: str
    key: str
    modified: datetime


def latest_releases(
    session: Session,
    *,
    limit: int = 50,
    now: datetime | None = None,
    organisation: Organisation | None = None,
    topic: Topic | None = None,
    dataset: Dataset | None = None,
) -> list[ReleaseEntry]:
    """The newest `limit` public releases, newest first, of one publisher, topic or dataset
    if given.

    A file version or link that went public with its dataset's first publication is part of
    that publication; only those released later are separate entries."""
    moment = now or utcnow()
    within = _within(organisation, topic, dataset)
    published = session.scalars(
        public_datasets(moment)
        .where(*within)
        .order_by(Dataset.published_at.desc(), Dataset.name)
        .limit(limit)
    )
    entries = [ReleaseEntry(dataset=d, at=released_at(d)) for d in published]
    versions = session.execute(
        select(ResourceVersion, Resource, Dataset)
        .join(Resource, Resource.id == ResourceVersion.resource_id)
        .join(Dataset, Dataset.id == Resource.dataset_id)
        .where(
            public_dataset_clause(moment),
            public_version_clause(moment),
            ResourceVersion.published_at > Dataset.published_at,
            *within,
        )
        .order_by(ResourceVersion.published_at.desc(), ResourceVersion.id.desc())
        .limit(limit)
    )
    entries += [
        ReleaseEntry(dataset=d, at=released_at(v), resource=r, version=v) for v, r, d in versions
    ]
    links = session.execute(
        select(Resource, Dataset)
        .join(Dataset, Dataset.id == Resource.dataset_id)
        .where(
            public_dataset_clause(moment),
            Resource.link_url.is_not(None),
            Resource.created_at > Dataset.published_at,
            Resource.created_at <= moment,
            *within,
        )
        .order_by(Resource.created_at.desc(), Resource.id.desc())
        .limit(limit)
    )
    entries += [ReleaseEntry(dataset=d, at=r.created_at, resource=r) for r, d in links]
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries[:limit]


def _within(
    organisation: Organisation | None, topic: Topic | None, dataset: Dataset | None
) -> list:
    clauses = []
    if dataset is not None:
        clauses.append(Dataset.id == dataset.id)
    if organisation is not None:
        clauses.append(Dataset.organisation_id == organisation.id)
    if topic is not None:
        clauses.append(Dataset.topics.any(Topic.id == topic.id))
    return clauses


def sitemap_pages(session: Session, *, now: datetime | None = None) -> list[SitemapPage]:
    """Every public dataset and indicator page with when it last changed in public (an
    indicator's page shows its dataset's released figures)."""
    moment = now or utcnow()
    updated = public_updated_clause(moment)
    rows = session.execute(
        select(Dataset.name, updated).where(public_dataset_clause(moment)).order_by(Dataset.name)
    )
    pages = [SitemapPage("dataset", name, modified) for name, modified in rows]
    indicators = session.execute(
        select(Indicator.ref, updated)
        .join(Dataset, Dataset.id == Indicator.dataset_id)
        .where(public_dataset_clause(moment))
        .order_by(Indicator.ref)
    )
    pages += [SitemapPage("indicator", ref, modified) for ref, modified in indicators]
    return pages


def public_datasets_for_metadata(
    session: Session, *, now: datetime | None = None
) -> list[PublicDataset]:
    """All public datasets as the public sees them, for whole-catalogue descriptions (DCAT)."""
    moment = now or utcnow()
    return public_views(session.scalars(public_datasets(moment).order_by(Dataset.name)), moment)
