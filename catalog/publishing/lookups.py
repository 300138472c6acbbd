"""Reads by id or name that machine clients need (the CKAN Action API), on both sides of the
visibility rule: the public sees only what `catalog.visibility` allows, and a member of an
organisation may also read its datasets in every state (the same rule as
`catalog.publishing.staff`).

A withdrawn dataset is simply not found here: CKAN clients know no tombstones.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from catalog.errors import NotFound
from catalog.models import Dataset, Licence, Organisation, Resource, Tag, Topic
from catalog.models.datasets import dataset_tag
from catalog.names import row_number
from catalog.permissions import EDITOR, MEMBER, Actor, require
from catalog.publishing.resources import is_released
from catalog.visibility import is_public, public_dataset_clause, public_datasets


def public_dataset_names(session: Session, now: datetime | None = None) -> list[str]:
    query = select(Dataset.name).where(public_dataset_clause(now)).order_by(Dataset.name)
    return list(session.scalars(query))


def public_datasets_page(
    session: Session, *, limit: int, offset: int = 0, now: datetime | None = None
) -> list[Dataset]:
    """Public datasets, most recently changed first, for bulk dumps."""
    query = (
        public_datasets(now)
        .order_by(Dataset.modified_at.desc(), Dataset.name)
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(query))


def find_dataset(session: Session, ref: str, *, actor: Actor | None = None) -> Dataset:
    """A dataset by URL name or id: public, or any state for a member of its organisation."""
    dataset = session.scalar(select(Dataset).where(or_(Dataset.name == ref, Dataset.id == ref)))
    if dataset is not None and (
        is_public(dataset)
        or (actor is not None and actor.has_role(dataset.organisation_id, MEMBER))
    ):
        return dataset
    raise NotFound(f"There is no published dataset called '{ref}'.")


def find_dataset_to_change(session: Session, ref: str, *, actor: Actor) -> Dataset:
    """A dataset by name or id for an editor of its organisation; others are told nothing."""
    dataset = find_dataset(session, ref, actor=actor)
    require(actor, dataset.organisation_id, EDITOR, "change this dataset")
    return dataset


def find_resource(session: Session, resource_id: str, *, actor: Actor | None = None) -> Resource:
    """A resource by id: a released file or a link of a public dataset, or any file for a
    member."""
    resource = session.get(Resource, resource_id)
    if resource is not None:
        dataset = resource.dataset
        if actor is not None and actor.has_role(dataset.organisation_id, MEMBER):
            return resource
        if is_public(dataset) and is_released(resource):
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
