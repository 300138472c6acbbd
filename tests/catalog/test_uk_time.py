"""Release times are chosen in UK clock time and stored as UTC, either side of a clock change."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from catalog.errors import Invalid
from catalog.uk_time import end_of_uk_day, next_release_slot, scheduled_release, uk_to_utc


@pytest.mark.parametrize(
    "now, slot",
    [
        (datetime(2025, 6, 2, 7, 0), datetime(2025, 6, 2, 8, 30)),  # summer: 09:30 BST
        (datetime(2025, 6, 2, 8, 30), datetime(2025, 6, 3, 8, 30)),  # at 09:30: tomorrow's
        (datetime(2025, 1, 15, 10, 0), datetime(2025, 1, 16, 9, 30)),  # winter: 09:30 GMT
        (datetime(2025, 3, 29, 10, 0), datetime(2025, 3, 30, 8, 30)),  # clocks go forward
        (datetime(2025, 10, 25, 10, 0), datetime(2025, 10, 26, 9, 30)),  # clocks go back
        (datetime(2025, 6, 2, 23, 30), datetime(2025, 6, 3, 8, 30)),  # 00:30 BST already
    ],
)
def test_the_next_release_slot_is_the_next_0930_in_york(now, slot):
    assert next_release_slot(now) == slot


def test_a_schedule_must_be_ahead_of_now():
    now = datetime(2025, 6, 2, 7, 0)
    assert scheduled_release(date(2025, 6, 2), time(9, 30), now) == datetime(2025, 6, 2, 8, 30)
    with pytest.raises(Invalid) as refused:
        scheduled_release(date(2025, 6, 2), time(8, 0), now)
    assert refused.value.field == "release"


def test_an_expiry_date_runs_to_midnight_uk_time():
    assert end_of_uk_day(date(2025, 6, 30)) == datetime(2025, 6, 30, 23, 0)
    assert end_of_uk_day(date(2025, 12, 31)) == uk_to_utc(date(2026, 1, 1))
