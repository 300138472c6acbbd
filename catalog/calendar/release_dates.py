"""Releases keep the calendar true: approving a release at a time moves the announcement of that
dataset and period to that time, and a release ahead of the announced date needs a reason, which
the calendar shows with the change (FOI Act s.22: the public can see what was promised and why
it changed)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.calendar.announcements import ANNOUNCED, record_change
from catalog.calendar.words import month_label, uk_moment_text
from catalog.clock import utcnow
from catalog.errors import Invalid
from catalog.models import CalendarEntry, Dataset, ResourceChange
from catalog.permissions import Actor
from catalog.publishing.changes import change_approve
from catalog.publishing.workflow import dataset_publish
from catalog.uk_time import uk_to_utc
from catalog.visibility import is_public

ON_TIME = "Released at the time approved."


def change_release(
    session: Session,
    *,
    actor: Actor,
    change: ResourceChange,
    at: datetime | None = None,
    early_reason: str = "",
) -> ResourceChange:
    """Approve a change to a public dataset for release at `at` (now if None), moving the
    calendar entry announced for its dataset and period."""
    moment = at or utcnow()
    period = change.version.period if change.version is not None else None
    entries = announced_entries(session, change.dataset, {period} if period else set())
    reason = _checked_reason(entries, moment, early_reason)
    change_approve(session, actor=actor, change=change, at=moment)
    _follow(session, actor, entries, moment, reason)
    return change


def dataset_release(
    session: Session,
    *,
    actor: Actor,
    dataset: Dataset,
    at: datetime | None = None,
    early_reason: str = "",
) -> Dataset:
    """Publish an approved dataset at `at` (now if None), moving the calendar entries announced
    for it (for no period, or for a period one of its files covers)."""
    moment = at or utcnow()
    periods = {r.latest.period for r in dataset.resources if r.latest and r.latest.period}
    entries = announced_entries(session, dataset, periods)
    reason = _checked_reason(entries, moment, early_reason)
    dataset_publish(session, actor=actor, dataset=dataset, at=moment)
    _follow(session, actor, entries, moment, reason)
    return dataset


def announced_entries(session: Session, dataset: Dataset, periods: set[str]) -> list[CalendarEntry]:
    """The announced entries a release of these periods of a dataset fulfils: those naming one
    of the periods, or, for a dataset not yet public, those naming none."""
    query = select(CalendarEntry).where(
        CalendarEntry.dataset_id == dataset.id, CalendarEntry.state == ANNOUNCED
    )
    found = []
    for entry in session.scalars(query.order_by(CalendarEntry.id)):
        if entry.period in periods or (entry.period is None and not is_public(dataset)):
            found.append(entry)
    return found


def announced_from(entry: CalendarEntry) -> datetime:
    """The earliest moment the entry promised: its confirmed time, or its month's first day."""
    if entry.release_at is not None:
        return entry.release_at
    year, month = (int(part) for part in (entry.provisional_month or "").split("-"))
    return uk_to_utc(date(year, month, 1))


def _checked_reason(entries: list[CalendarEntry], at: datetime, reason: str) -> str:
    early = [entry for entry in entries if at < announced_from(entry)]
    if early and not reason.strip():
        raise Invalid(
            f"The calendar announced this release for {_announced_words(early[0])}. Say why it "
            "is being released earlier: the calendar will show your reason.",
            field="early_reason",
        )
    return reason.strip()


def _follow(
    session: Session, actor: Actor, entries: list[CalendarEntry], at: datetime, reason: str
) -> None:
    for entry in entries:
        if entry.release_at != at:
            record_change(session, actor, entry, None, at, reason or ON_TIME, "move")
    session.flush()


def _announced_words(entry: CalendarEntry) -> str:
    if entry.release_at is not None:
        return uk_moment_text(entry.release_at)
    return month_label(entry.provisional_month)
