"""Resources and their versions: every upload becomes a new immutable version.

A resource may instead be a link to a file hosted elsewhere (`link_url`): it has a title,
description and format but no versions, and is public whenever its dataset is. A file may
also be awaited: listed with no version yet, never public until its first upload.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager, selectinload

from catalog import activity
from catalog.clock import utcnow
from catalog.errors import Conflict, Invalid, NotFound
from catalog.models import Dataset, Resource, ResourceVersion
from catalog.names import check_uuid
from catalog.permissions import EDITOR, Actor, is_trusted, require
from catalog.publishing.changes import (
    link_propose,
    needs_review,
    release_trusted,
    reopen_changes,
    version_propose,
)
from catalog.publishing.datasets import claim_for_change
from catalog.publishing.links import PUBLIC_ONLY, LinkRules, vet_link_url
from catalog.publishing.redactions import confirmations_clear
from catalog.publishing.requirements import required_schema
from catalog.reindex import mark_for_index
from catalog.storage import FileStore
from catalog.tables.checks import check_version, needs_check, queue_check
from catalog.tables.dialects import Dialect
from catalog.tables.reading import TABULAR_FORMATS, detect_dialect, infer_schema
from catalog.tables.validation import TableRules
from catalog.visibility import (
    PublicFile,
    check_not_withdrawn,
    is_public,
    public_dataset_clause,
    public_file,
    version_is_public,
)

MEDIA_TYPES = {
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "json": "application/json",
    "geojson": "application/geo+json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "txt": "text/plain",
    "zip": "application/zip",
}


INFER = "infer"
LINK_FORMAT = re.compile(r"^[a-z0-9]{1,20}$")


@dataclass
class Upload:
    """A file as it arrives: a readable binary stream and the name the user gave it."""

    stream: IO[bytes]
    filename: str


def resource_create(
    session: Session,
    *,
    store: FileStore,
    actor: Actor,
    dataset: Dataset,
    title: str,
    upload: Upload,
    description: str = "",
    format: str | None = None,
    table_schema: dict[str, Any] | str | None = None,
    dialect: dict[str, Any] | None = None,
    created_at: datetime | None = None,
    check_now: bool = True,
) -> Resource:
    """Add a file to a dataset as a new resource with its first version."""
    require(actor, dataset.organisation_id, EDITOR, "add files to this dataset")
    claim_for_change(session, actor=actor, dataset=dataset)
    title = _title(title)
    filename = safe_filename(upload.filename)
    fmt = check_format(format or PurePosixPath(filename).suffix.lstrip("."))
    moment = created_at or utcnow()
    resource = _add_resource(
        session,
        actor=actor,
        dataset=dataset,
        moment=moment,
        fields={"title": title, "description": description, "format": fmt},
        summary=f"Added file {title}",
        after={"title": title, "format": fmt},
    )
    return version_add(
        session,
        store=store,
        actor=actor,
        resource=resource,
        upload=upload,
        table_schema=table_schema,
        dialect=dialect,
        created_at=moment,
        check_now=check_now,
    ).resource


def version_add(
    session: Session,
    *,
    store: FileStore,
    actor: Actor,
    resource: Resource,
    upload: Upload,
    note: str = "",
    table_schema: dict[str, Any] | str | None = None,
    dialect: dict[str, Any] | None = None,
    created_at: datetime | None = None,
    release_at: datetime | None = None,
    check_now: bool = True,
    keep_same: bool = False,
) -> ResourceVersion:
    """Store a new file for a resource; earlier versions stay exactly as they were.

    In a dataset not yet public, the version is released with the dataset. In a public one it
    waits for review (`catalog.publishing.changes`), unless a trusted process adds it: then it
    is public from `release_at` (default: at once). A table is public only once it has passed
    its check (`catalog.tables.checks`). The check runs here unless
    `check_now` is False, when the caller queues `check_version` as a background job.
    `table_schema` is a Table Schema, INFER, or None for the previous version's. `dialect`
    is a Frictionless dialect saying how to read the file; without one, title rows above
    its header are looked for, and the dialect that skips them is kept with the version.
    With `keep_same`, a file with the same bytes as the newest version adds nothing and changes
    nothing, and that version is returned: a CKAN client sends every file again each time it
    copies a site (`ckanapi load`).
    """
    require(actor, resource.dataset.organisation_id, EDITOR, "add files to this dataset")
    if resource.link_url is not None:
        raise Invalid(
            "This resource is a link to a file elsewhere: change its web address instead.",
            field="file",
        )
    filename = safe_filename(upload.filename)
    stored = store.put(upload.stream)
    latest = resource.latest
    if keep_same and latest is not None and latest.sha256 == stored.sha256:
        return latest
    try:
        claim_for_change(session, actor=actor, dataset=resource.dataset)
        layout = None
        if resource.format in TABULAR_FORMATS:  # only a table is read (fetched) again here
            with store.local_copy(stored.sha256) as path:
                layout = _dialect_for(resource, path, dialect)
                table_schema = _schema_for(resource, path, table_schema, layout)
        else:
            table_schema = None  # a file that is not a table has no columns to describe
    except Exception:
        _remove_if_unused(session, store, stored.sha256)
        raise
    moment = created_at or utcnow()
    version = ResourceVersion(
        resource=resource,
        number=len(resource.versions) + 1,
        sha256=stored.sha256,
        size=stored.size,
        media_type=MEDIA_TYPES[resource.format],
        filename=filename,
        table_schema=table_schema,
        dialect=(layout.to_descriptor() or None) if layout else None,
        note=note,
        created_at=moment,
        created_by=actor.name,
        created_by_id=actor.account_id,
        published_at=release_at or moment,
    )
    session.add(version)
    if needs_check(version):
        queue_check(session, version)
    # The dataset's own `modified_at` stays: it dates its description, and the public sees a
    # new version only from its release (`catalog.visibility.PublicDataset.updated_at`).
    resource.modified_at = moment
    session.flush()
    if needs_review(resource.dataset) and is_trusted(actor):
        release_trusted(session, actor=actor, version=version, at=release_at or moment)
    elif needs_review(resource.dataset):
        version_propose(session, actor=actor, version=version)
    activity.record(
        session,
        actor=actor,
        action="resource.version",
        object_type="resource",
        object_id=resource.id,
        dataset_id=resource.dataset_id,
        summary=f"Uploaded version {version.number} of {resource.title}",
        after={"version": version.number, "sha256": stored.sha256, "size": stored.size},
    )
    mark_for_index(session, resource.dataset_id)
    session.flush()
    if check_now and version.data_table is not None:
        check_version(session, store, version)
    return version


def _remove_if_unused(session: Session, store: FileStore, sha256: str) -> None:
    """A file refused after it was stored (unreadable, too wide, against its schema) is not
    kept, unless an earlier version holds the same bytes."""
    if session.scalar(select(ResourceVersion.id).where(ResourceVersion.sha256 == sha256)) is None:
        store.remove(sha256)


def resource_link_create(
    session: Session,
    *,
    actor: Actor,
    dataset: Dataset,
    title: str,
    url: str,
    description: str = "",
    format: str | None = None,
    rules: LinkRules = PUBLIC_ONLY,
    resource_id: str | None = None,
) -> Resource:
    """Add a link to a file hosted elsewhere; the address must pass `catalog.publishing.links`.
    `resource_id` keeps the id the link has on another CKAN site being copied."""
    require(actor, dataset.organisation_id, EDITOR, "add files to this dataset")
    claim_for_change(session, actor=actor, dataset=dataset)
    title = _title(title)
    link = vet_link_url(url, rules)
    fmt = link_format(format, link.url)
    moment = utcnow()
    dataset.modified_at = max(dataset.modified_at, moment)
    resource = _add_resource(
        session,
        actor=actor,
        dataset=dataset,
        moment=moment,
        fields={
            "title": title,
            "description": description.strip(),
            "format": fmt,
            "link_url": link.url,
        },
        summary=f"Added a link to {title} on {link.host}",
        after={"title": title, "format": fmt, "url": link.url},
        resource_id=resource_id,
    )
    mark_for_index(session, dataset.id)
    session.flush()
    return resource


def resource_awaiting_create(
    session: Session,
    *,
    actor: Actor,
    dataset: Dataset,
    title: str,
    format: str,
    description: str = "",
    resource_id: str | None = None,
) -> Resource:
    """Add a file whose content is still to come, keeping its place among the dataset's
    files: a CKAN client copying another site creates a package with its list of files and
    then uploads each one (`version_add` gives it its first version). Without a version
    nothing of it is public, and the dataset cannot be submitted for review until it has one."""
    require(actor, dataset.organisation_id, EDITOR, "add files to this dataset")
    claim_for_change(session, actor=actor, dataset=dataset)
    title = _title(title)
    fmt = check_format(format)
    return _add_resource(
        session,
        actor=actor,
        dataset=dataset,
        moment=utcnow(),
        fields={"title": title, "description": description.strip(), "format": fmt},
        summary=f"Added file {title}, to be uploaded",
        after={"title": title, "format": fmt},
        resource_id=resource_id,
    )


def _add_resource(
    session: Session,
    *,
    actor: Actor,
    dataset: Dataset,
    moment: datetime,
    fields: dict[str, Any],
    summary: str,
    after: dict[str, Any],
    resource_id: str | None = None,
) -> Resource:
    """Put a new resource last in its dataset and log its creation, so uploads and links
    are placed and recorded alike. A chosen id must be a UUID no other resource has (any
    caller may choose one, as in CKAN)."""
    if resource_id is not None:
        check_uuid(resource_id)
        if session.get(Resource, resource_id) is not None:
            raise Conflict(
                f"The id '{resource_id}' is already used by another resource.", field="id"
            )
    resource = Resource(
        dataset=dataset,
        position=len(dataset.resources),
        created_at=moment,
        modified_at=moment,
        **fields,
    )
    if resource_id is not None:
        resource.id = resource_id
    session.add(resource)
    session.flush()
    activity.record(
        session,
        actor=actor,
        action="resource.create",
        object_type="resource",
        object_id=resource.id,
        dataset_id=dataset.id,
        summary=summary,
        after=after,
    )
    return resource


def resource_link_update(
    session: Session,
    *,
    actor: Actor,
    resource: Resource,
    url: str | None = None,
    title: str | None = None,
    description: str | None = None,
    format: str | None = None,
    rules: LinkRules = PUBLIC_ONLY,
) -> Resource:
    """Change a linked resource; what is None stays as it is. There are no versions to keep:
    the activity log records the old address. In a public dataset a new address or format waits
    for review (`catalog.publishing.changes`); the title and description change at once."""
    dataset = resource.dataset
    require(actor, dataset.organisation_id, EDITOR, "change this dataset's files")
    claim_for_change(session, actor=actor, dataset=dataset)
    if resource.link_url is None:
        raise Invalid(
            "This resource is an uploaded file: upload a new version to change it.", field="url"
        )
    before = _link_fields(resource)
    link_url = vet_link_url(url, rules).url if url is not None else resource.link_url
    fmt = resource.format
    if format is not None or url is not None:
        fmt = link_format(format or None, link_url)
    resource.title = _title(title) if title is not None else resource.title
    if description is not None:
        resource.description = description.strip()
    moment = utcnow()
    if (link_url, fmt) != (resource.link_url, resource.format):
        if needs_review(dataset) and not is_trusted(actor):
            link_propose(session, actor=actor, resource=resource, url=link_url, format=fmt)
        else:
            resource.link_url, resource.format = link_url, fmt
            resource.modified_at = moment
    if (resource.title, resource.description) != (before["title"], before["description"]):
        resource.modified_at = moment
    dataset.modified_at = max(dataset.modified_at, resource.modified_at)
    activity.record(
        session,
        actor=actor,
        action="resource.update",
        object_type="resource",
        object_id=resource.id,
        dataset_id=dataset.id,
        summary=f"Changed the link {resource.title}",
        before=before,
        after=_link_fields(resource),
    )
    mark_for_index(session, dataset.id)
    session.flush()
    return resource


def _link_fields(resource: Resource) -> dict[str, str | None]:
    return {
        "title": resource.title,
        "description": resource.description,
        "format": resource.format,
        "url": resource.link_url,
    }


def link_format(chosen: str | None, url: str) -> str:
    """The format a publisher gave, else the address's file extension (`.csv`)."""
    fmt = (chosen or PurePosixPath(urlsplit(url).path).suffix).strip().lstrip(".").lower()
    if not LINK_FORMAT.match(fmt):
        raise Invalid(
            "Enter the format of the linked file in letters and numbers, like CSV, XLSX or PDF.",
            field="format",
        )
    return fmt


def _dialect_for(resource: Resource, path: Path, given: dict[str, Any] | None) -> Dialect:
    """How to read a new table: the dialect given, else one that skips any title rows found
    above its header."""
    if given is not None:
        return Dialect.from_descriptor(given)
    return detect_dialect(path, resource.format)


def _schema_for(
    resource: Resource,
    path: Path,
    chosen: dict[str, Any] | str | None,
    dialect: Dialect,
) -> dict[str, Any] | None:
    """The description a new table is checked against: the one chosen, else the previous
    version's (a correction keeps its columns), else worked out from the file itself. A
    dataset meeting a Transparency Code requirement is always checked against its schema."""
    required = required_schema(resource.dataset, chosen)
    if required is not None:
        return required
    if isinstance(chosen, dict):
        return chosen
    previous = resource.latest.table_schema if resource.latest else None
    if chosen != INFER and previous:
        return previous
    return infer_schema(path, resource.format, dialect)


def version_schema_set(
    session: Session,
    *,
    store: FileStore,
    actor: Actor,
    version: ResourceVersion,
    table_schema: dict[str, Any],
    dialect: Dialect | None = None,
) -> ResourceVersion:
    """Describe an unreleased table's columns again (types, titles, or a standard schema), and
    with `dialect` how to read it, and check it afresh against the new description."""
    resource = version.resource
    require(actor, resource.dataset.organisation_id, EDITOR, "describe this file's columns")
    claim_for_change(session, actor=actor, dataset=resource.dataset)
    if resource.format not in TABULAR_FORMATS:
        raise Invalid("Only a table has columns to describe.", field="schema")
    if is_public(resource.dataset) and version_is_public(version):
        raise Invalid(
            "This version is already published, so its description cannot change. "
            "Upload a new version instead.",
            field="schema",
        )
    TableRules.from_schema(table_schema)
    required_schema(resource.dataset, table_schema)
    before = {"schema": version.table_schema, "dialect": version.dialect}
    version.table_schema = table_schema
    if dialect is not None:
        version.dialect = dialect.to_descriptor() or None
    if version.data_table is None:
        queue_check(session, version)
    version.cleared = False
    version.issues_note = ""
    version.issues_noted_by_id = None
    confirmations_clear(session, version)
    reopen_changes(session, actor=actor, resource=resource, why="its columns were described again")
    activity.record(
        session,
        actor=actor,
        action="resource.schema",
        object_type="resource",
        object_id=resource.id,
        dataset_id=resource.dataset_id,
        summary=f"Described the columns of version {version.number} of {resource.title}",
        before=before,
        after={"schema": table_schema, "dialect": version.dialect},
    )
    session.flush()
    check_version(session, store, version)
    return version


def version_header_set(
    session: Session,
    *,
    store: FileStore,
    actor: Actor,
    version: ResourceVersion,
    header_row: int,
) -> ResourceVersion:
    """Read an unreleased table's header from another row, as its publisher corrects the row
    found on upload: the rows above it are skipped, its columns are worked out afresh from the
    labels there (or kept to the dataset's required schema), and it is checked again."""
    resource = version.resource
    require(actor, resource.dataset.organisation_id, EDITOR, "describe this file's columns")
    if resource.format not in TABULAR_FORMATS:
        raise Invalid("Only a table has a header row.", field="header_row")
    dialect = Dialect.from_descriptor(version.dialect).with_header_row(header_row)
    schema = required_schema(resource.dataset, None)
    if schema is None:
        with store.local_copy(version.sha256) as path:
            schema = infer_schema(path, resource.format, dialect)
    return version_schema_set(
        session, store=store, actor=actor, version=version, table_schema=schema, dialect=dialect
    )


def get_public_file(
    session: Session, dataset_name: str, resource_id: str, now: datetime | None = None
) -> PublicFile:
    """A released file or link of a public dataset, with its released versions."""
    moment = now or utcnow()
    query = (
        select(Resource)
        .join(Dataset)
        .where(
            Resource.id == resource_id,
            Dataset.name == dataset_name,
            public_dataset_clause(moment),
        )
        .options(contains_eager(Resource.dataset), selectinload(Resource.versions))
    )
    resource = session.scalar(query)
    if resource is None:
        check_not_withdrawn(session, dataset_name)
    file = None if resource is None else public_file(resource, moment)
    if file is None:
        raise NotFound(f"There is no published file with the id '{resource_id}' in this dataset.")
    return file


def get_public_version(file: PublicFile, number: int) -> ResourceVersion:
    """A released version by number; one scheduled for later does not exist yet."""
    version = file.version(number)
    if version is None:
        raise NotFound(f"This file has no published version {number}.")
    return version


def check_format(fmt: str) -> str:
    fmt = fmt.lower()
    if fmt not in MEDIA_TYPES:
        raise Invalid(
            f"Files of type '{fmt or 'unknown'}' are not accepted. "
            f"Use one of: {', '.join(sorted(MEDIA_TYPES))}.",
            field="format",
        )
    return fmt


def _title(title: str) -> str:
    title = title.strip()
    if not title:
        raise Invalid("Enter a title for the file.", field="title")
    return title


def safe_filename(name: str) -> str:
    """Keep the last path part, and only characters safe in a URL and a download header."""
    base = PurePosixPath((name or "").replace("\\", "/")).name
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", base).strip(".-")
    if not cleaned:
        raise Invalid("The file needs a name.", field="file")
    return cleaned[:200]
