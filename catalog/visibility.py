"""The public read model: what the public may see, decided in one place.

The rule is written once, as data (`DATASET` and `VERSION`): a thing is public when each of its
state columns holds its public value and its release time has passed. A dataset is public when
it is published; a file version of a public dataset when it is cleared (a table passed its
check, or its known issues were released) and its own release time has passed, so a new
quarter can be scheduled while the earlier ones stay on show. The SQL clause, the Python test
and the release time a search index filters on are all built from that data, so they cannot
drift; nothing else is consulted, and an embargo lifts at its second with no worker running.

On top of the rule sit the public views every public surface reads: which files of a dataset
are released and which of their versions (`public_view`), and when the dataset last changed as
the public sees it (`PublicDataset.updated_at`, `public_updated_clause`), so an embargoed or
unreviewed upload changes nothing public, not even a date, before its release.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import InstrumentedAttribute, Session, lazyload, selectinload
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import ReturnTypeFromArgs

from catalog.clock import utcnow
from catalog.errors import Withdrawn
from catalog.models import Dataset, DatasetState, Resource, ResourceVersion


@dataclass(frozen=True)
class Rule:
    """Public = every `states` column equals its value, and `release` is a time not after now."""

    states: tuple[tuple[InstrumentedAttribute[Any], object], ...]
    release: InstrumentedAttribute[datetime | None]

    def clause(self, now: datetime | None = None) -> ColumnElement[bool]:
        """The rule in SQL, for queries."""
        return and_(
            *(column == value for column, value in self.states),
            self.release.is_not(None),
            self.release <= (now or utcnow()),
        )

    def released_at(self, thing: object) -> datetime | None:
        """When the thing becomes (or became) public; None while its state keeps it hidden."""
        if any(getattr(thing, column.key) != value for column, value in self.states):
            return None
        moment: datetime | None = getattr(thing, self.release.key)
        return moment

    def holds(self, thing: object, now: datetime | None = None) -> bool:
        """The rule in Python, for loaded rows."""
        released = self.released_at(thing)
        return released is not None and released <= (now or utcnow())


DATASET = Rule(states=((Dataset.state, DatasetState.PUBLISHED),), release=Dataset.published_at)
VERSION = Rule(states=((ResourceVersion.cleared, True),), release=ResourceVersion.published_at)


def public_dataset_clause(now: datetime | None = None) -> ColumnElement[bool]:
    return DATASET.clause(now)


def public_datasets(now: datetime | None = None) -> Select[Dataset]:
    return select(Dataset).where(public_dataset_clause(now))


def is_public(dataset: Dataset, now: datetime | None = None) -> bool:
    return DATASET.holds(dataset, now)


def version_is_public(version: ResourceVersion, now: datetime | None = None) -> bool:
    """Whether a version is cleared and released; its dataset must be public as well."""
    return VERSION.holds(version, now)


def public_version_clause(now: datetime | None = None) -> ColumnElement[bool]:
    return VERSION.clause(now)


def public_versions(resource: Resource, now: datetime | None = None) -> list[ResourceVersion]:
    """A file's released versions, oldest first (those scheduled for later do not exist yet)."""
    moment = now or utcnow()
    return [version for version in resource.versions if VERSION.holds(version, moment)]


def latest_public(resource: Resource, now: datetime | None = None) -> ResourceVersion | None:
    released = public_versions(resource, now)
    return released[-1] if released else None


def is_released(resource: Resource, now: datetime | None = None) -> bool:
    """Whether a resource of a public dataset is shown: a link at once, a file once one of
    its versions is released."""
    return resource.link_url is not None or latest_public(resource, now) is not None


@dataclass(frozen=True)
class PublicFile:
    """One released resource as the public sees it: a link, or a file's released versions."""

    resource: Resource
    versions: tuple[ResourceVersion, ...]

    @property
    def latest(self) -> ResourceVersion | None:
        return self.versions[-1] if self.versions else None

    @property
    def updated_at(self) -> datetime:
        """A link changes when its address does; a file when a new version is released."""
        latest = self.latest
        if latest is None or latest.published_at is None:
            return self.resource.modified_at
        return latest.published_at

    def version(self, number: int) -> ResourceVersion | None:
        return next((v for v in self.versions if v.number == number), None)


@dataclass(frozen=True)
class PublicDataset:
    """A dataset as the public sees it at one moment: its released files, and when it last
    changed in public (its description, its release, a released version or a link)."""

    dataset: Dataset
    files: tuple[PublicFile, ...]

    @property
    def updated_at(self) -> datetime:
        times = [self.dataset.modified_at, *(file.updated_at for file in self.files)]
        if self.dataset.published_at is not None:
            times.append(self.dataset.published_at)
        return max(times)

    @property
    def formats(self) -> list[str]:
        """The released files' formats, upper case, each once, in file order."""
        return list(dict.fromkeys(file.resource.format.upper() for file in self.files))

    def file(self, resource_id: str) -> PublicFile | None:
        return next((f for f in self.files if f.resource.id == resource_id), None)


def public_view(dataset: Dataset, now: datetime | None = None) -> PublicDataset:
    """The dataset's released files at `now`; the caller has found the dataset public (or, for
    a search document, builds what the public will see once it is)."""
    moment = now or utcnow()
    files = (public_file(resource, moment) for resource in dataset.resources)
    return PublicDataset(dataset, tuple(file for file in files if file is not None))


def public_file(resource: Resource, now: datetime | None = None) -> PublicFile | None:
    """A file of a public dataset as the public sees it at `now`: a link, or its released
    versions; None when it has neither."""
    versions = tuple(public_versions(resource, now or utcnow()))
    if resource.link_url is None and not versions:
        return None
    return PublicFile(resource, versions)


def preview_view(dataset: Dataset, waiting: Iterable[int | None] = ()) -> PublicDataset:
    """The dataset as the public will see it once it and the versions `waiting` for review are
    approved and released: each file's cleared versions that are released, scheduled or
    waiting, for staff to preview; never for a public page."""
    held = set(waiting)
    files = []
    for resource in dataset.resources:
        versions = tuple(
            version
            for version in resource.versions
            if version.cleared and (version.published_at is not None or version.id in held)
        )
        if resource.link_url is not None or versions:
            files.append(PublicFile(resource, versions))
    return PublicDataset(dataset, tuple(files))


def public_views(datasets: Iterable[Dataset], now: datetime | None = None) -> list[PublicDataset]:
    moment = now or utcnow()
    return [public_view(dataset, moment) for dataset in datasets]


def next_release(dataset: Dataset, after: datetime) -> datetime | None:
    """The first moment after `after` when one of the dataset's versions is due to become
    public (cleared and scheduled): what the public sees changes then."""
    due = [
        released
        for resource in dataset.resources
        for version in resource.versions
        if (released := VERSION.released_at(version)) is not None and released > after
    ]
    return min(due, default=None)


class _latest_of(ReturnTypeFromArgs[datetime]):
    """The latest of several times: `greatest` in PostgreSQL, `max` in SQLite."""

    name = "greatest"
    inherit_cache = True


@compiles(_latest_of, "sqlite")
def _latest_of_in_sqlite(element: _latest_of, compiler: SQLCompiler, **kw: Any) -> str:
    return f"max({compiler.process(element.clauses, **kw)})"


def public_updated_clause(now: datetime | None = None) -> ColumnElement[datetime]:
    """`PublicDataset.updated_at` in SQL, to sort public datasets by when they last changed."""
    moment = now or utcnow()
    versions = (
        select(func.max(ResourceVersion.published_at))
        .join(Resource, Resource.id == ResourceVersion.resource_id)
        .where(Resource.dataset_id == Dataset.id, VERSION.clause(moment))
        .scalar_subquery()
    )
    links = (
        select(func.max(Resource.modified_at))
        .where(Resource.dataset_id == Dataset.id, Resource.link_url.is_not(None))
        .scalar_subquery()
    )
    # SQLite's max() of a NULL is NULL: every term falls back to a time that is never NULL.
    times = (Dataset.published_at, versions, links)
    return _latest_of(Dataset.modified_at, *(func.coalesce(t, Dataset.modified_at) for t in times))


def released_clause(now: datetime | None = None) -> ColumnElement[bool]:
    """`is_released` in SQL: a resource that is a link or has a public version."""
    public = exists().where(ResourceVersion.resource_id == Resource.id, VERSION.clause(now))
    return or_(Resource.link_url.is_not(None), public)


@dataclass(frozen=True)
class PublicSummary:
    """A dataset as a list of results shows it: when it last changed in public and its
    released files' formats, read in two queries rather than loading every version."""

    dataset: Dataset
    updated_at: datetime
    formats: list[str]


def public_summaries(
    session: Session, datasets: list[Dataset], now: datetime | None = None
) -> list[PublicSummary]:
    moment = now or utcnow()
    ids = [dataset.id for dataset in datasets]
    updated = session.execute(
        select(Dataset.id, public_updated_clause(moment)).where(Dataset.id.in_(ids))
    )
    released = session.execute(
        select(Resource.dataset_id, Resource.format)
        .where(Resource.dataset_id.in_(ids), released_clause(moment))
        .order_by(Resource.position)
    )
    formats: dict[str, list[str]] = {dataset_id: [] for dataset_id in ids}
    for dataset_id, fmt in released:
        if fmt.upper() not in formats[dataset_id]:
            formats[dataset_id].append(fmt.upper())
    when: dict[str, datetime] = {dataset_id: moment for dataset_id, moment in updated}
    return [PublicSummary(d, when[d.id], formats[d.id]) for d in datasets]


def check_not_withdrawn(session: Session, name: str) -> None:
    """Raise Withdrawn for a dataset that was published and then taken down, so its URLs
    (and every file URL under it) answer with a tombstone instead of simply vanishing."""
    query = select(Dataset).where(
        Dataset.name == name,
        Dataset.state == DatasetState.WITHDRAWN,
        Dataset.published_at.is_not(None),
    )
    dataset = session.scalar(query)
    if dataset is not None:
        raise Withdrawn(
            f"'{dataset.title}' was withdrawn on {dataset.withdrawn_at:%d %B %Y}.",
            title=dataset.title,
            reason=dataset.withdrawn_reason or "",
            withdrawn_at=dataset.withdrawn_at,
        )


def public_datasets_by_id(
    session: Session, ids: list[str], now: datetime | None = None
) -> list[Dataset]:
    """Load search hits in the order given, re-checking visibility against the database.

    Rows are fetched by primary key and checked with `is_public` in Python: filtering on state
    in SQL made SQLite scan every published row for twenty ids. Only what a results list shows
    is loaded eagerly (its dates and formats come from `public_summaries`)."""
    if not ids:
        return []
    query = (
        select(Dataset)
        .where(Dataset.id.in_(ids))
        .options(
            lazyload(Dataset.topics),
            lazyload(Dataset.tags),
            selectinload(Dataset.resources).lazyload(Resource.versions),
        )
    )
    found = {d.id: d for d in session.scalars(query) if is_public(d, now)}
    return [found[i] for i in ids if i in found]


def released_at(item: Dataset | ResourceVersion) -> datetime:
    """When a dataset or file version is released (or is to be): whatever is public, or
    scheduled to be, has that time (its rule's release column)."""
    rule = DATASET if isinstance(item, Dataset) else VERSION
    moment: datetime | None = getattr(item, rule.release.key)
    if moment is None:
        raise ValueError(f"{item!r} has not been released.")
    return moment
