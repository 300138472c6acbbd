"""The release calendar as the public sees it, with "published" derived, never stored.

An entry linked to a dataset counts as published once the one visibility rule says so: the
dataset is public and, when the entry names a period, a public version covers that period.
Until then only the entry's own announced title shows; nothing of the linked dataset (its
name, title or address) leaves this module, so a draft stays unseen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.calendar.announcements import CANCELLED, entry_sort_key, release_month
from catalog.calendar.words import change_text, month_label
from catalog.clock import utcnow
from catalog.errors import Invalid
from catalog.models import CalendarEntry, Dataset, Organisation
from catalog.uk_time import uk_to_utc
from catalog.visibility import is_public, version_is_public

UPCOMING, PUBLISHED = "upcoming", "published"
PAST_LIMIT = 20


@dataclass(frozen=True)
class Publication:
    """Where a published entry's data is: a dataset page, or one version of a file."""

    dataset_name: str
    resource_id: str | None = None
    version_number: int | None = None
    released_at: datetime | None = None


@dataclass(frozen=True)
class PublicEntry:
    entry: CalendarEntry
    organisation: Organisation
    status: str
    history: list[str]
    sequence: int
    late: bool = False
    publication: Publication | None = None


@dataclass(frozen=True)
class CalendarListing:
    """Upcoming entries by UK month ('January 2027', entries), then the recently published
    and cancelled ones, newest first."""

    upcoming: list[tuple[str, list[PublicEntry]]]
    past: list[PublicEntry]
    organisations: list[Organisation]
    organisation: Organisation | None


def calendar_listing(
    session: Session, *, organisation: str | None = None, now: datetime | None = None
) -> CalendarListing:
    moment = now or utcnow()
    chosen = chosen_publisher(session, organisation)
    entries = public_entries(session, organisation=chosen, now=moment)
    upcoming = [e for e in entries if e.status == UPCOMING]
    past = [e for e in entries if e.status != UPCOMING]
    past.sort(key=lambda e: entry_sort_key(e.entry), reverse=True)
    months = groupby(upcoming, key=lambda e: release_month(e.entry))
    return CalendarListing(
        upcoming=[(month_label(month), list(group)) for month, group in months],
        past=past[:PAST_LIMIT],
        organisations=list(session.scalars(select(Organisation).order_by(Organisation.title))),
        organisation=chosen,
    )


def public_entries(
    session: Session, *, organisation: Organisation | None = None, now: datetime | None = None
) -> list[PublicEntry]:
    """Every entry, soonest first, with its status worked out at `now`."""
    moment = now or utcnow()
    query = select(CalendarEntry)
    if organisation is not None:
        query = query.where(CalendarEntry.organisation_id == organisation.id)
    entries = sorted(session.scalars(query), key=entry_sort_key)
    return [_public_entry(session, entry, moment) for entry in entries]


def _public_entry(session: Session, entry: CalendarEntry, now: datetime) -> PublicEntry:
    publication = None if entry.state == CANCELLED else _publication(session, entry, now)
    status = CANCELLED if entry.state == CANCELLED else PUBLISHED if publication else UPCOMING
    return PublicEntry(
        entry=entry,
        organisation=session.get_one(Organisation, entry.organisation_id),
        status=status,
        history=[change_text(change) for change in entry.changes],
        sequence=len(entry.changes),
        late=status == UPCOMING and _due_by(entry) <= now,
        publication=publication,
    )


def _publication(session: Session, entry: CalendarEntry, now: datetime) -> Publication | None:
    """The public data an entry announced, if the visibility rule already shows it."""
    if entry.dataset_id is None:
        return None
    dataset = session.get(Dataset, entry.dataset_id)
    if dataset is None or not is_public(dataset, now):
        return None
    if entry.period is None:
        return Publication(dataset.name, released_at=dataset.published_at)
    for resource in dataset.resources:
        for version in resource.versions:
            if version.period == entry.period and version_is_public(version, now):
                return Publication(
                    dataset.name, resource.id, version.number, released_at=version.published_at
                )
    return None


def _due_by(entry: CalendarEntry) -> datetime:
    """When an entry should have been out: its confirmed time, or the end of its month."""
    if entry.release_at is not None:
        return entry.release_at
    if entry.provisional_month is None:
        raise ValueError(f"Calendar entry {entry.id} has neither a month nor a date.")
    year, month = (int(part) for part in entry.provisional_month.split("-"))
    following = (year + 1, 1) if month == 12 else (year, month + 1)
    return uk_to_utc(datetime(*following, 1).date())


def chosen_publisher(session: Session, name: str | None) -> Organisation | None:
    """The publisher a calendar is filtered to (`?organisation=`), or None for all of them."""
    if not name:
        return None
    found = session.scalar(select(Organisation).where(Organisation.name == name))
    if found is None:
        raise Invalid(f"There is no publisher called '{name}'.", field="organisation")
    return found


def next_expected_update(
    session: Session, dataset: Dataset, *, now: datetime | None = None
) -> PublicEntry | None:
    """The soonest release the calendar still promises for a public dataset: announced for
    it, neither cancelled nor yet published (a late one included, marked late)."""
    moment = now or utcnow()
    query = select(CalendarEntry).where(
        CalendarEntry.dataset_id == dataset.id, CalendarEntry.state != CANCELLED
    )
    for entry in sorted(session.scalars(query), key=entry_sort_key):
        found = _public_entry(session, entry, moment)
        if found.status == UPCOMING:
            return found
    return None
