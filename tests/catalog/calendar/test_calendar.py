"""The release calendar's rules: who may announce and change a release, reasons for every
change, and a history that keeps every date ever promised, in order."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from sqlalchemy import select

from catalog.calendar.announcements import (
    EntryInput,
    When,
    entry_announce,
    entry_cancel,
    entry_confirm,
    entry_move,
)
from catalog.calendar.listing import public_entries
from catalog.calendar.words import change_text
from catalog.clock import frozen_at
from catalog.errors import Conflict, Invalid, NotAllowed
from catalog.models import Activity
from catalog.permissions import EDITOR, MEMBER, Actor
from catalog.publishing.groups import get_organisation

TODAY = datetime(2026, 12, 2, 10, 0)
ORG = "children-education"


def _person(session, role, organisation=ORG, name="Priya Editor"):
    org = get_organisation(session, organisation)
    return Actor(name=name, account_id=7, roles={org.id: role})


def _announce(session, actor, **changes):
    fields = {"organisation": ORG, "title": "School places 2027", "when": When(month="2027-01")}
    return entry_announce(session, actor=actor, data=EntryInput(**(fields | changes)))


@pytest.fixture
def editor(catalogue):
    return _person(catalogue.session, EDITOR)


@pytest.fixture(autouse=True)
def today():
    with frozen_at(TODAY):
        yield


def test_an_editor_announces_and_the_activity_log_says_so(catalogue, editor):
    entry = _announce(catalogue.session, editor, summary="Places offered by school")
    assert (entry.provisional_month, entry.release_at, entry.state) == (
        "2027-01",
        None,
        "announced",
    )
    logged = catalogue.session.scalars(select(Activity).where(Activity.action.like("calendar.%")))
    assert [(a.action, a.actor, a.summary) for a in logged] == [
        (
            "calendar.announce",
            "Priya Editor",
            "Announced School places 2027 for January 2027 (provisional)",
        )
    ]


@pytest.mark.parametrize("role, organisation", [(MEMBER, ORG), (EDITOR, "place"), (None, ORG)])
def test_only_an_editor_of_the_publisher_can_announce(catalogue, role, organisation):
    catalogue.organisation("place", "Place")
    actor = _person(catalogue.session, role, organisation) if role else Actor(name="Anon")
    with pytest.raises(NotAllowed):
        _announce(catalogue.session, actor)


def test_a_member_cannot_move_or_cancel(catalogue, editor):
    entry = _announce(catalogue.session, editor)
    member = _person(catalogue.session, MEMBER, name="Sam Member")
    with pytest.raises(NotAllowed):
        entry_move(
            catalogue.session, actor=member, entry=entry, when=When(month="2027-02"), reason="x"
        )
    with pytest.raises(NotAllowed):
        entry_cancel(catalogue.session, actor=member, entry=entry, reason="x")
    assert entry.changes == []


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"title": "  "}, "title"),
        ({"when": When()}, "when"),
        ({"when": When(month="2027-01", day=date(2027, 1, 5))}, "when"),
        ({"when": When(month="2027-13")}, "month"),
        ({"when": When(month="January")}, "month"),
        ({"when": When(month="2026-11")}, "month"),
        ({"when": When(day=date(2026, 12, 2), at=time(9, 30))}, "release"),
        ({"dataset": "no-such-dataset"}, "dataset"),
        ({"period": "the third quarter"}, "period"),
        ({"organisation": "nobody"}, "organisation"),
    ],
)
def test_bad_announcements_say_what_is_wrong(catalogue, editor, changes, field):
    with pytest.raises(Invalid) as refused:
        _announce(catalogue.session, editor, **changes)
    assert refused.value.field == field
    assert refused.value.message


def test_a_dataset_of_another_publisher_cannot_be_linked(catalogue, editor):
    catalogue.organisation("place", "Place")
    catalogue.dataset("bus-punctuality", organisation="place", publish=False)
    with pytest.raises(Invalid) as refused:
        _announce(catalogue.session, editor, dataset="bus-punctuality")
    assert refused.value.field == "dataset"


def test_a_published_dataset_is_linked_only_with_the_period_to_come(catalogue, editor):
    catalogue.dataset("spend-over-500", files={"q2.csv": b"Amount\r\n600\r\n"})
    with pytest.raises(Invalid) as refused:
        _announce(catalogue.session, editor, dataset="spend-over-500")
    assert refused.value.field == "period"
    entry = _announce(catalogue.session, editor, dataset="spend-over-500", period="2026/27 Q3")
    assert entry.dataset_id is not None


def test_the_period_is_stored_as_its_canonical_code(catalogue, editor):
    entry = _announce(catalogue.session, editor, period="Q3 2026-27")
    assert entry.period == "2026/27 Q3"


@pytest.mark.parametrize(
    "day, utc",
    [
        (date(2027, 1, 21), datetime(2027, 1, 21, 9, 30)),
        (date(2027, 6, 3), datetime(2027, 6, 3, 8, 30)),
    ],
)
def test_a_confirmed_date_defaults_to_half_past_nine_uk_time(catalogue, editor, day, utc):
    entry = _announce(catalogue.session, editor, when=When(month=f"{day:%Y-%m}"))
    entry_confirm(catalogue.session, actor=editor, entry=entry, day=day)
    assert (entry.provisional_month, entry.release_at) == (None, utc)
    assert entry.changes[-1].old_month == f"{day:%Y-%m}"


def test_confirming_in_another_month_is_a_move_that_needs_a_reason(catalogue, editor):
    entry = _announce(catalogue.session, editor)
    with pytest.raises(Invalid) as refused:
        entry_confirm(catalogue.session, actor=editor, entry=entry, day=date(2027, 2, 4))
    assert "move" in refused.value.message
    entry_confirm(catalogue.session, actor=editor, entry=entry, day=date(2027, 1, 14))
    with pytest.raises(Conflict):
        entry_confirm(catalogue.session, actor=editor, entry=entry, day=date(2027, 1, 15))


@pytest.mark.parametrize("reason", ["", "   "])
def test_moving_and_cancelling_need_a_reason(catalogue, editor, reason):
    entry = _announce(catalogue.session, editor)
    with pytest.raises(Invalid) as refused:
        entry_move(
            catalogue.session, actor=editor, entry=entry, when=When(month="2027-02"), reason=reason
        )
    assert refused.value.field == "reason"
    with pytest.raises(Invalid) as refused:
        entry_cancel(catalogue.session, actor=editor, entry=entry, reason=reason)
    assert refused.value.field == "reason"
    assert (entry.provisional_month, entry.state, entry.changes) == ("2027-01", "announced", [])


def test_moving_to_the_same_date_is_refused(catalogue, editor):
    entry = _announce(catalogue.session, editor)
    with pytest.raises(Invalid):
        entry_move(
            catalogue.session, actor=editor, entry=entry, when=When(month="2027-01"), reason="x"
        )


def test_every_change_is_kept_in_order_and_counted(catalogue, editor):
    session = catalogue.session
    entry = _announce(session, editor)
    entry_confirm(session, actor=editor, entry=entry, day=date(2027, 1, 14))
    with frozen_at(datetime(2026, 12, 9, 12, 0)):
        entry_move(
            session,
            actor=editor,
            entry=entry,
            when=When(day=date(2027, 1, 21)),
            reason="data supplier late",
        )
    with frozen_at(datetime(2027, 1, 5, 12, 0)):
        entry_move(
            session,
            actor=editor,
            entry=entry,
            when=When(day=date(2027, 1, 21), at=time(14, 0)),
            reason="clash with the budget report",
        )
    with frozen_at(datetime(2027, 1, 6, 12, 0)):
        entry_cancel(session, actor=editor, entry=entry, reason="merged into the annual release")
    session.expire_all()
    assert [change_text(c) for c in entry.changes] == [
        "Confirmed for 14 January 2027 at 9:30am (provisionally January 2027) on 2 December 2026",
        "Moved from 14 January 2027 to 21 January 2027 on 9 December 2026: data supplier late",
        "Moved from 21 January 2027 at 9:30am to 21 January 2027 at 2:00pm on 5 January 2027: "
        "clash with the budget report",
        "Cancelled on 6 January 2027: merged into the annual release",
    ]
    assert entry.state == "cancelled"
    assert entry.release_at == datetime(2027, 1, 21, 14, 0)
    assert [item.sequence for item in public_entries(session)] == [4]
    actions = session.scalars(
        select(Activity.action).where(Activity.object_type == "calendar_entry")
    )
    assert list(actions) == [
        "calendar.announce",
        "calendar.confirm",
        "calendar.move",
        "calendar.move",
        "calendar.cancel",
    ]


def test_a_cancelled_release_cannot_change_again(catalogue, editor):
    entry = _announce(catalogue.session, editor)
    entry_cancel(catalogue.session, actor=editor, entry=entry, reason="no longer collected")
    with pytest.raises(Conflict):
        entry_move(
            catalogue.session, actor=editor, entry=entry, when=When(month="2027-03"), reason="x"
        )
    with pytest.raises(Conflict):
        entry_cancel(catalogue.session, actor=editor, entry=entry, reason="again")
    assert entry.provisional_month == "2027-01"
    assert len(entry.changes) == 1


def test_a_move_back_to_a_provisional_month_reads_plainly(catalogue, editor):
    entry = _announce(catalogue.session, editor, when=When(day=date(2027, 1, 14)))
    entry_move(
        catalogue.session,
        actor=editor,
        entry=entry,
        when=When(month="2027-03"),
        reason="new system",
    )
    assert change_text(entry.changes[0]) == (
        "Moved from 14 January 2027 to March 2027 (provisional) on 2 December 2026: new system"
    )
