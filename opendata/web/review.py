"""The release workflow from the staff page: submit, review (four eyes), publish, cancel a
scheduled release, withdraw; and the review of changes to a public dataset's files."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from catalog.calendar.release_dates import change_release, dataset_release
from catalog.errors import Invalid, NotFound
from catalog.models import ChangeState, Dataset
from catalog.permissions import Actor
from catalog.publishing.changes import (
    change_send_back,
    dataset_changes,
    describe,
    waiting_changes,
)
from catalog.publishing.staff import (
    actions_for,
    get_staff_change,
    get_staff_dataset,
    get_staff_resource,
    review_queue,
    stage_of,
)
from catalog.publishing.workflow import (
    dataset_approve,
    dataset_reject,
    dataset_submit,
    dataset_withdraw,
    release_cancel,
    version_release_cancel,
)
from catalog.uk_time import utc_to_uk
from catalog.visibility import preview_view, released_at
from opendata.auth import no_store, require_actor, require_sign_in
from opendata.database import get_session
from opendata.web.datasets import dataset_page
from opendata.web.forms import FormErrors, release_time, text
from opendata.web.publish import problem_links, staff_file, staff_page

bp = Blueprint("review", __name__, url_prefix="/publish")
CHANGE_FIELDS = {"when", "release", "release_time", "early_reason", "comment"}
bp.before_request(require_sign_in)
bp.after_request(no_store)


@bp.get("/review")
def queue():
    actor, session = require_actor(), get_session()
    return render_template(
        "publish/review_queue.html",
        waiting=review_queue(session, actor=actor),
        changes=waiting_changes(session, actor=actor),
        actor=actor,
    )


@bp.get("/datasets/<name>/review")
def review(name: str):
    actor = require_actor()
    return review_page(actor, get_staff_dataset(get_session(), actor=actor, name=name))


def review_page(
    actor: Actor,
    dataset: Dataset,
    errors: FormErrors | None = None,
    values: MultiDict | None = None,
    status: int = 200,
):
    """The evidence a reviewer needs (details, files, their checks and first rows, how the
    public will see it) and, after it, the decision."""
    files = [staff_file(resource, set()) for resource in dataset.resources]
    page = render_template(
        "publish/review.html",
        dataset=dataset,
        stage=stage_of(dataset),
        actions=actions_for(actor, dataset),
        files=files,
        formats=sorted({file["resource"].format.upper() for file in files}),
        errors=errors or FormErrors(),
        values=values or MultiDict(),
    )
    return page, status


@bp.get("/datasets/<name>/preview")
def preview(name: str):
    """The public page as it will be once approved and released, for staff only: never
    cached (`no_store`) nor indexed."""
    actor, session = require_actor(), get_session()
    dataset = get_staff_dataset(session, actor=actor, name=name)
    changes = dataset_changes(session, dataset)
    waiting = [change.version_id for change in changes if change.state == ChangeState.PENDING]
    page = dataset_page(dataset, preview_view(dataset, waiting), "publish/preview.html")
    return page, 200, {"X-Robots-Tag": "noindex, nofollow"}


@bp.post("/datasets/<name>/submit")
def submit(name: str):
    actor, session = require_actor(), get_session()
    dataset = get_staff_dataset(session, actor=actor, name=name)
    try:
        dataset_submit(session, actor=actor, dataset=dataset)
    except Invalid:
        session.rollback()
        return staff_page(actor, dataset, problems=problem_links(dataset), status=422)
    flash("Submitted for review. An admin of the organisation, not you, will check it.", "success")
    return redirect(url_for("publish.dataset", name=name))


@bp.post("/datasets/<name>/review")
def decide(name: str):
    actor, session = require_actor(), get_session()
    dataset = get_staff_dataset(session, actor=actor, name=name)
    comment, decision = text(request.form, "comment"), request.form.get("decision")
    try:
        if decision == "approve":
            dataset_approve(session, actor=actor, dataset=dataset, comment=comment)
        elif decision == "reject":
            dataset_reject(session, actor=actor, dataset=dataset, comment=comment)
        else:
            raise Invalid("Choose to approve it or to send it back.", field="comment")
    except Invalid as error:
        session.rollback()
        errors = FormErrors.from_error(error, "review")
        return review_page(actor, dataset, errors, request.form, 422)
    done = "Approved: it can now be published." if decision == "approve" else "Sent back."
    flash(done, "success")
    return redirect(url_for("publish.dataset", name=name))


@bp.post("/datasets/<name>/publish")
def publish(name: str):
    actor, session = require_actor(), get_session()
    dataset = get_staff_dataset(session, actor=actor, name=name)
    try:
        dataset_release(
            session,
            actor=actor,
            dataset=dataset,
            at=release_time(request.form),
            early_reason=text(request.form, "early_reason"),
        )
    except Invalid as error:
        session.rollback()
        errors = FormErrors.from_error(error, "publish")
        return staff_page(actor, dataset, errors, request.form, 422)
    when = utc_to_uk(released_at(dataset))
    flash(f"Published from {when.day} {when:%B %Y at %H:%M} UK time.", "success")
    return redirect(url_for("publish.dataset", name=name))


@bp.post("/datasets/<name>/changes/<int:change_id>/review")
def decide_change(name: str, change_id: int):
    """Approve a change with its release time, or send it back saying why."""
    actor, session = require_actor(), get_session()
    dataset = get_staff_dataset(session, actor=actor, name=name)
    change = get_staff_change(session, dataset=dataset, change_id=change_id)
    decision, form = request.form.get("decision"), f"change-{change_id}"
    try:
        if decision == "approve":
            change_release(
                session,
                actor=actor,
                change=change,
                at=release_time(request.form),
                early_reason=text(request.form, "early_reason"),
            )
        elif decision == "reject":
            change_send_back(
                session, actor=actor, change=change, comment=text(request.form, "comment")
            )
        else:
            raise Invalid("Choose to approve it or to send it back.", field="comment")
    except Invalid as error:
        session.rollback()
        errors = FormErrors.from_error(error, form)
        if error.field not in CHANGE_FIELDS:
            errors = FormErrors({"form": error.message}, form)
        return staff_page(actor, dataset, errors, request.form, 422)
    what = describe(change)
    if change.release_at is not None:
        when = utc_to_uk(change.release_at)
        flash(
            f"Approved {what} for release from {when.day} {when:%B %Y at %H:%M} UK time.", "success"
        )
    else:
        flash(f"Sent back {what}.", "success")
    return redirect(url_for("publish.dataset", name=name, _anchor="changes"))


@bp.post("/datasets/<name>/withdraw")
def withdraw(name: str):
    actor, session = require_actor(), get_session()
    dataset = get_staff_dataset(session, actor=actor, name=name)
    return _with_reason(
        actor,
        dataset,
        "withdraw",
        lambda reason: dataset_withdraw(session, actor=actor, dataset=dataset, reason=reason),
        "Withdrawn. Its pages now say why, at the same addresses.",
    )


@bp.post("/datasets/<name>/cancel-release")
def cancel_release(name: str):
    actor, session = require_actor(), get_session()
    dataset = get_staff_dataset(session, actor=actor, name=name)
    return _with_reason(
        actor,
        dataset,
        "cancel",
        lambda reason: release_cancel(session, actor=actor, dataset=dataset, reason=reason),
        "Release cancelled. The dataset is approved again, with no release date.",
    )


@bp.post("/datasets/<name>/resources/<resource_id>/versions/<int:number>/cancel-release")
def cancel_version_release(name: str, resource_id: str, number: int):
    actor, session = require_actor(), get_session()
    dataset = get_staff_dataset(session, actor=actor, name=name)
    resource = get_staff_resource(dataset, resource_id)
    version = next((v for v in resource.versions if v.number == number), None)
    if version is None:
        raise NotFound(f"{resource.title} has no version {number}.")
    return _with_reason(
        actor,
        dataset,
        f"cancel-{resource.id}",
        lambda reason: version_release_cancel(session, actor=actor, version=version, reason=reason),
        f"Release of version {number} of {resource.title} cancelled. "
        "The public keeps seeing the version before it.",
    )


def _with_reason(
    actor: Actor, dataset: Dataset, form: str, change: Callable[[str], object], done: str
):
    """Make a change that must give the form's reason: if it is refused, the staff page shows
    why against that `form`; if it is made, the page says so."""
    session = get_session()
    try:
        change(text(request.form, "reason"))
    except Invalid as error:
        session.rollback()
        return staff_page(actor, dataset, FormErrors.from_error(error, form), request.form, 422)
    flash(done, "success")
    return redirect(url_for("publish.dataset", name=dataset.name))
