"""Four eyes on changes to what the public already sees.

A new file, or a new version of a file, in a public dataset, and a new address for a linked
file, are not public when they are made: each becomes a ResourceChange in the review queue, next
to new datasets. An admin of the organisation who did not make it (nor upload the file, nor
write its note of known issues) approves it with a release time, now or later; a version is
public from that second through the visibility rule, and the Release record names the version.
A new address is released when it is approved. A change already approved but not yet released
goes back to review if its file changes again (a newer upload, new column descriptions), so what
was approved is exactly what is released.

A trusted system source (a publisher source an administrator allowed to publish without review,
such as the KPI Machine) releases at once, and the log says so.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog import activity
from catalog.clock import utcnow
from catalog.errors import Conflict, Invalid, NotAllowed
from catalog.models import (
    ChangeKind,
    ChangeState,
    Dataset,
    Release,
    Resource,
    ResourceChange,
    ResourceVersion,
)
from catalog.permissions import ADMIN, Actor, require
from catalog.publishing.readiness import blocking_reason
from catalog.reindex import mark_for_index
from catalog.visibility import is_public

PENDING, APPROVED = ChangeState.PENDING, ChangeState.APPROVED
SENT_BACK, CANCELLED = ChangeState.SENT_BACK, ChangeState.CANCELLED


def needs_review(dataset: Dataset) -> bool:
    """Whether a change to this dataset's files would be seen by the public at once."""
    return is_public(dataset)


def version_propose(session: Session, *, actor: Actor, version: ResourceVersion) -> ResourceChange:
    """Hold a new version of a public dataset's file back for review; any change of the same
    file approved but not yet released goes back to review with it."""
    version.published_at = None
    reopen_changes(session, actor=actor, resource=version.resource, why="a newer version came")
    return _propose(session, actor, version.resource, ChangeKind.VERSION, version=version)


def link_propose(
    session: Session, *, actor: Actor, resource: Resource, url: str, format: str
) -> ResourceChange:
    """Hold a new address of a public dataset's linked file back for review; the old address
    stays the public one until it is approved."""
    for earlier in _open_changes(session, resource):
        earlier.state = CANCELLED
    change = _propose(session, actor, resource, ChangeKind.LINK, link_url=url, link_format=format)
    return change


def change_approve(
    session: Session, *, actor: Actor, change: ResourceChange, at: datetime | None = None
) -> ResourceChange:
    """Approve a change and set when it is released: `at` (UTC), or now."""
    dataset = change.dataset
    require(actor, dataset.organisation_id, ADMIN, "approve changes to this dataset")
    _expect_pending(change)
    if actor.account_id is not None and actor.account_id in change_authors(change):
        raise NotAllowed(
            "You made this change, so another admin of the organisation must approve it."
        )
    now = utcnow()
    at = at or now
    if at < now:
        raise Invalid("The release time must be now or later.", field="release")
    if change.kind == ChangeKind.LINK and at > now:
        raise Invalid(
            "A new web address is released when it is approved: choose to release it now.",
            field="when",
        )
    if change.version is not None:
        problem = blocking_reason(change.resource, change.version)
        if problem:
            raise Invalid(problem, field="files")
        change.version.published_at = at
    else:
        _apply_link(change)
    change.state, change.release_at = APPROVED, at
    change.reviewed_by, change.reviewed_by_id, change.reviewed_at = (
        actor.name,
        actor.account_id,
        now,
    )
    session.add(_release_record(actor, change, at, approved_by=actor.name))
    _log(session, actor, change, "approve", f"Approved {describe(change)} for release {_at(at)}")
    mark_for_index(session, dataset.id)
    session.flush()
    return change


def change_send_back(
    session: Session, *, actor: Actor, change: ResourceChange, comment: str
) -> ResourceChange:
    """Refuse a change, saying why; a version sent back is never released."""
    require(actor, change.dataset.organisation_id, ADMIN, "review changes to this dataset")
    _expect_pending(change)
    if not comment.strip():
        raise Invalid("Say what needs to change before it can be approved.", field="comment")
    change.state, change.comment = SENT_BACK, comment.strip()
    change.reviewed_by, change.reviewed_by_id = actor.name, actor.account_id
    change.reviewed_at = utcnow()
    _log(session, actor, change, "send_back", f"Sent back {describe(change)}: {change.comment}")
    session.flush()
    return change


def release_trusted(
    session: Session, *, actor: Actor, version: ResourceVersion, at: datetime
) -> ResourceVersion:
    """A trusted source's new version of a public dataset: released without review, as its
    policy allows, and logged as such."""
    version.published_at = at
    resource = version.resource
    source = f"{actor.name} (no review: trusted source)"
    record = Release(
        dataset_id=resource.dataset_id,
        released_at=at,
        recorded_at=utcnow(),
        published_by=actor.name,
        approved_by=source,
        source="trusted source",
        summary=f"Released version {version.number} of {resource.title} without review",
        versions=[_named(version)],
    )
    session.add(record)
    activity.record(
        session,
        actor=actor,
        action="resource.release_without_review",
        object_type="resource",
        object_id=resource.id,
        dataset_id=resource.dataset_id,
        summary=(
            f"Released version {version.number} of {resource.title} {_at(at)} without review: "
            f"{actor.name} is a trusted source"
        ),
        after={"version": version.number, "published_at": at.isoformat()},
    )
    return version


def reopen_changes(session: Session, *, actor: Actor, resource: Resource, why: str) -> None:
    """Send back to review any change of this file approved but not yet released: what was
    approved is no longer what would be released."""
    now = utcnow()
    for change in _open_changes(session, resource):
        if change.state != APPROVED or change.release_at is None or change.release_at <= now:
            continue
        if change.version is not None:
            change.version.published_at = None
        _cancel_release_record(session, change, f"Back in review: {why}")
        change.state, change.release_at = PENDING, None
        change.reviewed_by = change.reviewed_by_id = change.reviewed_at = None
        _log(session, actor, change, "reopen", f"{describe(change)} is back in review: {why}")


def change_cancelled(session: Session, *, version: ResourceVersion, reason: str) -> None:
    """Mark the approved change of a version whose scheduled release was called off."""
    for change in session.scalars(
        select(ResourceChange).where(
            ResourceChange.version_id == version.id, ResourceChange.state == APPROVED
        )
    ):
        change.state = CANCELLED
        _cancel_release_record(session, change, reason)


def change_authors(change: ResourceChange) -> set[int]:
    """Everyone who made what is to be released: none of them may approve it."""
    authors = {change.made_by_id}
    if change.version is not None:
        authors |= {change.version.created_by_id, change.version.issues_noted_by_id}
    return {author for author in authors if author is not None}


def waiting_changes(session: Session, *, actor: Actor) -> list[ResourceChange]:
    """Changes waiting for review in the organisations where the actor is an admin, oldest
    first."""
    query = select(ResourceChange).join(Dataset).where(ResourceChange.state == PENDING)
    if not actor.sysadmin:
        admin_of = [org for org, role in actor.roles.items() if role == ADMIN]
        query = query.where(Dataset.organisation_id.in_(admin_of))
    return list(session.scalars(query.order_by(ResourceChange.made_at, ResourceChange.id)))


def dataset_changes(session: Session, dataset: Dataset) -> list[ResourceChange]:
    """A dataset's changes waiting for review or for their release time, oldest first."""
    now = utcnow()
    query = select(ResourceChange).where(
        ResourceChange.dataset_id == dataset.id,
        ResourceChange.state.in_([PENDING, APPROVED]),
    )
    changes = session.scalars(query.order_by(ResourceChange.made_at, ResourceChange.id))
    return [c for c in changes if c.state == PENDING or (c.release_at or now) > now]


def describe(change: ResourceChange) -> str:
    if change.version is not None:
        return f"version {change.version.number} of {change.resource.title}"
    return f"the new address of {change.resource.title} ({change.link_url})"


def _propose(
    session: Session, actor: Actor, resource: Resource, kind: ChangeKind, **fields: Any
) -> ResourceChange:
    change = ResourceChange(
        dataset_id=resource.dataset_id,
        resource=resource,
        kind=kind,
        made_by=actor.name,
        made_by_id=actor.account_id,
        made_at=utcnow(),
        state=PENDING,
        **fields,
    )
    change.dataset = resource.dataset
    session.add(change)
    session.flush()
    _log(session, actor, change, "propose", f"Sent {describe(change)} for review")
    return change


def _open_changes(session: Session, resource: Resource) -> list[ResourceChange]:
    query = select(ResourceChange).where(
        ResourceChange.resource_id == resource.id,
        ResourceChange.state.in_([PENDING, APPROVED]),
    )
    return list(session.scalars(query.order_by(ResourceChange.id)))


def _apply_link(change: ResourceChange) -> None:
    resource = change.resource
    resource.link_url, resource.format = change.link_url, change.link_format or resource.format
    resource.modified_at = utcnow()


def _release_record(
    actor: Actor, change: ResourceChange, at: datetime, approved_by: str
) -> Release:
    resource = change.resource
    named = (
        _named(change.version)
        if change.version is not None
        else {"resource": resource.id, "url": change.link_url}
    )
    return Release(
        dataset_id=change.dataset_id,
        released_at=at,
        recorded_at=utcnow(),
        published_by=actor.name,
        approved_by=approved_by,
        source="web",
        summary=f"Released {describe(change)}",
        versions=[named],
    )


def _named(version: ResourceVersion) -> dict[str, Any]:
    return {"resource": version.resource_id, "version": version.number, "sha256": version.sha256}


def _cancel_release_record(session: Session, change: ResourceChange, reason: str) -> None:
    """The Release record of an approved change that will not happen says so."""
    if change.release_at is None:
        return
    named = _named(change.version) if change.version is not None else None
    query = select(Release).where(
        Release.dataset_id == change.dataset_id, Release.released_at == change.release_at
    )
    for release in session.scalars(query):
        if named in release.versions and not release.summary.startswith("Cancelled"):
            release.summary = f"Cancelled: {reason} ({release.summary})"


def _expect_pending(change: ResourceChange) -> None:
    if change.state != PENDING:
        raise Conflict(
            f"This change is {change.state.replace('_', ' ')}, not waiting for review.",
            field="state",
        )


def _log(session: Session, actor: Actor, change: ResourceChange, verb: str, summary: str) -> None:
    activity.record(
        session,
        actor=actor,
        action=f"resource.change_{verb}",
        object_type="resource",
        object_id=change.resource_id,
        dataset_id=change.dataset_id,
        summary=summary[:1].upper() + summary[1:],
        after={
            "change": change.id,
            "kind": str(change.kind),
            "state": str(change.state),
            "version": change.version.number if change.version is not None else None,
            "url": change.link_url,
            "release_at": change.release_at.isoformat() if change.release_at else None,
        },
    )


def _at(at: datetime) -> str:
    return f"at {at:%d %B %Y %H:%M} UTC"
