"""Writing to the append-only activity log; services call `record` as part of every change."""

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
