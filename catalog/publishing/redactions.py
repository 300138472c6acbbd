"""Cells flagged as possible private individuals' names, and an admin's confirmation of each.

A file whose check flagged a name where the schema asks for redaction (`catalog.tables.redaction`)
can be released only once it is corrected, or once an admin of the organisation who did not
upload it has confirmed, cell by cell, that each flagged value names no private individual (a
company such as "Mr Kipling Ltd"). A note of known issues alone never releases it. Every
confirmation is in the activity log. A cell is known by its row number and field name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog import activity
from catalog.clock import utcnow
from catalog.errors import Conflict, Invalid, NotAllowed
from catalog.models import RedactionConfirmation, ResourceVersion, TableStatus
from catalog.permissions import ADMIN, Actor, require
from catalog.reindex import mark_for_index
from catalog.tables.findings import RedactionError, finding_from_descriptor

REDACTION = RedactionError.type


@dataclass(frozen=True)
class FlaggedCell:
    """One cell the check flagged, and who confirmed it names no private individual, if anyone."""

    row_number: int
    field_name: str
    cell: str
    confirmed_by: str | None = None
    confirmed_at: datetime | None = None

    @property
    def key(self) -> str:
        """How a form names the cell: `row:field`."""
        return f"{self.row_number}:{self.field_name}"


def flagged_cells(session: Session, version: ResourceVersion) -> list[FlaggedCell]:
    """Each flagged cell of the version's report, in report order, with its confirmation."""
    confirmed = {
        (c.row_number, c.field_name): c
        for c in session.scalars(
            select(RedactionConfirmation).where(RedactionConfirmation.version_id == version.id)
        )
    }
    cells = []
    for finding in _redaction_errors(version):
        found = confirmed.get(finding.flagged_cell)
        cells.append(
            FlaggedCell(
                *finding.flagged_cell,
                cell=finding.cell or "",
                confirmed_by=found.confirmed_by if found else None,
                confirmed_at=found.confirmed_at if found else None,
            )
        )
    return cells


def flagged_count(version: ResourceVersion) -> int:
    """How many cells the check flagged, listed in the report or not."""
    task = _task(version)
    return int((task.get("errorCounts") or {}).get(REDACTION, 0)) if task else 0


def unconfirmed_count(session: Session, version: ResourceVersion) -> int:
    """Flagged cells nobody has confirmed yet, counting any beyond the report's list."""
    listed = flagged_cells(session, version)
    unlisted = flagged_count(version) - len(listed)
    return unlisted + sum(1 for cell in listed if cell.confirmed_by is None)


def redaction_confirm(
    session: Session, *, actor: Actor, version: ResourceVersion, cells: list[str]
) -> list[RedactionConfirmation]:
    """Confirm that each named cell (`row:field`) is not a private individual's name. When every
    flagged cell is confirmed, the file is cleared if those were its only problems, or if a
    note of its known issues explains the rest."""
    resource = version.resource
    require(actor, resource.dataset.organisation_id, ADMIN, "confirm flagged names")
    if actor.account_id is None or actor.account_id == version.created_by_id:
        raise NotAllowed(
            "You uploaded this file, so another admin of the organisation must confirm that "
            "the flagged names are not private individuals."
        )
    flagged = {cell.key: cell for cell in flagged_cells(session, version)}
    if not flagged:
        raise Conflict("The check of this file flagged no names.", field="cells")
    if flagged_count(version) > len(flagged):
        raise Invalid(
            f"The check flagged {flagged_count(version):,} names, more than the report lists: "
            "correct the file and upload it again.",
            field="cells",
        )
    chosen = [flagged[key] for key in dict.fromkeys(cells) if key in flagged]
    if len(chosen) != len(set(cells)) or not chosen:
        raise Invalid("Choose the flagged cells that are not private individuals.", field="cells")
    made = [_confirm(session, actor, version, cell) for cell in chosen if cell.confirmed_by is None]
    session.flush()
    version.cleared = redaction_cleared(session, version)
    mark_for_index(session, resource.dataset_id)
    return made


def redaction_cleared(session: Session, version: ResourceVersion) -> bool:
    """Whether a checked table may be released: it passed, or every flagged name is confirmed
    and any other problem is explained by a note of known issues."""
    table = version.data_table
    if table is None or table.status != TableStatus.LOADED:
        return False
    if table.error_count == 0:
        return True
    flagged = flagged_count(version)
    if flagged and unconfirmed_count(session, version):
        return False
    return table.error_count == flagged or bool(version.issues_note)


def confirmations_clear(session: Session, version: ResourceVersion) -> None:
    """Forget the confirmations of a version checked again: its report is new."""
    for found in session.scalars(
        select(RedactionConfirmation).where(RedactionConfirmation.version_id == version.id)
    ):
        session.delete(found)


def _confirm(
    session: Session, actor: Actor, version: ResourceVersion, cell: FlaggedCell
) -> RedactionConfirmation:
    confirmation = RedactionConfirmation(
        version_id=version.id,
        row_number=cell.row_number,
        field_name=cell.field_name,
        cell=cell.cell,
        confirmed_by=actor.name,
        confirmed_by_id=actor.account_id,
        confirmed_at=utcnow(),
    )
    session.add(confirmation)
    resource = version.resource
    activity.record(
        session,
        actor=actor,
        action="resource.redaction_confirm",
        object_type="resource",
        object_id=resource.id,
        dataset_id=resource.dataset_id,
        summary=(
            f"Confirmed that “{cell.cell}” (row {cell.row_number}, {cell.field_name}) in version "
            f"{version.number} of {resource.title} is not a private individual"
        ),
        after={
            "version": version.number,
            "row": cell.row_number,
            "field": cell.field_name,
            "cell": cell.cell,
        },
    )
    return confirmation


def _task(version: ResourceVersion) -> dict[str, Any] | None:
    table = version.data_table
    if table is None or not table.report or not table.report.get("tasks"):
        return None
    task: dict[str, Any] = table.report["tasks"][0]
    return task


def _redaction_errors(version: ResourceVersion) -> list[RedactionError]:
    task = _task(version)
    found = (finding_from_descriptor(error) for error in (task.get("errors", []) if task else []))
    return [finding for finding in found if isinstance(finding, RedactionError)]
