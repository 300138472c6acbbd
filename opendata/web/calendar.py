"""The public release calendar: `/calendar` for people, `/calendar.ics` for their calendars."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request, url_for

from catalog.calendar.listing import (
    PublicEntry,
    calendar_listing,
    chosen_publisher,
    public_entries,
)
from catalog.calendar.words import month_label
from opendata.calendar_ics import calendar_document
from opendata.database import get_session

bp = Blueprint("calendar", __name__)

ICS_TYPE = "text/calendar; charset=utf-8"


@bp.get("/calendar")
def index():
    listing = calendar_listing(get_session(), organisation=request.args.get("organisation"))
    return render_template(
        "calendar.html", listing=listing, link_for=publication_url, month_label=month_label
    )


@bp.get("/calendar.ics")
def ics():
    session = get_session()
    chosen = chosen_publisher(session, request.args.get("organisation"))
    settings = current_app.config["SETTINGS"]
    body = calendar_document(
        public_entries(session, organisation=chosen),
        base_url=settings.base_url,
        title=settings.site_name,
        url_for_entry=lambda item: settings.base_url + _entry_path(item),
    )
    return Response(body, content_type=ICS_TYPE)


def publication_url(item: PublicEntry) -> str | None:
    """Where a published entry's data is; None until the visibility rule shows it."""
    found = item.publication
    if found is None:
        return None
    if found.resource_id is None:
        return url_for("datasets.show", name=found.dataset_name)
    return url_for(
        "resources.version",
        name=found.dataset_name,
        resource_id=found.resource_id,
        number=found.version_number,
    )


def _entry_path(item: PublicEntry) -> str:
    return publication_url(item) or url_for("calendar.index", _anchor=f"entry-{item.entry.id}")
