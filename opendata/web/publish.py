"""The publishing side: my work, creating and editing a dataset, and its staff page.

Every page here needs someone signed in; every change is a service call made as that person,
so the roles, four eyes and the audit trail are enforced in `catalog`, not here.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from catalog.calendar.transparency import public_compliance
from catalog.errors import Conflict, Invalid
from catalog.models import ChangeState, Dataset, ResourceChange, TableStatus
from catalog.periods import next_period
from catalog.permissions import Actor
from catalog.publishing.changes import dataset_changes, waiting_changes
from catalog.publishing.datasets import DatasetInput, dataset_create, dataset_update, opened_stamp
from catalog.publishing.readiness import FileProblem, file_problems
from catalog.publishing.requirements import REQUIREMENTS, requirement_key, requirement_set
from catalog.publishing.staff import (
    Actions,
    actions_for,
    can_create,
    change_actions,
    dataset_choices,
    get_dataset_to_edit,
    get_staff_dataset,
    require_can_create,
    review_queue,
    staff_activity,
    stage_of,
    work_by_stage,
)
from catalog.publishing.workflow import version_scheduled
from catalog.tables.dialects import Dialect
from catalog.tables.differences import table_difference
from catalog.tables.reading import preview
from catalog.tables.schemas import list_schemas
from catalog.uk_time import next_release_slot, utc_to_uk
from catalog.visibility import is_public, latest_public, version_is_public
from opendata.auth import no_store, require_actor, require_sign_in
from opendata.database import get_session, get_store
from opendata.filters import uk_date_time
from opendata.web.forms import FormErrors, dataset_input, dataset_values, status_of
from publishers.run_log import can_read_runs

bp = Blueprint("publish", __name__, url_prefix="/publish")
bp.before_request(require_sign_in)
bp.after_request(no_store)

PREVIEW_ROWS = 10


@bp.get("")
def my_work():
    actor, session = require_actor(), get_session()
    return render_template(
        "publish/my_work.html",
        work=work_by_stage(session, actor=actor),
        waiting=len(review_queue(session, actor=actor))
        + len(waiting_changes(session, actor=actor)),
        can_create=can_create(actor),
        can_read_runs=can_read_runs(actor),
        deadlines=sum(p.needs_attention for p in public_compliance(session)),
    )


@bp.route("/datasets/new", methods=["GET", "POST"])
def new():
    actor = require_actor()
    require_can_create(actor)
    if request.method == "GET":
        return _form_page(actor, None, MultiDict(), FormErrors())
    session = get_session()
    try:
        requirement = requirement_key(request.form.get("transparency_requirement"))
        dataset = dataset_create(session, actor=actor, data=dataset_input(request.form))
        requirement_set(session, actor=actor, dataset=dataset, key=requirement)
    except (Invalid, Conflict) as error:
        session.rollback()
        return _form_page(actor, None, request.form, FormErrors.from_error(error), error)
    flash("Dataset created as a draft. Add its files, then submit it for review.", "success")
    return redirect(url_for("publish.dataset", name=dataset.name))


@bp.route("/datasets/<name>/edit", methods=["GET", "POST"])
def edit(name: str):
    actor, session = require_actor(), get_session()
    dataset = get_dataset_to_edit(session, actor=actor, name=name)
    if request.method == "GET":
        values = dataset_values(DatasetInput.from_dataset(dataset))
        values.add("transparency_requirement", dataset.transparency_requirement or "")
        values.add("modified", dataset.modified_at.isoformat())
        return _form_page(actor, dataset, values, FormErrors())
    try:
        requirement = requirement_key(request.form.get("transparency_requirement"))
        dataset_update(
            session,
            actor=actor,
            dataset=dataset,
            data=dataset_input(request.form),
            opened_at=opened_stamp(request.form.get("modified")),
        )
        requirement_set(session, actor=actor, dataset=dataset, key=requirement)
    except (Invalid, Conflict) as error:
        session.rollback()
        return _form_page(actor, dataset, request.form, FormErrors.from_error(error), error)
    flash("Your changes have been saved.", "success")
    return redirect(url_for("publish.dataset", name=dataset.name))


@bp.get("/datasets/<name>")
def dataset(name: str):
    actor = require_actor()
    return staff_page(actor, get_staff_dataset(get_session(), actor=actor, name=name))


def staff_page(
    actor: Actor,
    dataset: Dataset,
    errors: FormErrors | None = None,
    values: MultiDict | None = None,
    status: int = 200,
    problems: list[dict[str, str]] | None = None,
):
    """The staff page of a dataset, also re-shown (with `errors`) when one of its forms fails,
    or with the `problems` (text and link) that stopped it being submitted."""
    changes = dataset_changes(get_session(), dataset)
    waiting = {change.version_id for change in changes if change.state == ChangeState.PENDING}
    actions, stage = actions_for(actor, dataset), stage_of(dataset)
    page = render_template(
        "publish/dataset.html",
        dataset=dataset,
        stage=stage,
        actions=actions,
        files=[staff_file(resource, waiting) for resource in dataset.resources],
        changes=[_change(actor, change) for change in changes],
        history=staff_activity(get_session(), actor=actor, dataset=dataset),
        errors=errors or FormErrors(),
        problems=problems or [],
        values=values or MultiDict(),
        next_slot=utc_to_uk(next_release_slot()),
        schemas=list_schemas(),
        next_steps=_next_steps(actions, dataset, stage, len(waiting)),
        next_period=next_period(r.latest.period for r in dataset.resources if r.latest),
    )
    return page, status


def problem_links(dataset: Dataset) -> list[dict[str, str]]:
    """What stops the dataset going for review: each file's problem, linked to its check's
    report, or to the upload form of a file not sent yet, or else to the file on the page."""
    return [
        {"text": problem.message, "href": _problem_href(dataset, problem)}
        for problem in file_problems(dataset)
    ]


def _problem_href(dataset: Dataset, problem: FileProblem) -> str:
    resource, version = problem.resource, problem.version
    if version is None:
        return f"#version-{resource.id}-file"
    if not problem.has_report:
        return f"#file-{resource.id}"
    return url_for(
        "checks.staff_report", name=dataset.name, resource_id=resource.id, number=version.number
    )


def _next_steps(actions: Actions, dataset: Dataset, stage: str, waiting: int) -> list[dict]:
    """The one or few things to do next, first on the staff page, so a publisher need not read
    the whole page to find them."""
    org = dataset.organisation.title
    if stage == "draft":
        if not dataset.resources:
            return [{"text": "Upload a file", "href": "#add-file"}] if actions.upload else []
        steps = [
            {"text": _step_text(problem), "href": _problem_href(dataset, problem)}
            for problem in file_problems(dataset)
        ]
        if steps or not actions.submit:
            return steps
        return [{"text": "Submit for review", "href": "#submit-for-review"}]
    if stage == "in_review":
        if actions.review:
            return [{"text": "Review it", "href": url_for("review.review", name=dataset.name)}]
        return [{"text": f"Waiting for review by another admin of {org}"}]
    if stage == "approved":
        if actions.publish:
            return [{"text": "Set its release time", "href": "#release"}]
        return [{"text": f"Approved: waiting for an admin of {org} to publish it"}]
    if stage == "scheduled":
        return [{"text": f"Scheduled for {uk_date_time(dataset.published_at)}"}]
    if stage == "published" and waiting:
        said = "1 change is" if waiting == 1 else f"{waiting} changes are"
        return [{"text": f"{said} waiting for review", "href": "#changes"}]
    if stage == "published" and actions.upload:
        return [{"text": "Upload a new version when there is new data", "href": "#files"}]
    return []


def _step_text(problem: FileProblem) -> str:
    """A file's problem as a step: 'Fix 3 errors in spend.csv' where the check found errors."""
    table = problem.version.data_table if problem.version else None
    if problem.version is None or table is None or not table.error_count:
        return problem.message
    errors = "1 error" if table.error_count == 1 else f"{table.error_count:,} errors"
    return f"Fix {errors} in {problem.version.filename}"


def staff_file(resource, waiting: set[int | None]) -> dict:
    """A file as staff see it: the newest version, released or not, its check and first rows,
    or that its first upload is still awaited (a CKAN client lists files before sending them).

    Only a file its check could read is previewed; the check's report says what is wrong
    with the others."""
    version = resource.latest
    check = version.data_table if version else None
    table = None
    if version is not None and check is not None and check.status == TableStatus.LOADED:
        with get_store().local_copy(version.sha256) as path:
            table = preview(path, resource.format, limit=PREVIEW_ROWS, dialect=_dialect(version))
    fields = (version.table_schema or {}).get("fields", []) if version else []
    released = version is not None and is_public(resource.dataset) and version_is_public(version)
    return {
        "resource": resource,
        "version": version,
        "layout": _dialect(version).describe() if version else None,
        "table": table,
        "fields": fields,
        "check": check,
        "describable": check is not None and not released,
        "scheduled": version is not None and version_scheduled(version),
        "waiting": version is not None and version.id in waiting,
        "awaiting": version is None and resource.link_url is None,
        "next_period": next_period([version.period if version else None]),
    }


def _change(actor: Actor, change: ResourceChange) -> dict[str, Any]:
    """A change waiting for review or release, as its reviewer needs it: the new file's check
    and first rows, and how it differs from the version it replaces."""
    version = change.version
    check = version.data_table if version else None
    table = None
    if version is not None and check is not None and check.status == TableStatus.LOADED:
        with get_store().local_copy(version.sha256) as path:
            table = preview(
                path, change.resource.format, limit=PREVIEW_ROWS, dialect=_dialect(version)
            )
    replaced = latest_public(change.resource)
    return {
        "change": change,
        "version": version,
        "replaced": replaced,
        "difference": table_difference(replaced, version) if version else None,
        "check": check,
        "table": table,
        "actions": change_actions(actor, change),
        "scheduled": change.state == ChangeState.APPROVED,
    }


def _dialect(version) -> Dialect:
    return Dialect.from_descriptor(version.dialect)


def _form_page(actor, dataset, values, errors, error=None):
    choices = dataset_choices(get_session(), actor=actor)
    page = render_template(
        "publish/dataset_form.html",
        dataset=dataset,
        choices=choices,
        values=values,
        errors=errors,
        requirements=REQUIREMENTS,
    )
    return page, status_of(error) if error else 200
