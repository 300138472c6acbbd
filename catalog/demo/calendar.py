"""The demo release calendar: upcoming Transparency Code and Council Plan releases, one moved
and one cancelled, each announced and changed on the day its history says.

Each step runs with the clock set to its own day, so the history reads the same whenever the
demo is loaded; an entry already present (by title) is left alone.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.calendar.announcements import (
    EntryInput,
    When,
    entry_announce,
    entry_cancel,
    entry_confirm,
    entry_move,
)
from catalog.clock import frozen_at
from catalog.models import CalendarEntry
from catalog.permissions import Actor
from catalog.uk_time import RELEASE_TIME

CALENDAR_FILE = Path(__file__).parent / "calendar.json"


def load_demo_calendar(session: Session, *, actor: Actor) -> int:
    """Announce every demo entry not yet present; return how many were added."""
    titles = set(session.scalars(select(CalendarEntry.title)))
    added = 0
    for item in json.loads(CALENDAR_FILE.read_text(encoding="utf-8"))["entries"]:
        if item["title"] in titles:
            continue
        _load_entry(session, actor, item)
        added += 1
    return added


def _load_entry(session: Session, actor: Actor, item: dict) -> None:
    with frozen_at(datetime.fromisoformat(item["announced"])):
        entry = entry_announce(
            session,
            actor=actor,
            data=EntryInput(
                organisation=item["organisation"],
                title=item["title"],
                summary=item.get("summary", ""),
                dataset=item.get("dataset"),
                requirement=item.get("requirement"),
                period=item.get("period"),
                when=_when(item),
            ),
        )
    for change in item.get("changes", []):
        with frozen_at(datetime.fromisoformat(change["on"])):
            _apply(session, actor, entry, change)


def _apply(session: Session, actor: Actor, entry: CalendarEntry, change: dict) -> None:
    action = change["action"]
    if action == "confirm":
        when = _when(change)
        entry_confirm(session, actor=actor, entry=entry, day=when.day, at=when.at)
    elif action == "move":
        entry_move(session, actor=actor, entry=entry, when=_when(change), reason=change["reason"])
    else:
        entry_cancel(session, actor=actor, entry=entry, reason=change["reason"])


def _when(item: dict) -> When:
    if "month" in item:
        return When(month=item["month"])
    at = time.fromisoformat(item["time"]) if "time" in item else RELEASE_TIME
    return When(day=date.fromisoformat(item["date"]), at=at)
