"""The append-only activity log: services call `record` as part of every change, and the few
readers of the log (a dataset's history, the record of publishing runs) read it here."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.clock import utcnow
from catalog.models import Activity
from catalog.permissions import Actor


def record(
    session: Session,
    *,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: str,
    dataset_id: str | None = None,
    summary: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> Activity:
    entry = Activity(
        occurred_at=utcnow(),
        actor=actor.name,
        account_id=actor.account_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        dataset_id=dataset_id,
        summary=summary,
        before=before,
        after=after,
    )
    session.add(entry)
    return entry


def dataset_activity(session: Session, dataset_id: str) -> list[Activity]:
    query = (
        select(Activity)
        .where(Activity.dataset_id == dataset_id)
        .order_by(Activity.occurred_at.desc(), Activity.id.desc())
    )
    return list(session.scalars(query))


def latest_activity(
    session: Session, *, object_type: str, object_id: str, action: str
) -> Activity | None:
    """The newest entry of one kind about one object (a source's last completed run)."""
    query = (
        select(Activity)
        .where(
            Activity.object_type == object_type,
            Activity.object_id == object_id,
            Activity.action == action,
        )
        .order_by(Activity.occurred_at.desc(), Activity.id.desc())
        .limit(1)
    )
    return session.scalar(query)


def recent_activity(
    session: Session, *, object_type: str, object_id: str | None = None, limit: int = 10
) -> list[Activity]:
    """The newest entries about objects of a type (or one object), newest first."""
    query = select(Activity).where(Activity.object_type == object_type)
    if object_id is not None:
        query = query.where(Activity.object_id == object_id)
    query = query.order_by(Activity.occurred_at.desc(), Activity.id.desc()).limit(limit)
    return list(session.scalars(query))


def get_activity(session: Session, *, entry_id: int, object_type: str) -> Activity | None:
    """One entry, if it is about an object of that type."""
    entry = session.get(Activity, entry_id)
    return entry if entry is not None and entry.object_type == object_type else None
