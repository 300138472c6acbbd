"""Adding files to a dataset and correcting them: each upload is a new immutable version. A
file published on another website can be added as a link instead, and its address changed."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from werkzeug.exceptions import RequestEntityTooLarge

from catalog.errors import Invalid, TooLarge
from catalog.models import ResourceVersion, TableStatus
from catalog.publishing.changes import needs_review
from catalog.publishing.requirements import period_set, upload_period
from catalog.publishing.resources import (
    resource_create,
    resource_link_create,
    resource_link_update,
    version_add,
)
from catalog.publishing.staff import get_staff_dataset, get_staff_resource
from catalog.tables.dialects import Dialect
from opendata.auth import no_store, require_actor, require_sign_in
from opendata.background import check_after_commit
from opendata.database import get_session, get_store
from opendata.web.forms import FormErrors, chosen_file, chosen_schema, text
from opendata.web.publish import staff_page

bp = Blueprint("uploads", __name__, url_prefix="/publish/datasets/<name>/files")
bp.before_request(require_sign_in)
bp.after_request(no_store)

LINK_FIELDS = {"format": "link_format"}  # the link form's own format box


@bp.post("")
def add_file(name: str):
    actor, session = require_actor(), get_session()
    dataset = get_staff_dataset(session, actor=actor, name=name)
    if request.form.get("kind") == "link":
        return _add_link(actor, dataset)
    try:
        period = upload_period(dataset, request.form.get("period"))
        resource = resource_create(
            session,
            store=get_store(),
            actor=actor,
            dataset=dataset,
            title=text(request.form, "title"),
            description=text(request.form, "description"),
            upload=chosen_file(request.files),
            table_schema=chosen_schema(request.form, request.files),
            check_now=False,
        )
        first = resource.versions[0]  # a new resource holds the one file just uploaded
        period_set(session, actor=actor, version=first, period=period)
    except Invalid as error:
        session.rollback()
        return staff_page(actor, dataset, FormErrors.from_error(error, "upload"), request.form, 422)
    _check_after_commit(first)
    flash(
        f"File uploaded.{_layout_note(first)} Check its preview and columns before you submit it."
        if not needs_review(dataset)
        else f"File uploaded.{_layout_note(first)}{_review_note(dataset)}",
        "success",
    )
    return redirect(url_for("publish.dataset", name=name, _anchor="files"))


@bp.post("/<resource_id>/versions")
def add_version(name: str, resource_id: str):
    actor, session = require_actor(), get_session()
    dataset = get_staff_dataset(session, actor=actor, name=name)
    resource = get_staff_resource(dataset, resource_id)
    try:
        period = upload_period(dataset, request.form.get("period"))
        version = version_add(
            session,
            store=get_store(),
            actor=actor,
            resource=resource,
            upload=chosen_file(request.files),
            note=text(request.form, "note"),
            table_schema=chosen_schema(request.form, request.files),
            check_now=False,
        )
        period_set(session, actor=actor, version=version, period=period)
    except Invalid as error:
        session.rollback()
        errors = FormErrors.from_error(error, f"version-{resource_id}")
        return staff_page(actor, dataset, errors, request.form, 422)
    _check_after_commit(version)
    flash(
        f"Version {version.number} of {resource.title} uploaded."
        f"{_layout_note(version)}{_review_note(dataset)}",
        "success",
    )
    return redirect(url_for("publish.dataset", name=name, _anchor="files"))


def _add_link(actor, dataset):
    session = get_session()
    try:
        resource_link_create(
            session,
            actor=actor,
            dataset=dataset,
            title=text(request.form, "title"),
            url=text(request.form, "url"),
            description=text(request.form, "description"),
            format=text(request.form, "link_format") or None,
            rules=current_app.config["SETTINGS"].link_rules,
        )
    except Invalid as error:
        session.rollback()
        return staff_page(actor, dataset, _link_errors(error, "upload"), request.form, 422)
    flash("Link added. The public page sends people to the file on its own website.", "success")
    return redirect(url_for("publish.dataset", name=dataset.name, _anchor="files"))


@bp.post("/<resource_id>/link")
def change_link(name: str, resource_id: str):
    actor, session = require_actor(), get_session()
    dataset = get_staff_dataset(session, actor=actor, name=name)
    resource = get_staff_resource(dataset, resource_id)
    try:
        resource_link_update(
            session,
            actor=actor,
            resource=resource,
            url=text(request.form, "url"),
            format=text(request.form, "link_format"),
            rules=current_app.config["SETTINGS"].link_rules,
        )
    except Invalid as error:
        session.rollback()
        errors = _link_errors(error, f"link-{resource_id}")
        return staff_page(actor, dataset, errors, request.form, 422)
    flash(f"The link of {resource.title} was changed.{_review_note(dataset)}", "success")
    return redirect(url_for("publish.dataset", name=name, _anchor="files"))


def _layout_note(version: ResourceVersion) -> str:
    """Where the header was found, when not on row 1, so a wrong guess is seen and corrected
    (on the page describing the columns)."""
    described = Dialect.from_descriptor(version.dialect).describe()
    return f" {described}" if described else ""


def _review_note(dataset) -> str:
    """What happens next to a change of a public dataset: it waits for a second person."""
    if not needs_review(dataset):
        return ""
    return (
        " The public keeps seeing what is published now until an admin of "
        f"{dataset.organisation.title} who did not make the change approves it."
    )


def _link_errors(error: Invalid, form: str) -> FormErrors:
    field = LINK_FIELDS.get(error.field or "", error.field) or "form"
    return FormErrors({field: error.message}, form)


def _check_after_commit(version: ResourceVersion) -> None:
    """A table is checked once the upload and its period are committed: here, straight
    after, on the embedded default; on a worker, which shows its progress, in production."""
    if version.data_table is not None and version.data_table.status == TableStatus.QUEUED:
        check_after_commit(version)


@bp.errorhandler(RequestEntityTooLarge)
@bp.errorhandler(TooLarge)
def too_large(_error):
    """A clear page, with a way back, instead of a bare 413."""
    limit = request.max_content_length
    name = (request.view_args or {}).get("name", "")
    page = render_template("publish/too_large.html", limit=limit, name=name)
    return page, 413
