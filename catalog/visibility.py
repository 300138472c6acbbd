"""The one rule for what the public may see, derived from state and time.

A dataset is public when it is published and its release time has passed; a file version of a
public dataset is public when it is cleared (a table must pass its check, or carry a note of
its known issues) and its own release time has passed (a new quarter's figures can be
scheduled for 09:30 while the earlier ones stay on show). Nothing else is consulted, so an
embargo lifts at its second without any worker running. Every public query (pages, downloads,
search, feeds) goes through `public_dataset_clause` and `version_is_public`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, select
from sqlalchemy.orm import Session, lazyload, selectinload

from catalog.clock import utcnow
from catalog.errors import Withdrawn
from catalog.models import Dataset, DatasetState, Resource, ResourceVersion


def public_dataset_clause(now: datetime | None = None) -> ColumnElement[bool]:
    moment = now or utcnow()
    return and_(
        Dataset.state == DatasetState.PUBLISHED,
        Dataset.published_at.is_not(None),
        Dataset.published_at <= moment,
    )


def public_datasets(now: datetime | None = None) -> Select[Dataset]:
    return select(Dataset).where(public_dataset_clause(now))


def is_public(dataset: Dataset, now: datetime | None = None) -> bool:
    moment = now or utcnow()
    return (
        dataset.state == DatasetState.PUBLISHED
        and dataset.published_at is not None
        and dataset.published_at <= moment
    )


def version_is_public(version: ResourceVersion, now: datetime | None = None) -> bool:
    """Whether a version is cleared (see `catalog.tables.checks`) and its own release time has
    passed; its dataset must be public as well."""
    moment = now or utcnow()
    return version.cleared and version.published_at is not None and version.published_at <= moment


def public_version_clause(now: datetime | None = None) -> ColumnElement[bool]:
    """`version_is_public` in SQL."""
    moment = now or utcnow()
    return and_(
        ResourceVersion.cleared.is_(True),
        ResourceVersion.published_at.is_not(None),
        ResourceVersion.published_at <= moment,
    )


def check_not_withdrawn(session: Session, name: str) -> None:
    """Raise Withdrawn for a dataset that was published and then taken down, so its URLs
    (and every file URL under it) answer with a tombstone instead of simply vanishing."""
    query = select(Dataset).where(
        Dataset.name == name,
        Dataset.state == DatasetState.WITHDRAWN,
        Dataset.published_at.is_not(None),
    )
    dataset = session.scalar(query)
    if dataset is not None:
        raise Withdrawn(
            f"'{dataset.title}' was withdrawn on {dataset.withdrawn_at:%d %B %Y}.",
            title=dataset.title,
            reason=dataset.withdrawn_reason or "",
            withdrawn_at=dataset.withdrawn_at,
        )


def public_datasets_by_id(
    session: Session, ids: list[str], now: datetime | None = None
) -> list[Dataset]:
    """Load search hits in the order given, re-checking visibility against the database.

    Rows are fetched by primary key and checked with `is_public` in Python: filtering on state
    in SQL made SQLite scan every published row for twenty ids. Only what a results list shows
    is loaded eagerly."""
    if not ids:
        return []
    query = (
        select(Dataset)
        .where(Dataset.id.in_(ids))
        .options(
            lazyload(Dataset.topics),
            lazyload(Dataset.tags),
            selectinload(Dataset.resources).lazyload(Resource.versions),
        )
    )
    found = {d.id: d for d in session.scalars(query) if is_public(d, now)}
    return [found[i] for i in ids if i in found]


def released_at(item: Dataset | ResourceVersion) -> datetime:
    """When a dataset or file version is released (or is to be): whatever is public, or
    scheduled to be, has that time."""
    if item.published_at is None:
        raise ValueError(f"{item!r} has not been released.")
    return item.published_at
