"""Transparency Code deadlines: due dates across financial-year quarters, and the status of each
requirement as the clock moves, counting only what the public can see."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import pytest

from catalog.calendar.transparency import (
    DUE_SOON,
    MISSING,
    OVERDUE,
    UP_TO_DATE,
    due_date,
    following,
    latest_ended,
    month_end_after,
    public_compliance,
)
from catalog.clock import frozen_at
from catalog.errors import Invalid
from catalog.periods import parse_period
from catalog.publishing.requirements import (
    BY_KEY,
    check_period,
    period_set,
    requirement_set,
    upload_period,
)
from catalog.publishing.resources import Upload, version_add
from catalog.publishing.workflow import release_without_review
from tests.conftest import ACTOR

SPEND = BY_KEY["spend-over-500"]
PAY = BY_KEY["pay-multiple"]
WASTE = BY_KEY["waste-contracts"]
GOOD_FILE = Path(__file__).resolve().parents[2] / "data" / "transparency" / "spend-2026-27-q3.csv"


@pytest.mark.parametrize(
    ("period", "due"),
    [
        ("2026/27 Q1", date(2026, 7, 31)),  # April to June
        ("2026/27 Q2", date(2026, 10, 31)),  # July to September
        ("2026/27 Q3", date(2027, 1, 31)),  # October to December: due in the next calendar year
        ("2026/27 Q4", date(2027, 4, 30)),  # January to March: April has 30 days
        ("Oct-Dec 2027", date(2028, 1, 31)),
        ("Jan-Mar 2028", date(2028, 4, 30)),
    ],
)
def test_quarterly_data_is_due_at_the_end_of_the_month_after_its_quarter(period, due):
    assert due_date(SPEND, parse_period(period)) == due


def test_annual_data_is_due_six_months_after_its_financial_year_ends():
    assert due_date(PAY, parse_period("2025/26")) == date(2026, 9, 30)
    assert due_date(PAY, parse_period("2026/27")) == date(2027, 9, 30)


def test_data_published_once_has_no_deadline():
    assert due_date(WASTE, parse_period("2025/26")) is None


@pytest.mark.parametrize(
    ("day", "months", "end"),
    [
        (date(2026, 12, 31), 1, date(2027, 1, 31)),
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 3, 31), 6, date(2026, 9, 30)),
        (date(2026, 8, 31), 1, date(2026, 9, 30)),
    ],
)
def test_month_end_after_lands_on_the_last_day_of_the_month(day, months, end):
    assert month_end_after(day, months) == end


def test_the_period_after_the_last_quarter_starts_the_next_financial_year():
    assert following(parse_period("2026/27 Q4")).code == "2027/28 Q1"
    assert following(parse_period("2026/27 Q3")).code == "2026/27 Q4"
    assert following(parse_period("2025/26")).code == "2026/27"


def test_the_latest_ended_period_follows_the_financial_year():
    assert latest_ended(SPEND, date(2026, 12, 2)).code == "2026/27 Q2"
    assert latest_ended(SPEND, date(2026, 4, 1)).code == "2025/26 Q4"
    assert latest_ended(SPEND, date(2026, 3, 31)).code == "2025/26 Q3"
    assert latest_ended(PAY, date(2026, 12, 2)).code == "2025/26"
    assert latest_ended(PAY, date(2026, 3, 31)).code == "2024/25"


def test_a_period_must_suit_the_requirement():
    assert check_period(SPEND, "Oct-Dec 2026").code == "2026/27 Q3"
    assert check_period(SPEND, "2025/26").code == "2025/26"  # a whole year of quarters
    with pytest.raises(Invalid, match="give the period as a quarter") as month:
        check_period(SPEND, "2026-10")
    assert month.value.field == "period"
    with pytest.raises(Invalid, match="a financial year, such as 2025/26"):
        check_period(PAY, "2026/27 Q1")
    with pytest.raises(Invalid, match="not a period"):
        check_period(SPEND, "last quarter")


# -- Status from the clock, counting only public versions ----------------------------------------


def marked_dataset(catalogue, name="spend-over-500-2026-27", key="spend-over-500"):
    dataset = catalogue.dataset(name, title="Spend over £500: 2026/27", publish=False)
    requirement_set(catalogue.session, actor=ACTOR, dataset=dataset, key=key)
    return dataset


def add_quarter(catalogue, dataset, period: str):
    resource = catalogue.add_file(
        dataset, "spend.csv", GOOD_FILE.read_bytes(), title=f"Spend {period}"
    )
    return cover(catalogue, resource.latest, period)


def cover(catalogue, version, period: str):
    assert version.cleared, version.data_table.report
    period_set(
        catalogue.session,
        actor=ACTOR,
        version=version,
        period=upload_period(version.resource.dataset, period),
    )
    return version


def spend_position(session):
    return next(p for p in public_compliance(session) if p.requirement.key == "spend-over-500")


def test_status_moves_from_up_to_date_to_due_soon_to_overdue_and_back(catalogue):
    session = catalogue.session
    with frozen_at(datetime(2026, 10, 20, 9, 30)):
        dataset = marked_dataset(catalogue)
        add_quarter(catalogue, dataset, "2026/27 Q2")
        release_without_review(session, actor=ACTOR, dataset=dataset, source="test")
    expected = [
        (datetime(2026, 12, 2, 12, 0), UP_TO_DATE),
        (datetime(2027, 1, 16, 12, 0), UP_TO_DATE),  # 15 days to go
        (datetime(2027, 1, 17, 0, 0), DUE_SOON),  # 14 days to go
        (datetime(2027, 1, 31, 23, 59), DUE_SOON),  # the deadline day itself
        (datetime(2027, 2, 1, 0, 0), OVERDUE),
    ]
    for moment, status in expected:
        with frozen_at(moment):
            found = spend_position(session)
        assert (moment, found.status) == (moment, status)
        assert found.last_period.code == "2026/27 Q2"
        assert (found.next_period.code, found.next_due) == ("2026/27 Q3", date(2027, 1, 31))
    with frozen_at(datetime(2027, 2, 3, 9, 30)):
        add_quarter(catalogue, dataset, "2026/27 Q3")
        found = spend_position(session)
    assert found.status == UP_TO_DATE
    assert (found.last_period.code, found.next_due) == ("2026/27 Q3", date(2027, 4, 30))


def test_a_requirement_with_nothing_public_is_missing(catalogue):
    with frozen_at(datetime(2026, 12, 2, 12, 0)):
        found = spend_position(catalogue.session)
    assert found.status == MISSING and found.datasets == [] and found.last_period is None
    assert (found.next_period.code, found.next_due) == ("2026/27 Q2", date(2026, 10, 31))


def test_a_draft_dataset_meets_no_deadline(catalogue):
    with frozen_at(datetime(2026, 11, 20, 9, 30)):
        dataset = marked_dataset(catalogue)
        add_quarter(catalogue, dataset, "2026/27 Q2")
    with frozen_at(datetime(2026, 12, 2, 12, 0)):
        found = spend_position(catalogue.session)
    assert found.status == MISSING and found.datasets == []


def test_an_embargoed_dataset_counts_only_from_its_release(catalogue):
    session = catalogue.session
    with frozen_at(datetime(2026, 11, 20, 9, 30)):
        dataset = marked_dataset(catalogue)
        add_quarter(catalogue, dataset, "2026/27 Q2")
        release_without_review(
            session, actor=ACTOR, dataset=dataset, at=datetime(2026, 12, 3, 9, 30), source="test"
        )
    with frozen_at(datetime(2026, 12, 3, 9, 29, 59)):
        assert spend_position(session).status == MISSING
    with frozen_at(datetime(2026, 12, 3, 9, 30)):
        assert spend_position(session).status == UP_TO_DATE


def test_a_file_scheduled_for_later_is_not_yet_the_last_period(catalogue):
    session = catalogue.session
    with frozen_at(datetime(2026, 10, 20, 9, 30)):
        dataset = marked_dataset(catalogue)
        first = add_quarter(catalogue, dataset, "2026/27 Q2")
        release_without_review(session, actor=ACTOR, dataset=dataset, source="test")
    with frozen_at(datetime(2027, 1, 20, 9, 0)):
        version = version_add(
            session,
            store=catalogue.store,
            actor=ACTOR,
            resource=first.resource,
            upload=Upload(stream=io.BytesIO(GOOD_FILE.read_bytes()), filename="spend.csv"),
            release_at=datetime(2027, 1, 28, 9, 30),
        )
        cover(catalogue, version, "2026/27 Q3")
        before = spend_position(session)
    with frozen_at(datetime(2027, 1, 28, 9, 30)):
        after = spend_position(session)
    assert (before.last_period.code, before.status) == ("2026/27 Q2", DUE_SOON)
    assert (after.last_period.code, after.status) == ("2026/27 Q3", UP_TO_DATE)


def test_an_upload_must_say_which_period_it_covers(catalogue):
    dataset = marked_dataset(catalogue)
    with pytest.raises(Invalid, match="Enter the period this file covers") as missing:
        upload_period(dataset, "  ")
    assert missing.value.field == "period"
    assert upload_period(dataset, "Q3 2026/27").code == "2026/27 Q3"
    annual = marked_dataset(catalogue, name="pay-multiple", key="pay-multiple")
    with pytest.raises(Invalid, match="such as 2025/26: .+ the annual Transparency"):
        upload_period(annual, "")
    once = marked_dataset(catalogue, name="waste-contracts", key="waste-contracts")
    assert upload_period(once, "") is None


def test_an_unknown_requirement_is_refused(catalogue):
    dataset = catalogue.dataset("spend", publish=False)
    with pytest.raises(Invalid, match="not a Transparency Code requirement") as refused:
        requirement_set(catalogue.session, actor=ACTOR, dataset=dataset, key="spend-over-250")
    assert refused.value.field == "transparency_requirement"
    assert dataset.transparency_requirement is None
