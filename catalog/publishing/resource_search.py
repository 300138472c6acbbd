"""Finding released files by their fields (CKAN's `resource_search`) and the formats in use.

Only what the public can see is searched: files and links of public datasets, a file only once
one of its versions is released, and a file's name and hash only from its released versions.
Every term is matched as typed, never as a pattern (`%` and `_` are plain characters).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, exists, func, or_, select
from sqlalchemy.orm import Session

from catalog.errors import Invalid
from catalog.models import Dataset, Resource, ResourceVersion
from catalog.visibility import public_dataset_clause, public_version_clause, released_clause

SEARCHABLE = ("name", "description", "format", "url", "hash")
ORDERS = {
    "name": Resource.title,
    "description": Resource.description,
    "format": Resource.format,
    "created": Resource.created_at,
    "position": Resource.position,
    "id": Resource.id,
}


@dataclass(frozen=True)
class ResourceQuery:
    """Terms as (field, text), all of which must match; `order_by` one of ORDERS."""

    terms: tuple[tuple[str, str], ...]
    order_by: str | None = None
    offset: int = 0
    limit: int | None = None


def search_public_resources(
    session: Session, query: ResourceQuery, now: datetime | None = None
) -> tuple[int, list[Resource]]:
    """How many released files match, and the page of them asked for."""
    if query.order_by is not None and query.order_by not in ORDERS:
        raise Invalid(f"Order by one of: {', '.join(ORDERS)}.", field="order_by")
    conditions = [_matches(field, text, now) for field, text in query.terms]
    found = (
        select(Resource)
        .join(Dataset, Dataset.id == Resource.dataset_id)
        .where(public_dataset_clause(now), released_clause(now), *conditions)
    )
    count = session.scalar(select(func.count()).select_from(found.subquery())) or 0
    order = ORDERS[query.order_by] if query.order_by else Dataset.name
    page = found.order_by(order, Resource.position, Resource.id).offset(query.offset)
    if query.limit is not None:
        page = page.limit(query.limit)
    return count, list(session.scalars(page))


def _matches(field: str, text: str, now: datetime | None) -> ColumnElement[bool]:
    """A term of the query: a file's text fields hold it; its URL is its link address or the
    name of one of its released files; its hash begins with it."""
    if field == "name":
        return Resource.title.icontains(text, autoescape=True)
    if field == "description":
        return Resource.description.icontains(text, autoescape=True)
    if field == "format":
        return Resource.format.icontains(text, autoescape=True)
    if field == "url":
        named = ResourceVersion.filename.icontains(text, autoescape=True)
        return or_(
            Resource.link_url.icontains(text, autoescape=True), _released_version_where(named, now)
        )
    if field == "hash":
        digest = text.lower().removeprefix("sha256:")
        started = ResourceVersion.sha256.startswith(digest, autoescape=True)
        return _released_version_where(started, now)
    known = ", ".join(SEARCHABLE)
    raise Invalid(f"Field '{field}' cannot be searched. Use one of: {known}.", field="query")


def _released_version_where(condition, now: datetime | None) -> ColumnElement[bool]:
    return exists().where(
        ResourceVersion.resource_id == Resource.id, public_version_clause(now), condition
    )


def public_formats(
    session: Session, *, containing: str, limit: int, now: datetime | None = None
) -> list[str]:
    """Formats of released files whose name holds `containing`, most used first, in lower
    case as CKAN gives them."""
    fmt = func.lower(Resource.format)
    query = (
        select(fmt)
        .join(Dataset, Dataset.id == Resource.dataset_id)
        .where(
            public_dataset_clause(now),
            released_clause(now),
            Resource.format.icontains(containing, autoescape=True),
        )
        .group_by(fmt)
        .order_by(func.count().desc(), fmt)
        .limit(limit)
    )
    return list(session.scalars(query))
