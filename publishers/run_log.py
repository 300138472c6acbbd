"""The record of publishing runs, kept in the catalogue's append-only activity log.

Every real run is recorded, including one that failed or was refused (with its error), so an
administrator can see why last night's release did not happen. Dry runs write nothing, so they
are not recorded. The log is never public.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog import activity
from catalog.models import Activity
from catalog.permissions import Actor
from publishers.summary import RunSummary

OBJECT_TYPE = "publishing_run"
DONE, FAILED = "publishing.run", "publishing.failed"


def record_run(session: Session, *, actor: Actor, summary: RunSummary) -> Activity:
    entry = activity.record(
        session,
        actor=actor,
        action=DONE if summary.ok else FAILED,
        object_type=OBJECT_TYPE,
        object_id=summary.source,
        summary=summary.headline(),
        after=summary.as_dict(),
    )
    session.commit()
    return entry


def recent_runs(session: Session, source: str | None = None, limit: int = 10) -> list[Activity]:
    """The latest recorded runs, newest first; `after` holds each run's summary."""
    query = select(Activity).where(Activity.object_type == OBJECT_TYPE)
    if source is not None:
        query = query.where(Activity.object_id == source)
    query = query.order_by(Activity.occurred_at.desc(), Activity.id.desc()).limit(limit)
    return list(session.scalars(query))
