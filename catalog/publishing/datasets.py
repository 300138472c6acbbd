"""Datasets: the one write path for creating, changing and publishing them, and public reads."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from catalog import activity
from catalog.clock import utcnow
from catalog.errors import Conflict, Invalid, NotFound
from catalog.licences import OGL
from catalog.models import (
    Activity,
    Dataset,
    DatasetRedirect,
    DatasetState,
    Licence,
    Organisation,
    Release,
    Tag,
    Topic,
)
from catalog.names import check_name, check_uuid
from catalog.permissions import EDITOR, Actor, is_trusted, require
from catalog.reindex import mark_for_index
from catalog.uk_time import utc_to_uk
from catalog.visibility import (
    check_not_withdrawn,
    is_public,
    public_dataset_clause,
    public_datasets,
    public_view,
)

FREQUENCIES = ("daily", "weekly", "monthly", "quarterly", "annual", "one-off", "irregular")


@dataclass
class DatasetInput:
    """What a publisher says about a dataset; validated by the services, not by the caller."""

    name: str
    title: str
    organisation: str
    description: str = ""
    topics: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    licence: str = OGL
    frequency: str | None = None
    temporal_start: date | None = None
    temporal_end: date | None = None
    spatial: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None

    @classmethod
    def from_dataset(cls, dataset: Dataset, **changes: Any) -> DatasetInput:
        """The dataset as it stands, as input to edit: the start of every update."""
        current = cls(
            name=dataset.name,
            title=dataset.title,
            organisation=dataset.organisation.name,
            description=dataset.description,
            topics=[t.name for t in dataset.topics],
            tags=[t.name for t in dataset.tags],
            licence=dataset.licence_id,
            frequency=dataset.frequency,
            temporal_start=dataset.temporal_start,
            temporal_end=dataset.temporal_end,
            spatial=dataset.spatial,
            contact_name=dataset.contact_name,
            contact_email=dataset.contact_email,
        )
        return replace(current, **changes)


def dataset_create(
    session: Session,
    *,
    actor: Actor,
    data: DatasetInput,
    created_at: datetime | None = None,
    dataset_id: str | None = None,
) -> Dataset:
    """Create a draft dataset; nobody outside sees it until it is published.

    A site administrator copying another CKAN site may keep a dataset's id (`dataset_id`), as
    CKAN lets only its sysadmins choose one."""
    check_name(data.name)
    _check_name_free(session, data.name)
    moment = created_at or utcnow()
    dataset = Dataset(name=data.name, state=DatasetState.DRAFT, created_at=moment)
    if dataset_id is not None:
        dataset.id = _free_id(session, actor, dataset_id)
    _apply(session, dataset, data)
    require(actor, dataset.organisation.id, EDITOR, "create its datasets")
    dataset.modified_at = moment
    session.add(dataset)
    session.flush()
    activity.record(
        session,
        actor=actor,
        action="dataset.create",
        object_type="dataset",
        object_id=dataset.id,
        dataset_id=dataset.id,
        summary=f"Created dataset {dataset.title}",
        after=snapshot(dataset),
    )
    mark_for_index(session, dataset.id)
    session.flush()
    return dataset


def dataset_update(
    session: Session,
    *,
    actor: Actor,
    dataset: Dataset,
    data: DatasetInput,
    opened_at: datetime | None = None,
) -> Dataset:
    """Change a dataset's description; a new name keeps the old one as a redirect.

    `opened_at` is the modified time the editor started from (the edit form carries it, a
    CKAN client sends `metadata_modified`): if anyone has saved since, the change is refused
    rather than silently overwriting theirs. Saving the dataset exactly as it stands changes
    nothing, not even its modified time, so a script may send the same description again
    (as `ckanapi load` does on every run) without sending an approved dataset back to draft."""
    require(actor, dataset.organisation_id, EDITOR, "edit this dataset")
    if _comparable(DatasetInput.from_dataset(dataset)) == _comparable(data):
        return dataset
    claim_for_change(session, actor=actor, dataset=dataset)
    _claim_edit(session, dataset, opened_at)
    before = snapshot(dataset)
    check_name(data.name)
    if data.name != dataset.name:
        _check_name_free(session, data.name)
        session.add(DatasetRedirect(old_name=dataset.name, dataset_id=dataset.id))
        dataset.name = data.name
    _apply(session, dataset, data)
    require(actor, dataset.organisation.id, EDITOR, "move a dataset to it")
    activity.record(
        session,
        actor=actor,
        action="dataset.update",
        object_type="dataset",
        object_id=dataset.id,
        dataset_id=dataset.id,
        summary=f"Updated dataset {dataset.title}",
        before=before,
        after=snapshot(dataset),
    )
    mark_for_index(session, dataset.id)
    session.flush()
    return dataset


def _comparable(data: DatasetInput) -> DatasetInput:
    """The input as it would be saved: a trimmed title, topics and tags in any order."""
    return replace(
        data,
        title=(data.title or "").strip(),
        description=data.description or "",
        topics=sorted(set(data.topics)),
        tags=sorted({tag.strip().lower() for tag in data.tags} - {""}),
    )


def opened_stamp(raw: str | None) -> datetime | None:
    """Read the modified time an editor opened (ISO 8601, as forms and CKAN show it)."""
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError as error:
        raise Invalid(
            f"'{raw}' is not the time the dataset was last modified: open it again."
        ) from error
    return moment.replace(tzinfo=None) - (moment.utcoffset() or timedelta())


def _claim_edit(session: Session, dataset: Dataset, opened_at: datetime | None) -> None:
    """Move `modified_at` on, in one compare-and-set statement when the editor says what they
    opened, so of two people saving the same version at once only the first succeeds.

    The stamp opened is the edit form's `modified_at` or, from a CKAN client, the public
    `metadata_modified` (never earlier than `modified_at`); any stamp at or after `modified_at`
    is current. The new time is later than every stamp handed out so far, even within the
    same second (the clock has whole seconds), so every saved edit makes them all stale."""
    latest = public_view(dataset).updated_at if is_public(dataset) else dataset.modified_at
    moment = max(utcnow(), latest + timedelta(microseconds=1))
    if opened_at is not None:
        claim = (
            update(Dataset)
            .where(Dataset.id == dataset.id, Dataset.modified_at <= opened_at)
            .values(modified_at=moment)
            .execution_options(synchronize_session=False)
        )
        # An UPDATE gives a CursorResult, which the types of Session.execute cannot tell.
        claimed = cast(CursorResult[Any], session.execute(claim))
        if claimed.rowcount != 1:
            raise Conflict(_changed_since(session, dataset))
    dataset.modified_at = moment


def _changed_since(session: Session, dataset: Dataset) -> str:
    """Who saved the dataset last, and when, for the person whose edit was refused."""
    latest = session.scalar(
        select(Activity)
        .where(Activity.dataset_id == dataset.id)
        .order_by(Activity.occurred_at.desc(), Activity.id.desc())
        .limit(1)
    )
    who = "someone else changed it"
    if latest is not None:
        who = f"{latest.actor} changed it at {utc_to_uk(latest.occurred_at):%H:%M on %-d %B %Y}"
    return (
        f"This dataset was changed since you opened it: {who}. "
        "Open it again to see their changes, then make yours."
    )


LOCKED: dict[str, str] = {
    DatasetState.IN_REVIEW: "it is waiting for review: ask the reviewer to send it back first",
    DatasetState.WITHDRAWN: "it has been withdrawn",
}


def claim_for_change(session: Session, *, actor: Actor, dataset: Dataset) -> None:
    """Let a change be made, or say why not. What a reviewer approved is what gets released:
    nothing changes while in review, and a change to an approved or scheduled dataset sends it
    back to draft, its release called off, to be submitted for review again. A trusted process
    releases without review, so it never needs to."""
    if dataset.state in LOCKED:
        raise Conflict(
            f"This dataset cannot be changed now: {LOCKED[dataset.state]}.", field="state"
        )
    scheduled = dataset.state == DatasetState.PUBLISHED and not is_public(dataset)
    if (dataset.state == DatasetState.APPROVED or scheduled) and not is_trusted(actor):
        _back_to_draft(session, actor, dataset)


def _back_to_draft(session: Session, actor: Actor, dataset: Dataset) -> None:
    before, due = snapshot(dataset), dataset.published_at
    dataset.state, dataset.published_at = DatasetState.DRAFT, None
    dataset.approved_by = None
    dataset.review_comment = f"Changed by {actor.name} after approval: submit it for review again."
    if due is not None:
        for release in session.scalars(select(Release).where(Release.dataset_id == dataset.id)):
            if release.released_at == due and not release.summary.startswith("Cancelled"):
                release.summary = f"Cancelled: changed after approval ({release.summary})"
    activity.record(
        session,
        actor=actor,
        action="dataset.reopen",
        object_type="dataset",
        object_id=dataset.id,
        dataset_id=dataset.id,
        summary=f"Back to draft: {dataset.title} was changed after approval, so it must be "
        "reviewed again",
        before=before,
        after=snapshot(dataset),
    )


def get_public_dataset(session: Session, name: str, now: datetime | None = None) -> Dataset:
    """The published dataset by URL name; drafts and embargoed ones are simply not found."""
    dataset = session.scalar(public_datasets(now).where(Dataset.name == name))
    if dataset is None:
        check_not_withdrawn(session, name)
        raise NotFound(f"There is no published dataset called '{name}'.")
    return dataset


def find_redirect(session: Session, old_name: str, now: datetime | None = None) -> str | None:
    """The current name of a public dataset that used to be called `old_name`."""
    query = (
        select(Dataset.name)
        .join(DatasetRedirect, DatasetRedirect.dataset_id == Dataset.id)
        .where(DatasetRedirect.old_name == old_name, public_dataset_clause(now))
    )
    return session.scalar(query)


def get_dataset(session: Session, name: str) -> Dataset:
    """Any dataset by name, whatever its state: for the CLI and staff, never for public pages."""
    dataset = session.scalar(select(Dataset).where(Dataset.name == name))
    if dataset is None:
        raise NotFound(f"There is no dataset called '{name}'.")
    return dataset


def snapshot(dataset: Dataset) -> dict[str, Any]:
    """The fields the activity log keeps before and after a change."""
    return {
        "name": dataset.name,
        "title": dataset.title,
        "description": dataset.description,
        "organisation": dataset.organisation.name if dataset.organisation else None,
        "topics": [t.name for t in dataset.topics],
        "tags": [t.name for t in dataset.tags],
        "licence": dataset.licence_id,
        "frequency": dataset.frequency,
        "temporal_start": dataset.temporal_start.isoformat() if dataset.temporal_start else None,
        "temporal_end": dataset.temporal_end.isoformat() if dataset.temporal_end else None,
        "spatial": dataset.spatial,
        "contact_name": dataset.contact_name,
        "contact_email": dataset.contact_email,
        "state": str(dataset.state),
        "published_at": dataset.published_at.isoformat() if dataset.published_at else None,
    }


def _free_id(session: Session, actor: Actor, dataset_id: str) -> str:
    if not actor.sysadmin:
        raise Invalid("Only a site administrator can choose a dataset's id.", field="id")
    check_uuid(dataset_id)
    if session.get(Dataset, dataset_id) is not None:
        raise Conflict(f"The id '{dataset_id}' is already used by another dataset.", field="id")
    return dataset_id


def _check_name_free(session: Session, name: str) -> None:
    taken = session.scalar(select(Dataset.id).where(Dataset.name == name))
    redirected = session.get(DatasetRedirect, name)
    if taken or redirected:
        raise Conflict(f"The name '{name}' is already used by another dataset.", field="name")


def _apply(session: Session, dataset: Dataset, data: DatasetInput) -> None:
    title = (data.title or "").strip()
    if not title:
        raise Invalid("Enter a title.", field="title")
    if len(title) > 300:
        raise Invalid("The title must be 300 characters or fewer.", field="title")
    organisation = session.scalar(
        select(Organisation).where(Organisation.name == data.organisation)
    )
    if organisation is None:
        raise Invalid(
            f"There is no organisation called '{data.organisation}'.", field="organisation"
        )
    licence = session.get(Licence, data.licence)
    if licence is None:
        raise Invalid(f"There is no licence with the id '{data.licence}'.", field="licence")
    if data.frequency is not None and data.frequency not in FREQUENCIES:
        raise Invalid(
            f"Update frequency must be one of: {', '.join(FREQUENCIES)}.", field="frequency"
        )
    if data.temporal_start and data.temporal_end and data.temporal_start > data.temporal_end:
        raise Invalid("The coverage must start before it ends.", field="temporal_end")
    dataset.title = title
    dataset.description = data.description or ""
    dataset.organisation = organisation
    dataset.licence = licence
    dataset.topics = _topics(session, data.topics)
    dataset.tags = _tags(session, data.tags)
    dataset.frequency = data.frequency
    dataset.temporal_start = data.temporal_start
    dataset.temporal_end = data.temporal_end
    dataset.spatial = data.spatial
    dataset.contact_name = data.contact_name
    dataset.contact_email = data.contact_email


def _topics(session: Session, names: list[str]) -> list[Topic]:
    topics = []
    for name in dict.fromkeys(names):
        topic = session.scalar(select(Topic).where(Topic.name == name))
        if topic is None:
            raise Invalid(f"There is no topic called '{name}'.", field="topics")
        topics.append(topic)
    return topics


def _tags(session: Session, names: list[str]) -> list[Tag]:
    tags = []
    for raw in dict.fromkeys(n.strip().lower() for n in names):
        if not raw:
            continue
        if len(raw) > 100:
            raise Invalid("A tag must be 100 characters or fewer.", field="tags")
        tag = session.scalar(select(Tag).where(Tag.name == raw))
        if tag is None:
            tag = Tag(name=raw)
            session.add(tag)
        tags.append(tag)
    return tags
