"""The release calendar as people and their calendar apps see it: staff announce, confirm, move
and cancel releases through forms; the public page and the .ics feed show each date in UK time
with every change and its reason; a release linked to a draft reveals nothing until it is out."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from catalog.calendar.announcements import (
    EntryInput,
    When,
    entry_announce,
    entry_cancel,
    entry_move,
)
from catalog.clock import frozen_at
from catalog.periods import parse_period
from catalog.permissions import Actor
from catalog.publishing.requirements import period_set
from catalog.publishing.resources import Upload, version_add

TODAY = datetime(2026, 12, 2, 10, 0)
SYSTEM = Actor.system("calendar test")
LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def today():
    with frozen_at(TODAY):
        yield


def _announce(session, title, when, organisation="children-education", **fields):
    data = EntryInput(organisation=organisation, title=title, when=when, **fields)
    return entry_announce(session, actor=SYSTEM, data=data)


def _events(client, url="/calendar.ics"):
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    return {str(e["SUMMARY"]): e for e in Calendar.from_ical(response.data).walk("VEVENT")}


def test_an_editor_announces_confirms_and_moves_a_release(people, signed_in, client):
    editor = signed_in(people.make("Priya Editor", "editor"))
    page = editor.submit(
        "/publish/calendar/new",
        {
            "organisation": "children-education",
            "title": "School places 2027",
            "summary": "Places offered at each school",
            "period": "2026/27",
            "when": "provisional",
            "month-month": "1",
            "month-year": "2027",
        },
    )
    assert page.status_code == 200
    assert "School places 2027 is on the release calendar." in page.text
    entry_url = page.request.path
    first = _events(client)["Provisional: School places 2027 (January 2027)"]
    assert first["DTSTART"].dt == date(2027, 1, 1) and first["DTEND"].dt == date(2027, 2, 1)
    assert (str(first["STATUS"]), first["SEQUENCE"]) == ("TENTATIVE", 0)

    confirmed = editor.submit(
        entry_url,
        {"release-day": "14", "release-month": "1", "release-year": "2027"},
        to=f"{entry_url}/confirm",
    )
    assert "Date confirmed." in confirmed.text
    moved = editor.submit(
        entry_url,
        {
            "when": "confirmed",
            "release-day": "21",
            "release-month": "1",
            "release-year": "2027",
            "reason": "data supplier late",
        },
        to=f"{entry_url}/move",
    )
    assert "Release moved." in moved.text

    public = client.get("/calendar").text
    assert "21 January 2027 at 9:30am UK time" in public
    assert (
        "Moved from 14 January 2027 to 21 January 2027 on 2 December 2026: data supplier late"
        in public
    )
    event = _events(client)["School places 2027"]
    assert event["DTSTART"].dt == datetime(2027, 1, 21, 9, 30, tzinfo=LONDON)
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert (event["SEQUENCE"], str(event["STATUS"])) == (2, "CONFIRMED")
    assert str(event["UID"]) == str(first["UID"])
    assert "data supplier late" in str(event["DESCRIPTION"])


@pytest.mark.parametrize(
    "form, message",
    [
        (
            {"title": "", "when": "provisional", "month-month": "1", "month-year": "2027"},
            "Enter a title",
        ),
        (
            {"title": "Parking", "when": "provisional", "month-month": "13", "month-year": "2027"},
            "real month",
        ),
        ({"title": "Parking"}, "Choose a provisional month or a confirmed date"),
        (
            {
                "title": "Parking",
                "when": "confirmed",
                "release-day": "31",
                "release-month": "2",
                "release-year": "2027",
            },
            "must be a real date",
        ),
        (
            {
                "title": "Parking",
                "when": "confirmed",
                "release-day": "1",
                "release-month": "12",
                "release-year": "2026",
            },
            "must be in the future",
        ),
        (
            {
                "title": "Parking",
                "when": "confirmed",
                "release-day": "4",
                "release-month": "1",
                "release-year": "2027",
                "release_time": "25:00",
            },
            "24-hour clock",
        ),
    ],
)
def test_a_bad_announcement_is_shown_again_with_what_to_fix(people, signed_in, form, message):
    editor = signed_in(people.make("Priya Editor", "editor"))
    page = editor.submit("/publish/calendar/new", {"organisation": "children-education", **form})
    assert page.status_code == 422
    assert "There is a problem" in page.text and message in page.text
    assert "Error: Announce a release" in page.text


def test_moving_or_cancelling_without_a_reason_is_refused(people, signed_in, session):
    entry = _announce(session, "Library visits 2026/27", When(month="2027-02"))
    editor = signed_in(people.make("Priya Editor", "editor"))
    url = f"/publish/calendar/{entry.id}"
    moved = editor.submit(
        url, {"when": "provisional", "month-month": "3", "month-year": "2027"}, to=f"{url}/move"
    )
    assert moved.status_code == 422 and "Say why the release is changing" in moved.text
    cancelled = editor.submit(url, {"reason": " "}, to=f"{url}/cancel")
    assert cancelled.status_code == 422 and 'href="#cancel-reason"' in cancelled.text
    session.expire_all()
    assert (entry.provisional_month, entry.state, entry.changes) == ("2027-02", "announced", [])


def test_a_member_sees_the_release_but_cannot_change_it(people, signed_in, session):
    entry = _announce(session, "Library visits 2026/27", When(month="2027-02"))
    member = signed_in(people.make("Sam Member", "member"))
    page = member.get(f"/publish/calendar/{entry.id}")
    assert page.status_code == 200 and "Move the release" not in page.text
    assert "Library visits 2026/27" in member.get("/publish/calendar").text
    url = f"/publish/calendar/{entry.id}"
    refused = member.submit(url, {"reason": "x"}, to=f"{url}/cancel")
    assert refused.status_code == 403
    outsider = signed_in(people.make("Olu Outsider"))
    assert outsider.get(f"/publish/calendar/{entry.id}").status_code == 404


def test_the_public_page_groups_by_month_and_keeps_cancelled_releases(client, catalogue, session):
    catalogue.organisation("place", "Place")
    _announce(session, "Spend over £500: 2026/27 Q3", When(month="2027-01"), period="2026/27 Q3")
    _announce(session, "Parking spaces 2027", When(day=date(2027, 2, 4)), organisation="place")
    dropped = _announce(session, "Ward profiles refresh", When(month="2027-03"))
    entry_cancel(session, actor=SYSTEM, entry=dropped, reason="census figures delayed")

    page = client.get("/calendar").text
    upcoming, past = page.split("Recently published and cancelled")
    assert upcoming.index("January 2027") < upcoming.index("Spend over £500: 2026/27 Q3")
    assert upcoming.index("February 2027") < upcoming.index("4 February 2027 at 9:30am UK time")
    assert "Provisional: January 2027" in upcoming
    assert "Ward profiles refresh" not in upcoming
    assert (
        "Ward profiles refresh" in past
        and "Cancelled on 2 December 2026: census figures delayed" in past
    )

    only_place = client.get("/calendar?organisation=place").text
    assert "Parking spaces 2027" in only_place and "Spend over £500" not in only_place
    assert client.get("/calendar?organisation=nobody").status_code == 400

    events = _events(client)
    assert str(events["Provisional: Ward profiles refresh (March 2027)"]["STATUS"]) == "CANCELLED"
    assert set(_events(client, "/calendar.ics?organisation=place")) == {"Parking spaces 2027"}


def test_the_ics_feed_has_an_etag_and_a_stable_sequence(client, catalogue, session):
    entry = _announce(session, "Council Plan KPIs: 2026/27 Q3", When(day=date(2027, 2, 11)))
    first = client.get("/calendar.ics")
    assert first.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert first.headers["Access-Control-Allow-Origin"] == "*"
    etag = first.headers["ETag"]
    assert client.get("/calendar.ics", headers={"If-None-Match": etag}).status_code == 304
    with frozen_at(TODAY + timedelta(days=1)):
        entry_move(
            session, actor=SYSTEM, entry=entry, when=When(day=date(2027, 2, 18)), reason="audit"
        )
    moved = client.get("/calendar.ics", headers={"If-None-Match": etag})
    assert moved.status_code == 200 and moved.headers["ETag"] != etag
    event = _events(client)["Council Plan KPIs: 2026/27 Q3"]
    assert (event["SEQUENCE"], event["DTSTART"].dt.date()) == (1, date(2027, 2, 18))


SECRET_TITLE = "Embargoed budget scenarios"


@pytest.mark.parametrize("offset, published", [(-1, False), (1, True)])
def test_a_release_linked_to_a_draft_reveals_nothing_until_it_is_out(
    client, catalogue, session, offset, published
):
    release = datetime(2027, 1, 21, 9, 30)
    dataset = catalogue.dataset(
        "budget-scenarios-2027",
        title=SECRET_TITLE,
        files={"budget.csv": b"Ward,Budget\r\nGuildhall,1000\r\n"},
        publish=release,
    )
    _announce(session, "Budget figures 2027/28", When(day=date(2027, 1, 21)), dataset=dataset.name)
    with frozen_at(release + timedelta(seconds=offset)):
        page = client.get("/calendar").text
        feed = client.get("/calendar.ics").text
    for body in (page, feed):
        assert "Budget figures 2027/28" in body and SECRET_TITLE not in body
    upcoming, past = page.split("Recently published and cancelled")
    if published:
        assert 'href="/datasets/budget-scenarios-2027"' in past and "Published" in past
        assert "/datasets/budget-scenarios-2027" in feed
    else:
        assert "Budget figures 2027/28" in upcoming
        assert "budget-scenarios" not in page and "budget-scenarios" not in feed


def test_a_draft_never_appears_even_unlinked_to_a_period(client, catalogue, session):
    draft = catalogue.dataset("secret-draft", title=SECRET_TITLE, publish=False)
    _announce(
        session, "New figures", When(month="2027-01"), dataset=draft.name, period="2026/27 Q3"
    )
    for url in ("/calendar", "/calendar.ics"):
        body = client.get(url).text
        assert "New figures" in body and SECRET_TITLE not in body and "secret-draft" not in body


@pytest.mark.parametrize("offset, published", [(-1, False), (1, True)])
def test_a_quarterly_release_is_published_when_its_period_is_out(
    client, catalogue, session, offset, published
):
    dataset = catalogue.dataset("spend-over-500", files={"q2.csv": b"Amount\r\n600\r\n"})
    _announce(
        session,
        "Spend over £500: 2026/27 Q3",
        When(day=date(2027, 1, 21)),
        dataset=dataset.name,
        period="2026/27 Q3",
    )
    release = datetime(2027, 1, 21, 9, 30)
    version = version_add(
        session,
        store=catalogue.store,
        actor=SYSTEM,
        resource=dataset.resources[0],
        upload=Upload(stream=io.BytesIO(b"Amount\r\n700\r\n"), filename="q3.csv"),
        release_at=release,
    )
    period_set(session, actor=SYSTEM, version=version, period=parse_period("2026/27 Q3"))
    session.commit()
    with frozen_at(release + timedelta(seconds=offset)):
        page = client.get("/calendar").text
    upcoming, past = page.split("Recently published and cancelled")
    version_url = f"/datasets/spend-over-500/resources/{dataset.resources[0].id}/versions/2"
    if published:
        assert "Spend over £500: 2026/27 Q3" in past and f'href="{version_url}"' in past
    else:
        assert "Spend over £500: 2026/27 Q3" in upcoming and version_url not in page
