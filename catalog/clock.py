"""The one place the catalogue asks the time, so tests can move it (embargoes, schedules)."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Current UTC time as a naive datetime: stored times are naive UTC on every database."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)
