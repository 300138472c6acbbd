"""What an admin approved is released at its second, and exactly that: state at one second
before, at, and one second after each scheduled release; a change after approval sends it back;
the release record names the versions that went out; the calendar follows the release time."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlalchemy import select

from catalog.calendar.announcements import EntryInput, When, entry_announce
from catalog.calendar.listing import public_entries
from catalog.calendar.release_dates import change_release, dataset_release
from catalog.clock import frozen_at
from catalog.errors import Invalid
from catalog.models import ChangeState, DatasetState, Release
from catalog.periods import parse_period
from catalog.publishing.changes import change_approve
from catalog.publishing.datasets import DatasetInput, dataset_update
from catalog.publishing.requirements import period_set
from catalog.publishing.workflow import (
    dataset_approve,
    dataset_submit,
    version_release_cancel,
)
from catalog.uk_time import uk_to_utc
from catalog.visibility import is_public, latest_public
from tests.catalog.publishing.four_eyes import (
    NOW,
    PUBLISHED,
    V1,
    V2,
    make_people,
    pending_changes,
    upload,
)

RELEASE = uk_to_utc(date(2027, 1, 21), time(9, 30))  # the calendar's announced time
SECOND = timedelta(seconds=1)


@pytest.fixture
def people(catalogue):
    return make_people(catalogue)


@pytest.fixture
def spend(catalogue):
    with frozen_at(PUBLISHED):
        return catalogue.dataset("ward-spend", files={"spend.csv": V1}, publish=PUBLISHED)


def _approved_for(catalogue, people, spend, at):
    table = spend.resources[0]
    with frozen_at(NOW):
        upload(catalogue, people["editor"], table, V2)
        [change] = pending_changes(catalogue, spend)
        change_approve(catalogue.session, actor=people["admin"], change=change, at=at)
        catalogue.session.commit()
    return change


def test_an_approved_version_is_public_from_its_second_and_not_before(catalogue, people, spend):
    table = spend.resources[0]
    _approved_for(catalogue, people, spend, RELEASE)
    with frozen_at(RELEASE - SECOND):
        assert latest_public(table).number == 1
    with frozen_at(RELEASE):
        assert latest_public(table).number == 2
    with frozen_at(RELEASE + SECOND):
        assert latest_public(table).number == 2


def test_a_scheduled_change_can_be_cancelled_until_its_second(catalogue, people, spend):
    table = spend.resources[0]
    change = _approved_for(catalogue, people, spend, RELEASE)
    with frozen_at(RELEASE), pytest.raises(Exception, match="already published"):
        version_release_cancel(
            catalogue.session, actor=people["admin"], version=change.version, reason="Late"
        )
    catalogue.session.rollback()
    with frozen_at(RELEASE - SECOND):
        version_release_cancel(
            catalogue.session, actor=people["admin"], version=change.version, reason="Late"
        )
    assert change.state == ChangeState.CANCELLED
    with frozen_at(RELEASE + SECOND):
        assert latest_public(table).number == 1
    [record] = catalogue.session.scalars(select(Release).where(Release.source == "web"))
    assert record.summary.startswith("Cancelled")


def test_a_newer_upload_after_approval_sends_the_approved_version_back_to_review(
    catalogue, people, spend
):
    table = spend.resources[0]
    change = _approved_for(catalogue, people, spend, RELEASE)
    with frozen_at(RELEASE - SECOND):
        upload(catalogue, people["editor"], table, V1 + b"Heworth,300\r\n")
    with frozen_at(RELEASE + SECOND):
        assert latest_public(table).number == 1
    assert change.state == ChangeState.PENDING and change.release_at is None
    assert [c.version.number for c in pending_changes(catalogue, spend)] == [2, 3]
    [record] = catalogue.session.scalars(select(Release).where(Release.source == "web"))
    assert record.summary.startswith("Cancelled: Back in review")


def test_a_scheduled_dataset_changed_after_approval_goes_back_to_draft(catalogue, people):
    with frozen_at(NOW):
        dataset = catalogue.dataset("ward-spend", files={"spend.csv": V1}, publish=False)
        dataset_submit(catalogue.session, actor=people["editor"], dataset=dataset)
        dataset_approve(catalogue.session, actor=people["admin"], dataset=dataset)
        dataset_release(catalogue.session, actor=people["admin"], dataset=dataset, at=RELEASE)
        catalogue.session.commit()
    with frozen_at(RELEASE - SECOND):
        upload(catalogue, people["editor"], dataset.resources[0], V2)
        dataset_update(
            catalogue.session,
            actor=people["editor"],
            dataset=dataset,
            data=DatasetInput.from_dataset(dataset, description="Changed after approval"),
        )
    assert dataset.state == DatasetState.DRAFT and dataset.published_at is None
    with frozen_at(RELEASE + SECOND):
        assert not is_public(dataset)
    [record] = catalogue.session.scalars(select(Release).where(Release.dataset_id == dataset.id))
    assert record.summary.startswith("Cancelled: changed after approval")


def test_the_release_record_names_the_versions_that_went_out(catalogue, people):
    with frozen_at(NOW):
        dataset = catalogue.dataset("ward-spend", files={"spend.csv": V1}, publish=False)
        upload(catalogue, people["editor"], dataset.resources[0], V2)
        dataset_submit(catalogue.session, actor=people["editor"], dataset=dataset)
        dataset_approve(catalogue.session, actor=people["admin"], dataset=dataset)
        dataset_release(catalogue.session, actor=people["admin"], dataset=dataset, at=RELEASE)
    [record] = catalogue.session.scalars(select(Release).where(Release.dataset_id == dataset.id))
    assert [named["version"] for named in record.versions] == [2]
    assert record.versions[0]["sha256"] == dataset.resources[0].latest.sha256


@pytest.fixture
def announced(catalogue, people, spend):
    """The calendar promises the Q3 figures of ward spend on 21 January 2027 at 09:30."""
    with frozen_at(NOW):
        return entry_announce(
            catalogue.session,
            actor=people["editor"],
            data=EntryInput(
                organisation="children-education",
                title="Ward spend, October to December 2026",
                when=When(day=date(2027, 1, 21)),
                dataset="ward-spend",
                period="2026/27 Q3",
            ),
        )


def _q3_change(catalogue, people, spend):
    with frozen_at(NOW):
        version = upload(catalogue, people["editor"], spend.resources[0], V2)
        period_set(
            catalogue.session,
            actor=people["editor"],
            version=version,
            period=parse_period("2026/27 Q3"),
        )
        [change] = pending_changes(catalogue, spend)
    return change


def test_releasing_ahead_of_the_calendar_needs_a_reason_the_calendar_shows(
    catalogue, people, spend, announced
):
    change = _q3_change(catalogue, people, spend)
    with frozen_at(NOW):
        with pytest.raises(Invalid) as refused:
            change_release(catalogue.session, actor=people["admin"], change=change)
        assert refused.value.field == "early_reason"
        assert "21 January 2027" in refused.value.message
        reason = "Brought forward to answer a council question."
        change_release(catalogue.session, actor=people["admin"], change=change, early_reason=reason)
        catalogue.session.commit()
        [shown] = public_entries(catalogue.session)
    assert announced.release_at == NOW
    assert shown.status == "published" and reason in shown.history[-1]


@pytest.mark.parametrize("offset", [timedelta(0), timedelta(days=7)])
def test_the_calendar_follows_a_release_on_or_after_the_announced_time(
    catalogue, people, spend, announced, offset
):
    change = _q3_change(catalogue, people, spend)
    with frozen_at(NOW):
        change_release(catalogue.session, actor=people["admin"], change=change, at=RELEASE + offset)
        catalogue.session.commit()
    assert announced.release_at == RELEASE + offset
    assert len(announced.changes) == (1 if offset else 0)
    for moment, status in [(-SECOND, "upcoming"), (0 * SECOND, "published"), (SECOND, "published")]:
        [shown] = public_entries(catalogue.session, now=RELEASE + offset + moment)
        assert shown.status == status, moment
