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


def all_licences(session: Session) -> list[Licence]:
    return list(session.scalars(select(Licence).order_by(Licence.title)))


def organisation_by_ref(session: Session, ref: str) -> Organisation:
    return _group_by_ref(session, Organisation, ref, "organisation")


def topic_by_ref(session: Session, ref: str) -> Topic:
    return _group_by_ref(session, Topic, ref, "topic")


def _group_by_ref(session, model, ref: str, kind: str):
    found = session.scalar(select(model).where(ref_clause(model, ref)))
    if found is None:
        raise NotFound(f"There is no {kind} called '{ref}'.")
    return found


def ref_clause(model: type[Organisation | Topic | Tag], ref: str) -> ColumnElement[bool]:
    """An organisation, topic or tag by URL name, UUID, or the number that was its id before
    it had a UUID (links made then keep working)."""
    clause = or_(model.name == ref, model.uuid == ref)
    number = row_number(ref)
    return or_(clause, model.id == number) if number is not None else clause


def public_datasets_in(
    session: Session,
    *,
    organisation: Organisation | None = None,
    topic: Topic | None = None,
    tag: Tag | None = None,
    limit: int = 1000,
    now: datetime | None = None,
) -> list[Dataset]:
    """The public datasets of a publisher, topic or tag (CKAN shows at most the first 1000),
    most recently changed in public first."""
    query = public_datasets(now)
    if organisation is not None:
        query = query.where(Dataset.organisation_id == organisation.id)
    if topic is not None:
        query = query.where(Dataset.topics.any(Topic.id == topic.id))
    if tag is not None:
        query = query.where(Dataset.tags.any(Tag.id == tag.id))
    ordered = query.order_by(public_updated_clause(now).desc(), Dataset.name).limit(limit)
    return list(session.scalars(ordered))


def public_datasets_starting(
    session: Session, text: str, *, limit: int, now: datetime | None = None
) -> list[Dataset]:
    """Public datasets whose URL name or title starts with `text`, for autocompletion."""
    starts = or_(
        Dataset.name.istartswith(text, autoescape=True),
        Dataset.title.istartswith(text, autoescape=True),
    )
    query = public_datasets(now).where(starts).order_by(Dataset.name).limit(limit)
    return list(session.scalars(query))
