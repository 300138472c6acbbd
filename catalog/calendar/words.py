"""The release calendar in plain English: dates in UK time and each change as a sentence.

The same words go on the page, into the activity log and into the .ics description, so an FOI
officer, a resident and an auditor read the same history.
"""

from __future__ import annotations

from datetime import datetime

from catalog.models import CalendarChange
from catalog.periods import MONTH_NAMES
from catalog.uk_time import RELEASE_TIME, utc_to_uk


def month_label(month: str | None) -> str:
    """'2027-01' as 'January 2027'."""
    if not month:
        return ""
    year, number = month.split("-")
    return f"{MONTH_NAMES[int(number) - 1]} {year}"


def uk_day_text(moment: datetime) -> str:
    """A stored UTC time as its UK day: '21 January 2027'."""
    local = utc_to_uk(moment)
    return f"{local.day} {local:%B %Y}"


def uk_clock_text(moment: datetime) -> str:
    """A stored UTC time as a UK clock time: '9:30am'."""
    local = utc_to_uk(moment)
    suffix = "am" if local.hour < 12 else "pm"
    return f"{local.hour % 12 or 12}:{local:%M}{suffix}"


def uk_moment_text(moment: datetime) -> str:
    """'21 January 2027 at 9:30am'."""
    return f"{uk_day_text(moment)} at {uk_clock_text(moment)}"


def change_text(change: CalendarChange) -> str:
    """One change as a sentence, for example 'Moved from 14 January 2027 to 21 January 2027
    on 2 December 2026: data supplier late'."""
    on = f"on {uk_day_text(change.changed_at)}"
    because = f": {change.reason}" if change.reason else ""
    if change.new_month is None and change.new_release_at is None:
        return f"Cancelled {on}{because}"
    if (confirmed := _confirmed_for(change)) is not None:
        return (
            f"Confirmed for {uk_moment_text(confirmed)} "
            f"(provisionally {month_label(change.old_month)}) {on}{because}"
        )
    with_time = _times_matter(change)
    old = _point_text(change.old_month, change.old_release_at, with_time)
    new = _point_text(change.new_month, change.new_release_at, with_time)
    return f"Moved from {old} to {new} {on}{because}"


def _confirmed_for(change: CalendarChange) -> datetime | None:
    """The date a change confirmed, if any: a date chosen within the month first announced
    confirms it rather than moving it."""
    moment = change.new_release_at
    if moment is None or change.old_month != f"{utc_to_uk(moment):%Y-%m}":
        return None
    return moment


def _times_matter(change: CalendarChange) -> bool:
    """Times are worth saying unless both dates keep the usual 09:30 release."""
    times = [utc_to_uk(m).time() for m in (change.old_release_at, change.new_release_at) if m]
    return any(t != RELEASE_TIME for t in times)


def _point_text(month: str | None, moment: datetime | None, with_time: bool) -> str:
    if moment is None:
        return f"{month_label(month)} (provisional)"
    return uk_moment_text(moment) if with_time else uk_day_text(moment)
