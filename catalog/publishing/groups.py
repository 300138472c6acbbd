"""Organisations and topics: creating and changing them (site administrators only), and listing
them with their public dataset counts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from catalog import activity
from catalog.errors import Conflict, Invalid, NotFound
from catalog.models import Dataset, Organisation, Topic
from catalog.models.datasets import dataset_topic
from catalog.names import check_name, check_uuid
from catalog.permissions import Actor, require_sysadmin
from catalog.reindex import mark_for_index
from catalog.visibility import public_dataset_clause

TITLE_LENGTH = 200


def organisation_create(
    session: Session,
    *,
    actor: Actor,
    name: str,
    title: str,
    description: str = "",
    uuid: str | None = None,
) -> Organisation:
    """A new publisher; `uuid` keeps the id it has on another CKAN site being copied."""
    return _group_create(
        session, Organisation, actor=actor, name=name, title=title, text=description, uuid=uuid
    )


def topic_create(
    session: Session,
    *,
    actor: Actor,
    name: str,
    title: str,
    description: str = "",
    uuid: str | None = None,
) -> Topic:
    """A new topic; `uuid` keeps the id it has on another CKAN site being copied."""
    return _group_create(
        session, Topic, actor=actor, name=name, title=title, text=description, uuid=uuid
    )


def organisation_update(
    session: Session,
    *,
    actor: Actor,
    organisation: Organisation,
    name: str,
    title: str,
    description: str,
) -> Organisation:
    """Rename or describe a publisher again; its datasets are reindexed under the new name."""
    return _group_update(
        session, organisation, actor=actor, name=name, title=title, text=description
    )


def topic_update(
    session: Session, *, actor: Actor, topic: Topic, name: str, title: str, description: str
) -> Topic:
    """Rename or describe a topic again; its datasets are reindexed under the new name."""
    return _group_update(session, topic, actor=actor, name=name, title=title, text=description)


def _group_create(session, model, *, actor, name, title, text, uuid):
    kind = model.__tablename__
    require_sysadmin(actor, f"create {kind}s")
    title = _checked(session, model, name=name, title=title)
    group = model(name=name, title=title, description=text)
    if uuid is not None:
        group.uuid = _free_uuid(session, uuid)
    session.add(group)
    session.flush()
    activity.record(
        session,
        actor=actor,
        action=f"{kind}.create",
        object_type=kind,
        object_id=name,
        summary=f"Created {kind} {title}",
        after={"name": name, "title": title},
    )
    session.flush()
    return group


def _group_update(session, group, *, actor, name, title, text):
    kind = group.__tablename__
    require_sysadmin(actor, f"change {kind}s")
    title = _checked(session, type(group), name=name, title=title, group=group)
    before = _fields(group)
    renamed = (name, title) != (group.name, group.title)
    group.name, group.title, group.description = name, title, text
    if before == _fields(group):
        return group
    if renamed:
        for dataset_id in _dataset_ids(session, group):
            mark_for_index(session, dataset_id)
    activity.record(
        session,
        actor=actor,
        action=f"{kind}.update",
        object_type=kind,
        object_id=name,
        summary=f"Changed {kind} {title}",
        before=before,
        after=_fields(group),
    )
    session.flush()
    return group


def _checked(session, model, *, name: str, title: str, group=None) -> str:
    """The title to keep, once the name is a free URL name and the title is given."""
    check_name(name)
    title = (title or "").strip()
    if not title:
        raise Invalid("Enter a title.", field="title")
    if len(title) > TITLE_LENGTH:
        raise Invalid(f"The title must be {TITLE_LENGTH} characters or fewer.", field="title")
    taken = session.scalar(select(model).where(model.name == name))
    if taken is not None and taken is not group:
        raise Conflict(f"The name '{name}' is already taken.", field="name")
    return title


def _free_uuid(session: Session, uuid: str) -> str:
    """A chosen id no organisation or topic has (CKAN keeps both in one table of groups)."""
    check_uuid(uuid)
    for model in (Organisation, Topic):
        if session.scalar(select(model.id).where(model.uuid == uuid)) is not None:
            raise Conflict(f"The id '{uuid}' is already used by another group.", field="id")
    return uuid


def _fields(group: Organisation | Topic) -> dict[str, str]:
    return {"name": group.name, "title": group.title, "description": group.description}


def _dataset_ids(session: Session, group: Organisation | Topic) -> list[str]:
    if isinstance(group, Organisation):
        query = select(Dataset.id).where(Dataset.organisation_id == group.id)
    else:
        query = select(dataset_topic.c.dataset_id).where(dataset_topic.c.topic_id == group.id)
    return list(session.scalars(query))


def get_organisation(session: Session, name: str) -> Organisation:
    return _get(session, Organisation, name, "organisation")


def get_topic(session: Session, name: str) -> Topic:
    return _get(session, Topic, name, "topic")


def _get(session, model, name, kind):
    found = session.scalar(select(model).where(model.name == name))
    if found is None:
        raise NotFound(f"There is no {kind} called '{name}'.")
    return found


def organisations_with_counts(
    session: Session, now: datetime | None = None
) -> list[tuple[Organisation, int]]:
    counts = (
        select(Dataset.organisation_id, func.count(Dataset.id).label("n"))
        .where(public_dataset_clause(now))
        .group_by(Dataset.organisation_id)
        .subquery()
    )
    query = (
        select(Organisation, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.organisation_id == Organisation.id)
        .order_by(Organisation.title)
    )
    return [(org, n) for org, n in session.execute(query)]


def topics_with_counts(session: Session, now: datetime | None = None) -> list[tuple[Topic, int]]:
    counts = (
        select(dataset_topic.c.topic_id, func.count(Dataset.id).label("n"))
        .join(Dataset, Dataset.id == dataset_topic.c.dataset_id)
        .where(public_dataset_clause(now))
        .group_by(dataset_topic.c.topic_id)
        .subquery()
    )
    query = (
        select(Topic, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.topic_id == Topic.id)
        .order_by(Topic.title)
    )
    return [(topic, n) for topic, n in session.execute(query)]
