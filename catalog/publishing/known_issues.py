"""Releasing a table that has errors, on purpose: only with a recorded reason.

A version whose check found errors stays unreleased. An editor may decide the data is still
worth publishing (a supplier's file with a few blank dates, say) by saying why; the public
page then says the data has known issues and links the report.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from catalog import activity
from catalog.errors import Invalid
from catalog.models import Dataset, ResourceVersion, TableStatus
from catalog.permissions import EDITOR, Actor, require
from catalog.reindex import mark_for_index


def accept_known_issues(
    session: Session, *, actor: Actor, version: ResourceVersion, note: str
) -> ResourceVersion:
    resource = version.resource
    require(actor, resource.dataset.organisation_id, EDITOR, "publish files with known issues")
    note = note.strip()
    if not note:
        raise Invalid("Say why this file can be published with its errors.", field="note")
    table = version.data_table
    if table is None or table.status != TableStatus.LOADED or table.error_count == 0:
        raise Invalid("Only a checked file with errors needs a note of its known issues.")
    version.issues_note = note
    version.cleared = True
    activity.record(
        session,
        actor=actor,
        action="resource.known_issues",
        object_type="resource",
        object_id=resource.id,
        dataset_id=resource.dataset_id,
        summary=f"Version {version.number} of {resource.title} released with known issues",
        after={"version": version.number, "errors": table.error_count, "note": note},
    )
    mark_for_index(session, resource.dataset_id)
    session.flush()
    return version


def blocking_files(dataset: Dataset) -> list[str]:
    """Sentences naming each file whose newest version cannot be released yet."""
    problems = []
    for resource in dataset.resources:
        version = resource.latest
        if version is None or version.cleared:
            continue
        table = version.data_table
        if table is None or table.status in (TableStatus.QUEUED, TableStatus.LOADING):
            problems.append(f"{resource.title} is still being checked.")
        elif table.status == TableStatus.FAILED:
            problems.append(f"{resource.title} could not be checked: {table.failure}")
        else:
            problems.append(
                f"{resource.title} has {table.error_count:,} "
                f"{'error' if table.error_count == 1 else 'errors'}. Upload a corrected file, "
                "or record why it can be published with its known issues."
            )
    return problems
