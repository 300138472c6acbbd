"""The demo release calendar loads once, reads the same whenever it is loaded, and shows a
moved and a cancelled release with their reasons."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from icalendar import Calendar

from catalog.clock import frozen_at
from catalog.demo import ACTOR, DEMO_FOLDER
from catalog.demo.calendar import CALENDAR_FILE, load_demo_calendar
from catalog.publishing.groups import organisation_create, topic_create
from catalog.publishing.packages import load_package
from tests.web.test_calendar_pages import calendar_listing, titled


@pytest.fixture
def demo_calendar(app, session):
    """The demo's organisations and topics, the datasets its calendar links to, then the
    calendar itself."""
    groups = json.loads((DEMO_FOLDER / "catalogue.json").read_text(encoding="utf-8"))
    for organisation in groups["organisations"]:
        organisation_create(session, actor=ACTOR, **organisation)
    for topic in groups["topics"]:
        topic_create(session, actor=ACTOR, **topic)
    linked = {e.get("dataset") for e in json.loads(CALENDAR_FILE.read_text())["entries"]}
    store = app.extensions["catalog"]["store"]
    for name in sorted(linked - {None}):
        load_package(session, store=store, actor=ACTOR, folder=DEMO_FOLDER / "packages" / name)
    return load_demo_calendar(session, actor=ACTOR)


def test_the_demo_calendar_loads_once(session, demo_calendar):
    assert demo_calendar == 5
    assert load_demo_calendar(session, actor=ACTOR) == 0


def test_the_demo_calendar_shows_upcoming_moved_and_cancelled_releases(client, demo_calendar):
    with frozen_at(datetime(2026, 12, 2, 12, 0)):
        upcoming, past, _page = calendar_listing(client)
        feed = Calendar.from_ical(client.get("/calendar.ics").data)
    spend = titled(upcoming, "Spend over £500: 2026/27 Q3")
    assert (
        "Moved from 14 January 2027 to 21 January 2027 on 1 December 2026: data supplier late"
        in spend.changes
    )
    assert any(entry.details["Release"] == "Provisional: January 2027" for entry in upcoming)
    titled(upcoming, "Council Plan indicators: quarterly update for 2026/27 Q3")
    ward = titled(past, "Ward profiles: population update")
    assert ward.status == "Cancelled"
    assert any(change.startswith("Cancelled on 24 November 2026") for change in ward.changes)
    sequences = {str(e["SUMMARY"]): e["SEQUENCE"] for e in feed.walk("VEVENT")}
    assert sequences["Spend over £500: 2026/27 Q3"] == 2
