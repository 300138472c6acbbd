"""`/calendar.ics`: the release calendar as RFC 5545, for people who subscribe in Outlook,
Google Calendar or Apple Calendar.

Each entry keeps one UID for life and its SEQUENCE counts its changes, so a subscribed calendar
moves the event when its date moves and strikes it out (STATUS:CANCELLED) when it is cancelled.
A confirmed release is a timed event in Europe/London; a provisional month is an all-day,
month-long event marked tentative. DTSTAMP is the entry's last change, not the time of the
request, so the document (and its ETag) only changes when the calendar does.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from urllib.parse import urlsplit

from icalendar import Calendar, Event

from catalog.calendar.announcements import release_month
from catalog.calendar.listing import PublicEntry
from catalog.calendar.words import month_label
from catalog.uk_time import UK

STATUS = {"upcoming": "CONFIRMED", "published": "CONFIRMED", "cancelled": "CANCELLED"}


def calendar_document(
    entries: list[PublicEntry], *, base_url: str, title: str, url_for_entry: Callable
) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", f"-//{title}//Release calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"{title}: release calendar")
    calendar.add("x-wr-timezone", "Europe/London")
    host = urlsplit(base_url).hostname or "localhost"
    for item in entries:
        calendar.add_component(_event(item, host, url_for_entry(item)))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _event(item: PublicEntry, host: str, url: str) -> Event:
    entry = item.entry
    event = Event()
    event.add("uid", f"calendar-entry-{entry.id}@{host}")
    event.add("dtstamp", _utc(entry.updated_at))
    event.add("created", _utc(entry.created_at))
    event.add("last-modified", _utc(entry.updated_at))
    event.add("sequence", item.sequence)
    event.add("url", url)
    if entry.release_at is not None:
        event.add("summary", entry.title)
        event.add("dtstart", _utc(entry.release_at).astimezone(UK))
        event.add("status", STATUS[item.status])
    else:
        month = release_month(entry)
        event.add("summary", f"Provisional: {entry.title} ({month_label(month)})")
        start, end = _month_span(month)
        event.add("dtstart", start)
        event.add("dtend", end)
        event.add("transp", "TRANSPARENT")
        event.add("status", "CANCELLED" if item.status == "cancelled" else "TENTATIVE")
    event.add("description", _description(item))
    return event


def _description(item: PublicEntry) -> str:
    lines = [f"Published by {item.organisation.title}."]
    if item.entry.summary:
        lines.append(item.entry.summary)
    if item.entry.period:
        lines.append(f"Period covered: {item.entry.period}.")
    if item.entry.provisional_month:
        lines.append("The date is provisional: the month is planned, the day is not yet set.")
    lines += [f"{change}." for change in item.history]
    return "\n".join(lines)


def _month_span(month: str) -> tuple[date, date]:
    year, number = (int(part) for part in month.split("-"))
    following = date(year + 1, 1, 1) if number == 12 else date(year, number + 1, 1)
    return date(year, number, 1), following


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC)
