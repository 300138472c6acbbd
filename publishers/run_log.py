"""The record of publishing runs, kept in the catalogue's append-only activity log.

Every real run is recorded, including one that failed or was refused (with its error), so an
administrator can see why last night's release did not happen. Dry runs write nothing, so they
are not recorded. The log is never public. It is also how a source's runs remember what it
supplied last time, so an indicator that has gone from the store is noticed: the first
completed run that finds it gone says so in the history on its dataset's staff page.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog import activity
from catalog.errors import NotAllowed, NotFound
from catalog.models import Activity
from catalog.permissions import ADMIN, Actor
from publishers.summary import DONE as COMPLETED
from publishers.summary import RunSummary

OBJECT_TYPE = "publishing_run"
DONE, FAILED = "publishing.run", "publishing.failed"
DROPPED = "indicator.dropped"


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
    if summary.status == COMPLETED:
        _record_dropped(session, actor, summary)
    session.flush()
    return entry


def _record_dropped(session: Session, actor: Actor, summary: RunSummary) -> None:
    """Tell the publishers of each indicator newly gone from the store, on its staff page."""
    for dropped in summary.dropped:
        if dropped.newly:
            activity.record(
                session,
                actor=actor,
                action=DROPPED,
                object_type="indicator",
                object_id=dropped.ref,
                dataset_id=dropped.dataset_id,
                summary=f"{summary.source_title} run: {dropped.line()}",
                after={"ref": dropped.ref, "source": summary.source},
            )


def last_supplied(session: Session, source: str) -> tuple[set[str], set[str]]:
    """The indicators the source's last completed run supplied, and those it found gone."""
    entry = session.scalar(
        select(Activity)
        .where(
            Activity.object_type == OBJECT_TYPE,
            Activity.object_id == source,
            Activity.action == DONE,
        )
        .order_by(Activity.occurred_at.desc(), Activity.id.desc())
        .limit(1)
    )
    after = (entry.after or {}) if entry is not None else {}
    supplied = {outcome["ref"] for outcome in after.get("indicators", [])}
    return supplied, {dropped["ref"] for dropped in after.get("dropped", [])}


def recent_runs(session: Session, source: str | None = None, limit: int = 10) -> list[Activity]:
    """The latest recorded runs, newest first; `after` holds each run's summary."""
    query = select(Activity).where(Activity.object_type == OBJECT_TYPE)
    if source is not None:
        query = query.where(Activity.object_id == source)
    query = query.order_by(Activity.occurred_at.desc(), Activity.id.desc()).limit(limit)
    return list(session.scalars(query))


def staff_runs(session: Session, *, actor: Actor, limit: int = 20) -> list[Activity]:
    """The latest runs of every source, for the staff page of runs."""
    _require_run_reader(actor)
    return recent_runs(session, limit=limit)


def get_staff_run(session: Session, *, actor: Actor, run_id: int) -> Activity:
    """One recorded run, with its summary in `after`."""
    _require_run_reader(actor)
    entry = session.get(Activity, run_id)
    if entry is None or entry.object_type != OBJECT_TYPE:
        raise NotFound(f"There is no publishing run {run_id}.")
    return entry


def can_read_runs(actor: Actor) -> bool:
    """Runs name indicators of every organisation, so only admins and site administrators
    read them; they never hold a figure."""
    return actor.sysadmin or ADMIN in actor.roles.values()


def _require_run_reader(actor: Actor) -> None:
    if not can_read_runs(actor):
        raise NotAllowed(
            "Only an admin of an organisation or a site administrator can see publishing runs."
        )
