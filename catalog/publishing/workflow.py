"""The release workflow: draft -> in review -> approved -> published -> withdrawn.

Four eyes: whoever submitted a dataset for review cannot approve it. Publishing sets a release
time, now or later (09:30 UK time is the usual choice); the dataset becomes public at that
second through the visibility rule, with no job needed. Every step is in the activity log,
and every publication is recorded as a Release saying what, when, by whom and from where.
Trusted processes (the command line, the demo, a publisher source an admin has allowed to
auto-approve) may release without review; the log says so.

A scheduled release can be called off, with a reason, until its second comes: a dataset's first
release goes back to approved with no date, and a file version scheduled for later is simply
never released (its earlier version stays on show). Once the time has passed the release has
happened, so it can only be withdrawn or corrected.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog import activity
from catalog.clock import utcnow
from catalog.errors import Conflict, Invalid, NotAllowed
from catalog.models import Dataset, DatasetState, Release, ResourceVersion
from catalog.permissions import ADMIN, EDITOR, Actor, is_trusted, require
from catalog.publishing.changes import change_cancelled
from catalog.publishing.datasets import snapshot
from catalog.publishing.readiness import blocking_files
from catalog.reindex import mark_for_index

DRAFT, IN_REVIEW, APPROVED = DatasetState.DRAFT, DatasetState.IN_REVIEW, DatasetState.APPROVED
PUBLISHED, WITHDRAWN = DatasetState.PUBLISHED, DatasetState.WITHDRAWN


def dataset_submit(session: Session, *, actor: Actor, dataset: Dataset) -> Dataset:
    require(actor, dataset.organisation_id, EDITOR, "submit this dataset for review")
    _expect(dataset, DRAFT, "submitted for review")
    _expect_cleared_files(dataset)
    dataset.submitted_by_id, dataset.submitted_by = actor.account_id, actor.name
    dataset.review_comment = None
    return _move(session, actor, dataset, IN_REVIEW, "submit", "Submitted for review")


def dataset_approve(
    session: Session, *, actor: Actor, dataset: Dataset, comment: str = ""
) -> Dataset:
    require(actor, dataset.organisation_id, ADMIN, "approve this dataset")
    _expect(dataset, IN_REVIEW, "approved")
    if actor.account_id is not None and actor.account_id == dataset.submitted_by_id:
        raise NotAllowed("You submitted this dataset, so someone else must approve it.")
    if actor.account_id is not None and actor.account_id in issue_note_authors(dataset):
        raise NotAllowed(
            "You noted the known issues of a file in this dataset, so someone else must approve it."
        )
    dataset.approved_by, dataset.review_comment = actor.name, comment.strip() or None
    return _move(session, actor, dataset, APPROVED, "approve", "Approved", comment)


def dataset_reject(session: Session, *, actor: Actor, dataset: Dataset, comment: str) -> Dataset:
    require(actor, dataset.organisation_id, ADMIN, "review this dataset")
    _expect(dataset, IN_REVIEW, "sent back")
    if not comment.strip():
        raise Invalid("Say what needs to change before it can be approved.", field="comment")
    dataset.review_comment = comment.strip()
    return _move(session, actor, dataset, DRAFT, "reject", "Sent back for changes", comment)


def dataset_publish(
    session: Session,
    *,
    actor: Actor,
    dataset: Dataset,
    at: datetime | None = None,
    source: str = "web",
) -> Dataset:
    """Release an approved dataset now or at `at`; a scheduled release can be moved until
    it has happened."""
    require(actor, dataset.organisation_id, ADMIN, "publish this dataset")
    rescheduling = dataset.state == PUBLISHED and (dataset.published_at or utcnow()) > utcnow()
    if dataset.state != APPROVED and not rescheduling:
        _expect(dataset, APPROVED, "published")
    return _release(session, actor, dataset, at or utcnow(), source, dataset.approved_by)


def release_without_review(
    session: Session,
    *,
    actor: Actor,
    dataset: Dataset,
    at: datetime | None = None,
    source: str,
) -> Dataset:
    """Publish straight from draft: only for trusted processes, and the log says so."""
    if not is_trusted(actor):
        raise NotAllowed("Only a trusted process can publish without review.")
    if dataset.state not in (DRAFT, IN_REVIEW, APPROVED):
        _expect(dataset, DRAFT, "published")
    dataset.approved_by = f"{actor.name} (no review: trusted source)"
    return _release(session, actor, dataset, at or utcnow(), source, dataset.approved_by)


def dataset_withdraw(session: Session, *, actor: Actor, dataset: Dataset, reason: str) -> Dataset:
    """Take a published dataset down; its pages answer 410 with the reason, for FOI links."""
    require(actor, dataset.organisation_id, ADMIN, "withdraw this dataset")
    _expect(dataset, PUBLISHED, "withdrawn")
    if not reason.strip():
        raise Invalid(
            "Say why the dataset is being withdrawn: the public will see it.", field="reason"
        )
    dataset.withdrawn_at, dataset.withdrawn_reason = utcnow(), reason.strip()
    return _move(session, actor, dataset, WITHDRAWN, "withdraw", "Withdrawn", reason)


def release_cancel(session: Session, *, actor: Actor, dataset: Dataset, reason: str) -> Dataset:
    """Call off a dataset's scheduled first release: it goes back to approved, with no date.

    Its Release records stay, marked as cancelled with the reason, since none of them happened."""
    require(actor, dataset.organisation_id, ADMIN, "cancel this release")
    if dataset.state != PUBLISHED or dataset.published_at is None:
        raise Conflict(
            f"Only a scheduled release can be cancelled; {dataset.title} is "
            f"{dataset.state.replace('_', ' ')}.",
            field="state",
        )
    _expect_still_to_come(dataset.published_at, f"{dataset.title} was already published")
    reason = _cancel_reason(reason)
    before, due = snapshot(dataset), dataset.published_at
    dataset.state, dataset.published_at = APPROVED, None
    cancelled = f"Cancelled on {utcnow():%d %B %Y %H:%M} UTC by {actor.name}: {reason}"
    for release in session.scalars(select(Release).where(Release.dataset_id == dataset.id)):
        if not release.summary.startswith("Cancelled"):
            release.summary = f"{cancelled} ({release.summary})"
    activity.record(
        session,
        actor=actor,
        action="dataset.cancel_release",
        object_type="dataset",
        object_id=dataset.id,
        dataset_id=dataset.id,
        summary=f"Cancelled the release of {dataset.title} due {due:%d %B %Y %H:%M} UTC. {reason}",
        before=before,
        after=snapshot(dataset),
    )
    mark_for_index(session, dataset.id)
    session.flush()
    return dataset


def version_release_cancel(
    session: Session, *, actor: Actor, version: ResourceVersion, reason: str
) -> ResourceVersion:
    """Call off a file version scheduled for later: it is never released, and the version
    before it stays the one the public sees."""
    resource = version.resource
    require(actor, resource.dataset.organisation_id, ADMIN, "cancel this release")
    if version.published_at is None:
        raise Conflict(
            f"Version {version.number} of {resource.title} is not scheduled for release.",
            field="state",
        )
    _expect_still_to_come(
        version.published_at, f"Version {version.number} of {resource.title} was already published"
    )
    reason = _cancel_reason(reason)
    due, version.published_at = version.published_at, None
    change_cancelled(session, version=version, reason=reason)
    activity.record(
        session,
        actor=actor,
        action="resource.cancel_release",
        object_type="resource",
        object_id=resource.id,
        dataset_id=resource.dataset_id,
        summary=(
            f"Cancelled the release of version {version.number} of {resource.title} due "
            f"{due:%d %B %Y %H:%M} UTC. {reason}"
        ),
        before={"version": version.number, "published_at": due.isoformat()},
        after={"version": version.number, "published_at": None, "reason": reason},
    )
    mark_for_index(session, resource.dataset_id)
    session.flush()
    return version


def version_scheduled(version: ResourceVersion, now: datetime | None = None) -> bool:
    """Whether a file version has a release time still to come, so it can be cancelled."""
    return version.published_at is not None and version.published_at > (now or utcnow())


def issue_note_authors(dataset: Dataset) -> set[int]:
    """Who wrote a note releasing a file of the dataset with known issues: as good as making
    the change, so they may not approve it."""
    return {
        resource.latest.issues_noted_by_id
        for resource in dataset.resources
        if resource.latest is not None and resource.latest.issues_noted_by_id is not None
    }


def _expect_still_to_come(due: datetime, what: str) -> None:
    if due <= utcnow():
        raise Conflict(
            f"{what} on {due:%d %B %Y at %H:%M} UTC, so its release cannot be cancelled. "
            "Withdraw it, or publish a correction, instead.",
            field="state",
        )


def _cancel_reason(reason: str) -> str:
    if not reason.strip():
        raise Invalid(
            "Say why the release is being cancelled: it is kept in the activity log.",
            field="reason",
        )
    return reason.strip()


def _release(session, actor, dataset, at, source, approved_by) -> Dataset:
    before = snapshot(dataset)
    dataset.state, dataset.published_at = PUBLISHED, at
    session.add(
        Release(
            dataset_id=dataset.id,
            released_at=at,
            recorded_at=utcnow(),
            published_by=actor.name,
            approved_by=approved_by,
            source=source,
            summary=f"Published {dataset.title}",
            versions=[
                {"resource": r.id, "version": r.latest.number, "sha256": r.latest.sha256}
                for r in dataset.resources
                if r.latest is not None
            ],
        )
    )
    activity.record(
        session,
        actor=actor,
        action="dataset.publish",
        object_type="dataset",
        object_id=dataset.id,
        dataset_id=dataset.id,
        summary=f"Published {dataset.title} from {at:%d %B %Y %H:%M} UTC ({source})",
        before=before,
        after=snapshot(dataset),
    )
    mark_for_index(session, dataset.id)
    session.flush()
    return dataset


def _expect_cleared_files(dataset: Dataset) -> None:
    problems = blocking_files(dataset)
    if problems:
        raise Invalid(" ".join(problems), field="files")


def _expect(dataset: Dataset, state: str, doing: str) -> None:
    if dataset.state != state:
        raise Conflict(
            f"Only a dataset that is {state.replace('_', ' ')} can be {doing}; "
            f"this one is {dataset.state.replace('_', ' ')}.",
            field="state",
        )


def _move(session, actor, dataset, state, verb, summary, comment: str = "") -> Dataset:
    before = snapshot(dataset)
    dataset.state = state
    activity.record(
        session,
        actor=actor,
        action=f"dataset.{verb}",
        object_type="dataset",
        object_id=dataset.id,
        dataset_id=dataset.id,
        summary=f"{summary}: {dataset.title}" + (f". {comment.strip()}" if comment.strip() else ""),
        before=before,
        after=snapshot(dataset),
    )
    mark_for_index(session, dataset.id)
    session.flush()
    return dataset
