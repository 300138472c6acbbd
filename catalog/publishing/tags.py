"""Tags as the public sees them: a tag exists for the public only while a public dataset
carries it, so a tag given only to drafts (its name may say what is coming) never shows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.errors import NotFound
from catalog.models import Dataset, Tag
from catalog.models.datasets import dataset_tag
from catalog.publishing.lookups import ref_clause
from catalog.visibility import public_dataset_clause


def public_tags(
    session: Session, *, containing: str = "", now: datetime | None = None
) -> list[Tag]:
    """The tags of public datasets, A to Z; only those whose name holds `containing`."""
    query = select(Tag).where(Tag.id.in_(_public_tag_ids(now))).order_by(Tag.name)
    if containing:
        query = query.where(Tag.name.icontains(containing, autoescape=True))
    return list(session.scalars(query))


def public_tag_by_ref(session: Session, ref: str, now: datetime | None = None) -> Tag:
    """A tag of a public dataset by name, UUID or old numeric id."""
    query = select(Tag).where(ref_clause(Tag, ref), Tag.id.in_(_public_tag_ids(now)))
    found = session.scalar(query)
    if found is None:
        raise NotFound(f"There is no tag called '{ref}' on a published dataset.")
    return found


def _public_tag_ids(now: datetime | None):
    return (
        select(dataset_tag.c.tag_id)
        .join(Dataset, Dataset.id == dataset_tag.c.dataset_id)
        .where(public_dataset_clause(now))
    )
