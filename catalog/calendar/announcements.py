"""The release calendar: announcing what will be published and when (FOI Act s.22).

An entry starts with a provisional month or a confirmed date and time (09:30 UK time unless
said otherwise). Its date only changes with a reason, and every change is kept as a
CalendarChange, so the calendar never forgets what it promised: a cancelled entry stays on show
with its reason. Editors of the publishing organisation announce and change entries; every
step is in the activity log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog import activity
from catalog.calendar.words import change_text, month_label, uk_moment_text
from catalog.clock import utcnow
from catalog.errors import Conflict, Invalid, NotFound
from catalog.models import CalendarChange, CalendarEntry, Dataset, Organisation
from catalog.periods import parse_period
from catalog.permissions import EDITOR, MEMBER, Actor, require
from catalog.uk_time import RELEASE_TIME, uk_to_utc, utc_to_uk
from catalog.visibility import is_public

ANNOUNCED, CANCELLED = "announced", "cancelled"
MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
TITLE_LIMIT = 300
REQUIREMENT_LIMIT = 40


@dataclass(frozen=True)
class When:
    """A release date as people give it: a provisional month ("2027-01"), or a day with a UK
    clock time."""

    month: str | None = None
    day: date | None = None
    at: time = RELEASE_TIME


@dataclass(frozen=True)
class EntryInput:
    """What an announcement says; `dataset` optionally names the dataset it will publish."""

    organisation: str
    title: str
    when: When
    summary: str = ""
    dataset: str | None = None
    requirement: str | None = None
    period: str | None = None


def entry_announce(session: Session, *, actor: Actor, data: EntryInput) -> CalendarEntry:
    organisation = _organisation(session, data.organisation)
    require(actor, organisation.id, EDITOR, "announce releases for this organisation")
    month, release_at = _checked_when(data.when)
    period = str(parse_period(data.period)) if data.period and data.period.strip() else None
    now = utcnow()
    entry = CalendarEntry(
        title=_checked_title(data.title),
        summary=data.summary.strip(),
        organisation_id=organisation.id,
        dataset_id=_linked_dataset(session, data.dataset, organisation, period),
        requirement=_checked_requirement(data.requirement),
        period=period,
        provisional_month=month,
        release_at=release_at,
        state=ANNOUNCED,
        created_at=now,
        created_by=actor.name,
        updated_at=now,
    )
    session.add(entry)
    session.flush()
    _log(session, actor, entry, "announce", f"Announced {entry.title} for {_when_words(entry)}")
    session.flush()
    return entry


def entry_confirm(
    session: Session,
    *,
    actor: Actor,
    entry: CalendarEntry,
    day: date | None,
    at: time = RELEASE_TIME,
) -> CalendarEntry:
    """Turn a provisional month into a date and time; moving to another month needs a reason,
    so that is `entry_move`'s job."""
    _require_editor(actor, entry, "confirm this release date")
    _expect_announced(entry)
    if entry.provisional_month is None:
        raise Conflict(
            "This release already has a confirmed date. Move it instead, saying why.", field="when"
        )
    if day is None:
        raise Invalid("Enter the release date.", field="release")
    _, release_at = _checked_when(When(day=day, at=at))
    if f"{day:%Y-%m}" != entry.provisional_month:
        raise Invalid(
            f"The date must be in {month_label(entry.provisional_month)}, the month announced. "
            "To release in another month, move the release and say why.",
            field="release",
        )
    return _change(session, actor, entry, None, release_at, "", "confirm")


def entry_move(
    session: Session, *, actor: Actor, entry: CalendarEntry, when: When, reason: str
) -> CalendarEntry:
    """Give a release a new month or date; the old one and the reason stay in its history."""
    _require_editor(actor, entry, "move this release")
    _expect_announced(entry)
    month, release_at = _checked_when(when)
    if (month, release_at) == (entry.provisional_month, entry.release_at):
        raise Invalid("The new date is the same as the current one.", field="when")
    return _change(session, actor, entry, month, release_at, _checked_reason(reason), "move")


def entry_cancel(
    session: Session, *, actor: Actor, entry: CalendarEntry, reason: str
) -> CalendarEntry:
    """Cancel a release; the entry stays on the calendar, marked cancelled, with the reason."""
    _require_editor(actor, entry, "cancel this release")
    _expect_announced(entry)
    reason = _checked_reason(reason)
    entry.state = CANCELLED
    return _change(session, actor, entry, None, None, reason, "cancel")


def get_entry(session: Session, entry_id: int) -> CalendarEntry:
    entry = session.get(CalendarEntry, entry_id)
    if entry is None:
        raise NotFound(f"There is no calendar entry {entry_id}.")
    return entry


def get_staff_entry(session: Session, *, actor: Actor, entry_id: int) -> CalendarEntry:
    """An entry for its organisation's staff; to anyone else it does not exist."""
    entry = get_entry(session, entry_id)
    if not actor.has_role(entry.organisation_id, MEMBER):
        raise NotFound(f"There is no calendar entry {entry_id}.")
    return entry


def staff_entries(session: Session, *, actor: Actor) -> list[CalendarEntry]:
    """Every entry of the organisations the actor belongs to, soonest first."""
    entries = session.scalars(select(CalendarEntry).order_by(CalendarEntry.id))
    mine = [entry for entry in entries if actor.has_role(entry.organisation_id, MEMBER)]
    return sorted(mine, key=entry_sort_key)


def linkable_datasets(session: Session, *, actor: Actor) -> list[Dataset]:
    """Datasets an announcement by this actor may name: those of organisations they edit for."""
    datasets = session.scalars(select(Dataset).order_by(Dataset.title))
    return [dataset for dataset in datasets if actor.has_role(dataset.organisation_id, EDITOR)]


def entry_sort_key(entry: CalendarEntry) -> tuple[str, int, datetime, str]:
    """Month, then confirmed dates before provisional ones, then time and title."""
    return (
        release_month(entry),
        0 if entry.release_at else 1,
        entry.release_at or datetime.min,
        entry.title,
    )


def release_month(entry: CalendarEntry) -> str:
    """The UK month an entry is due in, as "YYYY-MM"."""
    if entry.release_at is not None:
        return f"{utc_to_uk(entry.release_at):%Y-%m}"
    return entry.provisional_month or ""


def _change(session, actor, entry, month, release_at, reason, verb) -> CalendarEntry:
    record_change(session, actor, entry, month, release_at, reason, verb)
    session.flush()
    return entry


def record_change(session, actor, entry, month, release_at, reason, verb) -> CalendarChange:
    """Give an entry its new month or date (or cancel it), keeping the old one and the reason
    as a CalendarChange and in the activity log."""
    now = utcnow()
    change = CalendarChange(
        changed_at=now,
        changed_by=actor.name,
        old_month=entry.provisional_month,
        old_release_at=entry.release_at,
        new_month=month,
        new_release_at=release_at,
        reason=reason,
    )
    entry.changes.append(change)
    if verb != "cancel":
        entry.provisional_month, entry.release_at = month, release_at
    entry.updated_at = now
    _log(session, actor, entry, verb, f"{entry.title}: {change_text(change)}")
    return change


def _log(session, actor, entry, verb, summary) -> None:
    activity.record(
        session,
        actor=actor,
        action=f"calendar.{verb}",
        object_type="calendar_entry",
        object_id=str(entry.id),
        summary=summary,
        after={
            "month": entry.provisional_month,
            "release_at": entry.release_at.isoformat() if entry.release_at else None,
            "state": entry.state,
        },
    )


def _when_words(entry: CalendarEntry) -> str:
    if entry.release_at is not None:
        return uk_moment_text(entry.release_at)
    return f"{month_label(entry.provisional_month)} (provisional)"


def _checked_when(when: When) -> tuple[str | None, datetime | None]:
    """Exactly one of a month (this month or later) or a future day and time."""
    if (when.month is None) == (when.day is None):
        raise Invalid("Choose either a provisional month or a confirmed date.", field="when")
    now = utcnow()
    if when.day is not None:
        moment = uk_to_utc(when.day, when.at)
        if moment <= now:
            raise Invalid("The release date and time must be in the future.", field="release")
        return None, moment
    month = _checked_month(when.month)
    if month < f"{utc_to_uk(now):%Y-%m}":
        raise Invalid("The provisional month must be this month or later.", field="month")
    return month, None


def _checked_month(text: str | None) -> str:
    found = MONTH_PATTERN.match((text or "").strip())
    if found is None or not 1 <= int(found.group(2)) <= 12 or int(found.group(1)) < 2000:
        raise Invalid(
            "The month must be a real month, like 2027-01 for January 2027.", field="month"
        )
    return found.group(0)


def _checked_title(title: str) -> str:
    title = title.strip()
    if not title:
        raise Invalid("Enter a title saying what will be published.", field="title")
    if len(title) > TITLE_LIMIT:
        raise Invalid(f"The title must be {TITLE_LIMIT} characters or fewer.", field="title")
    return title


def _checked_requirement(requirement: str | None) -> str | None:
    requirement = (requirement or "").strip()
    if len(requirement) > REQUIREMENT_LIMIT:
        raise Invalid(
            f"The requirement must be {REQUIREMENT_LIMIT} characters or fewer.", field="requirement"
        )
    return requirement or None


def _checked_reason(reason: str) -> str:
    if not (reason or "").strip():
        raise Invalid("Say why the release is changing: the public will see it.", field="reason")
    return reason.strip()


def _organisation(session: Session, name: str) -> Organisation:
    found = session.scalar(select(Organisation).where(Organisation.name == name))
    if found is None:
        raise Invalid("Choose the organisation that will publish it.", field="organisation")
    return found


def _linked_dataset(
    session: Session, name: str | None, organisation: Organisation, period: str | None
) -> str | None:
    """The dataset a release will publish. One already public needs the period the release
    covers, or the calendar would call the release published before it happened."""
    if not name or not name.strip():
        return None
    dataset = session.scalar(
        select(Dataset).where(
            Dataset.name == name.strip(), Dataset.organisation_id == organisation.id
        )
    )
    if dataset is None:
        raise Invalid(
            f"{organisation.title} has no dataset called '{name.strip()}'.", field="dataset"
        )
    if period is None and is_public(dataset):
        raise Invalid(
            "This dataset is already published: enter the period the release covers, so the "
            "calendar shows it as published only when a version for that period is out.",
            field="period",
        )
    return dataset.id


def _require_editor(actor: Actor, entry: CalendarEntry, doing: str) -> None:
    require(actor, entry.organisation_id, EDITOR, doing)


def _expect_announced(entry: CalendarEntry) -> None:
    if entry.state == CANCELLED:
        raise Conflict("This release has been cancelled, so it cannot change.", field="state")
