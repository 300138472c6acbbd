"""The one place the catalogue asks the time, so embargo tests can move it to the second."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

_fixed: datetime | None = None


def utcnow() -> datetime:
    """Current UTC time as a naive datetime: stored times are naive UTC on every database."""
    if _fixed is not None:
        return _fixed
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


@contextmanager
def frozen_at(moment: datetime) -> Iterator[None]:
    """Make `utcnow` answer `moment` (for tests and for replaying a release at a set time)."""
    global _fixed
    previous, _fixed = _fixed, moment
    try:
        yield
    finally:
        _fixed = previous
