"""Reads by id or name that machine clients need (the CKAN Action API), on both sides of the
visibility rule: the public sees only what `catalog.visibility` allows, and a member of an
organisation may also read its datasets in every state (the same rule as
`catalog.publishing.staff`).

A withdrawn dataset is simply not found here: CKAN clients know no tombstones.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, or_, select, true
from sqlalchemy.orm import Session

from catalog.errors import NotFound
from catalog.models import Dataset, Licence, Organisation, Resource, Tag, Topic
from catalog.models.datasets import dataset_tag
from catalog.names import row_number
from catalog.permissions import EDITOR, MEMBER, Actor, require
from catalog.visibility import (
    is_released,
    public_dataset_clause,
    public_datasets,
    public_updated_clause,
)


def public_dataset_names(session: Session, now: datetime | None = None) -> list[str]:
    query = select(Dataset.name).where(public_dataset_clause(now)).order_by(Dataset.name)
    return list(session.scalars(query))


def public_datasets_page(
    session: Session, *, limit: int, offset: int = 0, now: datetime | None = None
) -> list[Dataset]:
    """Public datasets, most recently changed in public first, for bulk dumps."""
    query = (
        public_datasets(now)
        .order_by(public_updated_clause(now).desc(), Dataset.name)
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(query))


def find_dataset(session: Session, ref: str, *, actor: Actor | None = None) -> Dataset:
    """A dataset by URL name or id: public, or any state for a member of its organisation.

    Whether the caller may see it is part of the one query, so a name that is unpublished
    and a name that does not exist take the same path and the same time: no row either way.
    """
    named = or_(Dataset.name == ref, Dataset.id == ref)
    dataset = session.scalar(select(Dataset).where(named, readable_by(actor)))
    if dataset is None:
        raise NotFound(f"There is no published dataset called '{ref}'.")
    return dataset


def readable_by(actor: Actor | None, now: datetime | None = None) -> ColumnElement[bool]:
    """The datasets a caller may read: public ones, and every one of the organisations where
    they hold a role (member is the least of roles); a sysadmin reads all."""
    if actor is None:
        return public_dataset_clause(now)
    if actor.sysadmin:
        return true()
    return or_(public_dataset_clause(now), Dataset.organisation_id.in_(list(actor.roles)))


def find_dataset_to_change(session: Session, ref: str, *, actor: Actor) -> Dataset:
    """A dataset by name or id for an editor of its organisation; others are told nothing."""
    dataset = find_dataset(session, ref, actor=actor)
    require(actor, dataset.organisation_id, EDITOR, "change this dataset")
    return dataset


def find_resource(session: Session, resource_id: str, *, actor: Actor | None = None) -> Resource:
    """A resource by id: a released file or a link of a public dataset, or any file for a
    member."""
    query = select(Resource).join(Dataset).where(Resource.id == resource_id, readable_by(actor))
    resource = session.scalar(query)
    if resource is not None:
        if actor is not None and actor.has_role(resource.dataset.organisation_id, MEMBER):
            return resource
        if is_released(resource):
            return resource
    raise NotFound(f"There is no published file with the id '{resource_id}'.")


def public_tag_names(session: Session, now: datetime | None = None) -> list[str]:
    query = (
        select(Tag.name)
        .join(dataset_tag, dataset_tag.c.tag_id == Tag.id)
        .join(Dataset, Dataset.id == dataset_tag.c.dataset_id)
        .where(public_dataset_clause(now))
        .group_by(Tag.name)
        .order_by(Tag.name)
    )
    return list(session.scalars(query))


def all_licences(session: Session) -> list[Licence]:
    return list(session.scalars(select(Licence).order_by(Licence.title)))


def organisation_by_ref(session: Session, ref: str) -> Organisation:
    return _group_by_ref(session, Organisation, ref, "organisation")


def topic_by_ref(session: Session, ref: str) -> Topic:
    return _group_by_ref(session, Topic, ref, "topic")


def _group_by_ref(session, model, ref: str, kind: str):
    clause = model.name == ref
    number = row_number(ref)
    if number is not None:
        clause = or_(clause, model.id == number)
    found = session.scalar(select(model).where(clause))
    if found is None:
        raise NotFound(f"There is no {kind} called '{ref}'.")
    return found
