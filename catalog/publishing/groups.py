"""Organisations and topics: creating them, and listing them with their public dataset counts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from catalog import activity
from catalog.errors import Conflict, Invalid, NotFound
from catalog.models import Dataset, Organisation, Topic
from catalog.models.datasets import dataset_topic
from catalog.names import check_name
from catalog.permissions import Actor, require_sysadmin
from catalog.visibility import public_dataset_clause


def organisation_create(
    session: Session, *, actor: Actor, name: str, title: str, description: str = ""
) -> Organisation:
    return _group_create(
        session, Organisation, actor=actor, name=name, title=title, text=description
    )


def topic_create(
    session: Session, *, actor: Actor, name: str, title: str, description: str = ""
) -> Topic:
    return _group_create(session, Topic, actor=actor, name=name, title=title, text=description)


def _group_create(session, model, *, actor, name, title, text):
    require_sysadmin(actor, f"create a {model.__tablename__}")
    check_name(name)
    if not title.strip():
        raise Invalid("Enter a title.", field="title")
    if session.scalar(select(model).where(model.name == name)) is not None:
        raise Conflict(f"The name '{name}' is already taken.", field="name")
    group = model(name=name, title=title.strip(), description=text)
    session.add(group)
    session.flush()
    kind = model.__tablename__
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
