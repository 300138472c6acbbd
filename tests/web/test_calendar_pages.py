"""The release calendar as people and their calendar apps see it: staff announce, confirm, move
and cancel releases through forms; the public page and the .ics feed show each date in UK time
with every change and its reason; a release linked to a draft reveals nothing until it is out."""

from __future__ import annotations

import io
from dataclasses import dataclass
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
from tests.pages import (
    banners,
    buttons,
    find_link,
    main,
    mentions,
    parse_page,
    summary_errors,
    summary_list,
    tags,
    text_of,
    texts,
    title,
)

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


@dataclass
class Shown:
    """One release as the public calendar shows it."""

    title: str
    status: str
    href: str | None
    details: dict[str, str]
    changes: list[str]
    month: str | None = None


def _shown(entry, month=None) -> Shown:
    heading = entry.find(["h3", "h4"])
    (status,) = tags(heading)
    link = heading.find("a", href=True)
    words = text_of(heading).removesuffix(status).strip()
    return Shown(
        words, status, link and link["href"], summary_list(entry), texts(entry, "li"), month
    )


def calendar_listing(client, url="/calendar") -> tuple[list[Shown], list[Shown], object]:
    """The releases coming up (with the month each is listed under), those recently published
    or cancelled, and the parsed page."""
    page = parse_page(client.get(url))
    upcoming = [
        _shown(entry, text_of(month.find("h3")))
        for month in main(page).find_all("section")
        for entry in month.select(".app-calendar-entry")
    ]
    past_heading = page.find("h2", string="Recently published and cancelled")
    past = [_shown(entry) for entry in past_heading.find_all_next(class_="app-calendar-entry")]
    return upcoming, past, page


def titled(entries: list[Shown], words: str) -> Shown:
    (found,) = [entry for entry in entries if entry.title == words]
    return found


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
    assert banners(parse_page(page)) == ["School places 2027 is on the release calendar."]
    entry_url = page.request.path
    first = _events(client)["Provisional: School places 2027 (January 2027)"]
    assert first["DTSTART"].dt == date(2027, 1, 1) and first["DTEND"].dt == date(2027, 2, 1)
    assert (str(first["STATUS"]), first["SEQUENCE"]) == ("TENTATIVE", 0)

    confirmed = editor.submit(
        entry_url,
        {"release-day": "14", "release-month": "1", "release-year": "2027"},
        to=f"{entry_url}/confirm",
    )
    assert any(said.startswith("Date confirmed.") for said in banners(parse_page(confirmed)))
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
    assert any(said.startswith("Release moved.") for said in banners(parse_page(moved)))

    upcoming, _past, _page = calendar_listing(client)
    places = titled(upcoming, "School places 2027")
    assert places.details["Release"] == "21 January 2027 at 9:30am UK time"
    assert (
        "Moved from 14 January 2027 to 21 January 2027 on 2 December 2026: data supplier late"
        in places.changes
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
    shown = parse_page(page)
    assert any(message in said for said, _href in summary_errors(shown))
    assert title(shown).startswith("Error: Announce a release")


def test_moving_or_cancelling_without_a_reason_is_refused(people, signed_in, session):
    entry = _announce(session, "Library visits 2026/27", When(month="2027-02"))
    editor = signed_in(people.make("Priya Editor", "editor"))
    url = f"/publish/calendar/{entry.id}"
    moved = editor.submit(
        url, {"when": "provisional", "month-month": "3", "month-year": "2027"}, to=f"{url}/move"
    )
    assert moved.status_code == 422
    ((said, _href),) = summary_errors(parse_page(moved))
    assert "Say why the release is changing" in said
    cancelled = editor.submit(url, {"reason": " "}, to=f"{url}/cancel")
    assert cancelled.status_code == 422
    assert [href for _said, href in summary_errors(parse_page(cancelled))] == ["#cancel-reason"]
    session.expire_all()
    assert (entry.provisional_month, entry.state, entry.changes) == ("2027-02", "announced", [])


def test_a_member_sees_the_release_but_cannot_change_it(people, signed_in, session):
    entry = _announce(session, "Library visits 2026/27", When(month="2027-02"))
    member = signed_in(people.make("Sam Member", "member"))
    page = member.get(f"/publish/calendar/{entry.id}")
    shown = main(parse_page(page))
    assert page.status_code == 200
    assert "Move the release" not in buttons(shown) + texts(shown, "h2")
    assert find_link(main(parse_page(member.get("/publish/calendar"))), "Library visits 2026/27")
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

    upcoming, past, _page = calendar_listing(client)
    assert [(entry.month, entry.title) for entry in upcoming] == [
        ("January 2027", "Spend over £500: 2026/27 Q3"),
        ("February 2027", "Parking spaces 2027"),
    ]
    assert titled(upcoming, "Parking spaces 2027").details["Release"] == (
        "4 February 2027 at 9:30am UK time"
    )
    spend = titled(upcoming, "Spend over £500: 2026/27 Q3")
    assert spend.details["Release"] == "Provisional: January 2027"
    (dropped,) = past
    assert (dropped.title, dropped.status) == ("Ward profiles refresh", "Cancelled")
    assert "Cancelled on 2 December 2026: census figures delayed" in dropped.changes

    only_place, _past, page = calendar_listing(client, "/calendar?organisation=place")
    assert [entry.title for entry in only_place] == ["Parking spaces 2027"]
    assert not mentions(page, "Spend over £500")
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
        upcoming, past, page = calendar_listing(client)
        feed = client.get("/calendar.ics").text
    assert "Budget figures 2027/28" in feed and SECRET_TITLE not in feed
    assert not mentions(page, SECRET_TITLE)
    if published:
        budget = titled(past, "Budget figures 2027/28")
        assert (budget.href, budget.status) == ("/datasets/budget-scenarios-2027", "Published")
        assert "/datasets/budget-scenarios-2027" in feed
    else:
        assert titled(upcoming, "Budget figures 2027/28").href is None
        assert not mentions(page, "budget-scenarios") and "budget-scenarios" not in feed


def test_a_draft_never_appears_even_unlinked_to_a_period(client, catalogue, session):
    draft = catalogue.dataset("secret-draft", title=SECRET_TITLE, publish=False)
    _announce(
        session, "New figures", When(month="2027-01"), dataset=draft.name, period="2026/27 Q3"
    )
    upcoming, _past, page = calendar_listing(client)
    assert titled(upcoming, "New figures").href is None
    assert not mentions(page, SECRET_TITLE) and not mentions(page, "secret-draft")
    feed = client.get("/calendar.ics").text
    assert "New figures" in feed and SECRET_TITLE not in feed and "secret-draft" not in feed


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
        upcoming, past, page = calendar_listing(client)
    version_url = f"/datasets/spend-over-500/resources/{dataset.resources[0].id}/versions/2"
    if published:
        assert titled(past, "Spend over £500: 2026/27 Q3").href == version_url
    else:
        assert titled(upcoming, "Spend over £500: 2026/27 Q3").href is None
        assert not mentions(page, version_url)
