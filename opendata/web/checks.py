"""What the check of a table found: the report page for staff and for the public, the note
that releases a file with known issues, and the form that describes a table's columns."""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for

from catalog.errors import Invalid, NotFound
from catalog.publishing.known_issues import accept_known_issues
from catalog.publishing.redactions import flagged_cells, flagged_count, redaction_confirm
from catalog.publishing.resources import (
    get_public_file,
    get_public_version,
    version_header_set,
    version_schema_set,
)
from catalog.publishing.staff import (
    can_confirm_redaction,
    get_staff_dataset,
    get_staff_resource,
)
from catalog.tables.dialects import Dialect
from catalog.tables.reports import grouped, warning_lines
from catalog.tables.schemas import list_schemas, load_schema
from opendata.auth import no_store, require_actor, require_sign_in
from opendata.database import get_session, get_store
from opendata.web.forms import FormErrors, text

bp = Blueprint("checks", __name__)
STAFF = "/publish/datasets/<name>/files/<resource_id>/versions/<int:number>"
PUBLIC = "/datasets/<name>/resources/<resource_id>/versions/<int:number>"
FIELD_TYPES = ("string", "integer", "number", "boolean", "date", "datetime", "time", "year")


@bp.get(f"{PUBLIC}/report")
def public_report(name: str, resource_id: str, number: int):
    resource, version = _public(name, resource_id, number)
    return _report_page(resource, version, staff=False)


@bp.get(f"{PUBLIC}/report.json")
def public_report_json(name: str, resource_id: str, number: int):
    _resource, version = _public(name, resource_id, number)
    response = jsonify(_stored_report(version))
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get(f"{STAFF}/report")
def staff_report(name: str, resource_id: str, number: int):
    resource, version = _staff(name, resource_id, number)
    return _report_page(resource, version, staff=True)


@bp.get(f"{STAFF}/report.json")
def staff_report_json(name: str, resource_id: str, number: int):
    _resource, version = _staff(name, resource_id, number)
    return jsonify(_stored_report(version))


@bp.post(f"{STAFF}/known-issues")
def known_issues(name: str, resource_id: str, number: int):
    actor = require_actor()
    resource, version = _staff(name, resource_id, number)
    try:
        accept_known_issues(
            get_session(), actor=actor, version=version, note=text(request.form, "note")
        )
    except Invalid as error:
        get_session().rollback()
        errors = FormErrors.from_error(error, "issues")
        return _report_page(resource, version, staff=True, errors=errors, status=422)
    flash(
        f"Version {number} of {resource.title} can now be published with its known issues.",
        "success",
    )
    return redirect(url_for("publish.dataset", name=name, _anchor="files"))


@bp.post(f"{STAFF}/redaction")
def confirm_names(name: str, resource_id: str, number: int):
    """An admin who did not upload the file confirms flagged cells are not private people."""
    actor = require_actor()
    resource, version = _staff(name, resource_id, number)
    try:
        made = redaction_confirm(
            get_session(), actor=actor, version=version, cells=request.form.getlist("cell")
        )
    except Invalid as error:
        get_session().rollback()
        errors = FormErrors.from_error(error, "redaction")
        return _report_page(resource, version, staff=True, errors=errors, status=422)
    flash(
        f"Confirmed {len(made)} flagged {'name' if len(made) == 1 else 'names'} in version "
        f"{number} of {resource.title} as not private individuals.",
        "success",
    )
    return redirect(
        url_for("checks.staff_report", name=name, resource_id=resource_id, number=number)
    )


@bp.route(f"{STAFF}/columns", methods=["GET", "POST"])
def columns(name: str, resource_id: str, number: int):
    actor = require_actor()
    resource, version = _staff(name, resource_id, number)
    errors = FormErrors()
    header_row = _header_row(version)
    if request.method == "POST":
        try:
            moved_to = _posted_header_row(header_row)
            if moved_to is not None:
                version_header_set(
                    get_session(),
                    store=get_store(),
                    actor=actor,
                    version=version,
                    header_row=moved_to,
                )
            else:
                version_schema_set(
                    get_session(),
                    store=get_store(),
                    actor=actor,
                    version=version,
                    table_schema=_posted_schema(version.table_schema or {}),
                )
        except Invalid as error:
            get_session().rollback()
            errors = FormErrors.from_error(error, "columns")
        else:
            flash(f"Columns described and {resource.title} checked again.", "success")
            return redirect(
                url_for("checks.staff_report", name=name, resource_id=resource_id, number=number)
            )
    page = render_template(
        "publish/columns.html",
        dataset=resource.dataset,
        resource=resource,
        version=version,
        fields=(version.table_schema or {}).get("fields", []),
        header_row=header_row,
        layout=Dialect.from_descriptor(version.dialect).describe(),
        field_types=FIELD_TYPES,
        schemas=list_schemas(),
        errors=errors,
    )
    return page, 422 if errors.messages else 200


def _header_row(version) -> int | None:
    """The row the header is read from, where it is one row the publisher may move."""
    dialect = Dialect.from_descriptor(version.dialect)
    return dialect.header_rows[0] if dialect.header and len(dialect.header_rows) == 1 else None


def _posted_header_row(current: int | None) -> int | None:
    """The header's new row, when the publisher moved it; None to keep it where it is."""
    posted = text(request.form, "header_row")
    if current is None or not posted:
        return None
    if not posted.isdigit() or int(posted) < 1:
        raise Invalid("Enter the header row as a whole number, like 1 or 3.", field="header_row")
    return int(posted) if int(posted) != current else None


def _posted_schema(current: dict) -> dict:
    """A standard schema chosen from the list, or the current one with each column's type,
    title and description as edited."""
    standard = text(request.form, "standard")
    if standard:
        return load_schema(standard)
    fields = []
    for position, field in enumerate(current.get("fields", [])):
        kind = text(request.form, f"type-{position}") or field.get("type", "string")
        if kind not in FIELD_TYPES:
            raise Invalid(f"Choose a type for column {position + 1}.", field=f"type-{position}")
        # A format belongs to its type: a date read day first keeps it while it stays a date.
        if kind == field.get("type"):
            edited = dict(field)
        else:
            edited = {key: value for key, value in field.items() if key not in {"type", "format"}}
            edited["type"] = kind
        for key in ("title", "description"):
            value = text(request.form, f"{key}-{position}")
            if value:
                edited[key] = value
            else:
                edited.pop(key, None)
        fields.append(edited)
    return {**current, "fields": fields}


def _report_page(resource, version, *, staff: bool, errors: FormErrors | None = None, status=200):
    report = _stored_report(version)
    page = render_template(
        "report.html",
        dataset=resource.dataset,
        resource=resource,
        version=version,
        table=version.data_table,
        report=report,
        task=report["tasks"][0],
        groups=grouped(report),
        warnings=warning_lines(report),
        staff=staff,
        errors=errors or FormErrors(),
        flagged=flagged_cells(get_session(), version) if staff else [],
        unlisted=flagged_count(version) - len(flagged_cells(get_session(), version)),
        can_confirm=staff and can_confirm_redaction(require_actor(), version),
    )
    return page, status


def _stored_report(version) -> dict:
    table = version.data_table
    if table is None or table.report is None:
        raise NotFound("This file has no validation report: only tables are checked.")
    return table.report


def _public(name: str, resource_id: str, number: int):
    file = get_public_file(get_session(), name, resource_id)
    return file.resource, get_public_version(file, number)


def _staff(name: str, resource_id: str, number: int):
    actor = require_actor()
    dataset = get_staff_dataset(get_session(), actor=actor, name=name)
    resource = get_staff_resource(dataset, resource_id)
    for version in resource.versions:
        if version.number == number:
            return resource, version
    raise NotFound(f"This file has no version {number}.")


@bp.before_request
def _staff_only():
    if request.path.startswith("/publish/"):
        return require_sign_in()
    return None


@bp.after_request
def _private_for_staff(response):
    return no_store(response) if request.path.startswith("/publish/") else response
