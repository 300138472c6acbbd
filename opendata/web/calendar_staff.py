"""Staff pages of the release calendar: announce a release, confirm its date, move it or
cancel it. Each form posts to one service call made as the signed-in person, so the roles,
the reasons and the history are the calendar service's rules, not this module's."""

from __future__ import annotations

import re

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from catalog.calendar.announcements import (
    CANCELLED,
    EntryInput,
    When,
    entry_announce,
    entry_cancel,
    entry_confirm,
    entry_move,
    get_staff_entry,
    linkable_datasets,
    staff_entries,
)
from catalog.calendar.words import change_text, month_label
from catalog.errors import Conflict, Invalid
from catalog.permissions import EDITOR
from catalog.publishing.staff import dataset_choices
from catalog.uk_time import RELEASE_TIME
from opendata.auth import no_store, require_actor, require_sign_in
from opendata.database import get_session
from opendata.web.forms import FormErrors, date_field, optional, status_of, text, time_field

bp = Blueprint("calendar_staff", __name__, url_prefix="/publish/calendar")
bp.before_request(require_sign_in)
bp.after_request(no_store)


@bp.get("")
def index():
    actor, session = require_actor(), get_session()
    return render_template(
        "publish/calendar.html",
        entries=staff_entries(session, actor=actor),
        can_announce=bool(dataset_choices(session, actor=actor).organisations),
        month_label=month_label,
    )


@bp.route("/new", methods=["GET", "POST"])
def new():
    actor, session = require_actor(), get_session()
    if request.method == "GET":
        return _announce_page(MultiDict(), FormErrors())
    try:
        entry = entry_announce(session, actor=actor, data=_entry_input(request.form))
    except (Invalid, Conflict) as error:
        session.rollback()
        return _announce_page(request.form, FormErrors.from_error(error), error)
    flash(f"{entry.title} is on the release calendar.", "success")
    return redirect(url_for("calendar_staff.entry", entry_id=entry.id))


@bp.get("/<int:entry_id>")
def entry(entry_id: int):
    actor = require_actor()
    return _entry_page(get_staff_entry(get_session(), actor=actor, entry_id=entry_id))


@bp.post("/<int:entry_id>/<any(confirm, move, cancel):action>")
def change(entry_id: int, action: str):
    actor, session = require_actor(), get_session()
    found = get_staff_entry(session, actor=actor, entry_id=entry_id)
    form = request.form
    try:
        if action == "confirm":
            day = date_field(form, "release", "The release date")
            entry_confirm(session, actor=actor, entry=found, day=day, at=_time(form))
        elif action == "move":
            entry_move(
                session, actor=actor, entry=found, when=_when(form), reason=text(form, "reason")
            )
        else:
            entry_cancel(session, actor=actor, entry=found, reason=text(form, "reason"))
    except (Invalid, Conflict) as error:
        session.rollback()
        return _entry_page(found, FormErrors.from_error(error, action), form, status_of(error))
    flash(
        {"confirm": "Date confirmed.", "move": "Release moved.", "cancel": "Release cancelled."}[
            action
        ],
        "success",
    )
    return redirect(url_for("calendar_staff.entry", entry_id=found.id))


def _entry_input(form: MultiDict) -> EntryInput:
    return EntryInput(
        organisation=text(form, "organisation"),
        title=text(form, "title"),
        summary=text(form, "summary"),
        dataset=optional(form, "dataset"),
        period=optional(form, "period"),
        when=_when(form),
    )


def _when(form: MultiDict) -> When:
    """A provisional month, or a confirmed UK date and time (09:30 when left blank)."""
    choice = form.get("when")
    if choice == "provisional":
        return When(month=_month(form))
    if choice == "confirmed":
        day = date_field(form, "release", "The release date")
        if day is None:
            raise Invalid("Enter the release date.", field="release")
        return When(day=day, at=_time(form))
    raise Invalid("Choose a provisional month or a confirmed date.", field="when")


def _month(form: MultiDict) -> str:
    month, year = text(form, "month-month"), text(form, "month-year")
    if not month and not year:
        raise Invalid("Enter the month it is planned for.", field="month")
    if not (re.fullmatch("[0-9]{1,2}", month) and re.fullmatch("[0-9]{4}", year)):
        raise Invalid("The month must be a real month and year, like 1 2027.", field="month")
    return f"{year}-{int(month):02d}"


def _time(form: MultiDict):
    return (
        time_field(form, "release_time", "The release time")
        if text(form, "release_time")
        else RELEASE_TIME
    )


def _announce_page(values, errors, error=None):
    actor, session = require_actor(), get_session()
    page = render_template(
        "publish/calendar_form.html",
        organisations=dataset_choices(session, actor=actor).organisations,
        datasets=linkable_datasets(session, actor=actor),
        values=values,
        errors=errors,
    )
    return page, status_of(error) if error else 200


def _entry_page(found, errors=None, values=None, status=200):
    actor = require_actor()
    page = render_template(
        "publish/calendar_entry.html",
        entry=found,
        can_change=actor.has_role(found.organisation_id, EDITOR) and found.state != CANCELLED,
        history=[change_text(change) for change in found.changes],
        month_label=month_label,
        errors=errors or FormErrors(),
        values=values or MultiDict(),
    )
    return page, status
