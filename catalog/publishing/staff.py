"""What signed-in council staff see: their own work in every state, the review queue, and
the full audit trail of a dataset.

Public pages read only through `catalog.visibility`; these reads are the other side of that
rule, so each checks the actor's role here, once, and every caller (web pages, API, command
line) gets the same answer. A member of an organisation may read its drafts; nobody else may.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from catalog.activity import dataset_activity
from catalog.clock import utcnow
from catalog.errors import NotAllowed, NotFound
from catalog.models import (
    Activity,
    ChangeState,
    Dataset,
    DatasetState,
    Licence,
    Organisation,
    Resource,
    ResourceChange,
    ResourceVersion,
    Topic,
)
from catalog.permissions import ADMIN, EDITOR, MEMBER, RANK, Actor, require
from catalog.publishing.changes import change_authors
from catalog.publishing.datasets import FREQUENCIES
from catalog.publishing.workflow import issue_note_authors
from catalog.visibility import is_public

DRAFT, IN_REVIEW, APPROVED = DatasetState.DRAFT, DatasetState.IN_REVIEW, DatasetState.APPROVED
PUBLISHED, WITHDRAWN = DatasetState.PUBLISHED, DatasetState.WITHDRAWN
SCHEDULED = "scheduled"
STAGES = (DRAFT, IN_REVIEW, APPROVED, SCHEDULED, PUBLISHED, WITHDRAWN)


@dataclass(frozen=True)
class Actions:
    """What this actor may do to this dataset now: the staff page offers exactly these.

    `own_submission` is set when an admin looks at a dataset they submitted themselves: four
    eyes means someone else must review it, and the page says so instead of offering it.
    """

    edit: bool
    upload: bool
    submit: bool
    review: bool
    publish: bool
    withdraw: bool
    own_submission: bool


@dataclass(frozen=True)
class DatasetChoices:
    """The options a dataset form offers this actor."""

    organisations: list[Organisation]
    topics: list[Topic]
    licences: list[Licence]
    frequencies: tuple[str, ...]


def stage_of(dataset: Dataset, now: datetime | None = None) -> str:
    """The dataset's state, telling a release still to come ('scheduled') from a live one."""
    if dataset.state == PUBLISHED and not is_public(dataset, now):
        return SCHEDULED
    return str(dataset.state)


def work_by_stage(session: Session, *, actor: Actor) -> list[tuple[str, list[Dataset]]]:
    """Every dataset of the actor's organisations, drafts included, grouped by stage."""
    query = select(Dataset).order_by(Dataset.modified_at.desc(), Dataset.name)
    if not actor.sysadmin:
        query = query.where(Dataset.organisation_id.in_(list(actor.roles)))
    now = utcnow()
    grouped: dict[str, list[Dataset]] = {stage: [] for stage in STAGES}
    for dataset in session.scalars(query):
        grouped[stage_of(dataset, now)].append(dataset)
    return [(stage, found) for stage, found in grouped.items() if found]


def review_queue(session: Session, *, actor: Actor) -> list[Dataset]:
    """Datasets waiting for review in the organisations where the actor is an admin, oldest
    first so nothing waits forever."""
    query = select(Dataset).where(Dataset.state == IN_REVIEW)
    if not actor.sysadmin:
        admin_of = [org for org, role in actor.roles.items() if role == ADMIN]
        query = query.where(Dataset.organisation_id.in_(admin_of))
    return list(session.scalars(query.order_by(Dataset.modified_at, Dataset.name)))


def get_staff_dataset(session: Session, *, actor: Actor, name: str) -> Dataset:
    """Any dataset by name, whatever its state, for someone with a role in its organisation.
    To anyone else it does not exist (404, not 403): a refusal would confirm that an
    unpublished dataset of that name is being prepared, and so would a slower answer, so the
    role is part of the query."""
    query = select(Dataset).where(Dataset.name == name)
    if not actor.sysadmin:
        query = query.where(Dataset.organisation_id.in_(list(actor.roles)))
    dataset = session.scalar(query)
    if dataset is None:
        raise NotFound(f"There is no dataset called '{name}'.")
    return dataset


def get_dataset_to_edit(session: Session, *, actor: Actor, name: str) -> Dataset:
    """A dataset for its edit form: only an editor of its organisation gets that far."""
    dataset = get_staff_dataset(session, actor=actor, name=name)
    require(actor, dataset.organisation_id, EDITOR, "edit this dataset")
    return dataset


def get_staff_resource(dataset: Dataset, resource_id: str) -> Resource:
    for resource in dataset.resources:
        if resource.id == resource_id:
            return resource
    raise NotFound("This dataset has no such file.")


def get_staff_change(session: Session, *, dataset: Dataset, change_id: int) -> ResourceChange:
    """A change to one of the dataset's files, by its number."""
    change = session.get(ResourceChange, change_id)
    if change is None or change.dataset_id != dataset.id:
        raise NotFound("This dataset has no such change.")
    return change


def can_create(actor: Actor) -> bool:
    """Whether the actor is an editor somewhere, so has an organisation to create datasets in."""
    return actor.sysadmin or any(RANK[role] >= RANK[EDITOR] for role in actor.roles.values())


def require_can_create(actor: Actor) -> None:
    if not can_create(actor):
        raise NotAllowed(
            "Only an editor of an organisation can create datasets. Ask an admin of your "
            "organisation to make you an editor."
        )


def staff_activity(session: Session, *, actor: Actor, dataset: Dataset) -> list[Activity]:
    """The whole audit trail of a dataset, newest first, drafts and reviews included."""
    _require_member(actor, dataset)
    return dataset_activity(session, dataset.id)


def actions_for(actor: Actor, dataset: Dataset, now: datetime | None = None) -> Actions:
    """Mirror of the workflow's rules, so the page never offers a step the service refuses."""
    editor = actor.has_role(dataset.organisation_id, EDITOR)
    admin = actor.has_role(dataset.organisation_id, ADMIN)
    stage = stage_of(dataset, now)
    own = (
        dataset.state == IN_REVIEW
        and actor.account_id is not None
        and actor.account_id in {dataset.submitted_by_id, *issue_note_authors(dataset)}
    )
    changeable = editor and dataset.state in (DRAFT, APPROVED, PUBLISHED)
    return Actions(
        edit=changeable,
        upload=changeable,
        submit=editor and dataset.state == DRAFT,
        review=admin and dataset.state == IN_REVIEW and not own,
        publish=admin and stage in (APPROVED, SCHEDULED),
        withdraw=admin and stage == PUBLISHED,
        own_submission=admin and own,
    )


@dataclass(frozen=True)
class ChangeActions:
    """What this actor may do with a change waiting for review: `own` when they made it (or
    uploaded its file, or noted its known issues), so someone else must review it."""

    review: bool
    own: bool


def change_actions(actor: Actor, change: ResourceChange) -> ChangeActions:
    """Mirror of `catalog.publishing.changes`, so the page never offers what it refuses."""
    own = actor.account_id is not None and actor.account_id in change_authors(change)
    admin = actor.has_role(change.dataset.organisation_id, ADMIN)
    pending = change.state == ChangeState.PENDING
    return ChangeActions(review=admin and pending and not own, own=admin and pending and own)


def can_confirm_redaction(actor: Actor, version: ResourceVersion) -> bool:
    """Whether the actor may confirm this file's flagged names: an admin who did not upload it."""
    admin = actor.has_role(version.resource.dataset.organisation_id, ADMIN)
    return admin and actor.account_id is not None and actor.account_id != version.created_by_id


def dataset_choices(session: Session, *, actor: Actor) -> DatasetChoices:
    """Organisations the actor may publish for, and every topic and licence."""
    organisations = [
        org
        for org in session.scalars(select(Organisation).order_by(Organisation.title))
        if actor.has_role(org.id, EDITOR)
    ]
    return DatasetChoices(
        organisations=organisations,
        topics=list(session.scalars(select(Topic).order_by(Topic.title))),
        licences=list(session.scalars(select(Licence).order_by(Licence.title))),
        frequencies=FREQUENCIES,
    )


def _require_member(actor: Actor, dataset: Dataset) -> None:
    if not actor.has_role(dataset.organisation_id, MEMBER):
        raise NotAllowed(
            "Only people in the publishing organisation can see this dataset before it is "
            "published."
        )


def submitted_counts(session: Session) -> dict[int, int]:
    """How many datasets each account has sent for review, in any state: for the account's
    own eyes and a site administrator's, never the public's."""
    query = (
        select(Dataset.submitted_by_id, func.count())
        .where(Dataset.submitted_by_id.is_not(None))
        .group_by(Dataset.submitted_by_id)
    )
    return {account_id: count for account_id, count in session.execute(query) if account_id}
