"""UK clock time for people, naive UTC for storage.

Publishers think in UK time (releases go out at 09:30, whether it is GMT or BST); the catalogue
stores naive UTC everywhere. These functions are the one place the two are converted, so a
release set for "9:30am on 27 October" lands on the right second either side of a clock change.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from catalog.clock import utcnow
from catalog.errors import Invalid

UK = ZoneInfo("Europe/London")
RELEASE_TIME = time(9, 30)


def uk_to_utc(day: date, at: time = time(0, 0)) -> datetime:
    """A UK wall-clock date and time as naive UTC."""
    local = datetime.combine(day, at, tzinfo=UK)
    return local.astimezone(UTC).replace(tzinfo=None)


def utc_to_uk(moment: datetime) -> datetime:
    """A stored naive UTC time as an aware UK time, for showing to people."""
    return moment.replace(tzinfo=UTC).astimezone(UK)


def next_release_slot(now: datetime | None = None) -> datetime:
    """The next 09:30 UK time after `now`, as naive UTC: the usual time to release."""
    moment = now or utcnow()
    today = utc_to_uk(moment).date()
    slot = uk_to_utc(today, RELEASE_TIME)
    return slot if slot > moment else uk_to_utc(today + timedelta(days=1), RELEASE_TIME)


def scheduled_release(day: date, at: time, now: datetime | None = None) -> datetime:
    """A release time chosen in UK time, as naive UTC; it must still be ahead of us."""
    moment = uk_to_utc(day, at)
    if moment <= (now or utcnow()):
        raise Invalid("The release time must be in the future.", field="release")
    return moment


def end_of_uk_day(day: date) -> datetime:
    """Midnight at the end of `day` in the UK, as naive UTC: when an expiry date runs out."""
    return uk_to_utc(day + timedelta(days=1))
