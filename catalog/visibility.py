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

from catalog.clock import utcnow
from catalog.models import Dataset, DatasetState, ResourceVersion


def public_dataset_clause(now: datetime | None = None) -> ColumnElement[bool]:
    moment = now or utcnow()
    return and_(
        Dataset.state == DatasetState.PUBLISHED,
        Dataset.published_at.is_not(None),
        Dataset.published_at <= moment,
    )


def public_datasets(now: datetime | None = None) -> Select[tuple[Dataset]]:
    return select(Dataset).where(public_dataset_clause(now))


def is_public(dataset: Dataset, now: datetime | None = None) -> bool:
    moment = now or utcnow()
    return (
        dataset.state == DatasetState.PUBLISHED
        and dataset.published_at is not None
        and dataset.published_at <= moment
    )


def version_is_public(version: ResourceVersion, now: datetime | None = None) -> bool:
    """Whether a version is cleared (see `catalog.checks`) and its own release time has passed;
    its dataset must be public as well."""
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
