"""Releasing a table that has errors, on purpose: only with a recorded reason, and never on
one person's word.

A version whose check found errors stays unreleased. An editor may decide the data is still
worth publishing (a supplier's file with a few blank dates, say) by saying why; the public
page then says the data has known issues and links the report. The note is part of what a
second person reviews: with the dataset, or, for a dataset already public, as a change in the
review queue (`catalog.publishing.changes`). Names flagged for redaction are never released by
a note: an admin who did not upload the file confirms each one (`catalog.publishing.redactions`).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from catalog import activity
from catalog.errors import Invalid
from catalog.models import ResourceVersion, TableStatus
from catalog.permissions import EDITOR, Actor, require
from catalog.publishing.changes import needs_review, version_propose
from catalog.publishing.redactions import redaction_cleared, unconfirmed_count
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
    flagged = unconfirmed_count(session, version)
    if flagged:
        raise Invalid(
            f"{flagged:,} {'cell looks' if flagged == 1 else 'cells look'} like a private "
            "individual’s name. Correct the file, or ask an admin who did not upload it to "
            "confirm each one is not a private individual, before noting other known issues.",
            field="note",
        )
    version.issues_note = note
    version.issues_noted_by_id = actor.account_id
    version.cleared = redaction_cleared(session, version)
    if needs_review(resource.dataset) and version.published_at is not None:
        version_propose(session, actor=actor, version=version)
    activity.record(
        session,
        actor=actor,
        action="resource.known_issues",
        object_type="resource",
        object_id=resource.id,
        dataset_id=resource.dataset_id,
        summary=(
            f"Noted the known issues of version {version.number} of {resource.title}, "
            "for review before release"
        ),
        after={"version": version.number, "errors": table.error_count, "note": note},
    )
    mark_for_index(session, resource.dataset_id)
    session.flush()
    return version
