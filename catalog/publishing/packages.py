"""Importing a Frictionless Data Package folder (datapackage.json plus its files) as a dataset.

Besides the standard properties (name, title, description, licenses, keywords, resources with
path, format and schema) a package may carry the catalogue's own: organisation, topics,
frequency, temporal {start, end}, spatial, contact {name, email}, created and modified times,
transparency_requirement (the key of the Transparency Code requirement the dataset meets), and
per resource a list of previous_versions (older files, oldest first) to replay as history and
the period its current file covers (such as 2026/27 Q2). A resource's Frictionless `dialect`
(header rows, comment rows, delimiter, sheet, ...) says how its file is read.

Each table is checked as it is added (a `Watch` may follow its rows, for a progress bar). The
dataset is published only when it has a public file: a link, or a file that passed its check.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from catalog.errors import CatalogError, Invalid
from catalog.licences import OGL
from catalog.models import Dataset
from catalog.periods import Period
from catalog.permissions import Actor
from catalog.publishing.datasets import DatasetInput, dataset_create
from catalog.publishing.links import PUBLIC_ONLY, LinkRules, vet_link_url
from catalog.publishing.requirements import (
    check_period,
    get_requirement,
    period_set,
    requirement_set,
)
from catalog.publishing.resources import (
    Upload,
    check_format,
    link_format,
    resource_create,
    resource_link_create,
    version_add,
)
from catalog.publishing.workflow import release_without_review
from catalog.storage import FileStore
from catalog.tables.checks import check_version
from catalog.tables.dialects import Dialect

# Given a file about to be checked, what to call with the rows read so far (or None).
Watch = Callable[[Path], Callable[[int], None] | None]


@dataclass(frozen=True)
class PackageFile:
    """One file of a resource; its dialect (how to read it) is the resource's `dialect` for
    the current file, a previous version's own, else found from the file itself."""

    path: Path
    note: str = ""
    created: datetime | None = None
    dialect: dict[str, Any] | None = None


def read_descriptor(folder: Path) -> dict[str, Any]:
    descriptor_path = folder / "datapackage.json"
    if not descriptor_path.is_file():
        raise Invalid(f"No datapackage.json in {folder}.", field="path")
    try:
        return json.loads(descriptor_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise Invalid(f"{descriptor_path} is not valid JSON: {error}", field="path") from error


def load_package(
    session: Session,
    *,
    store: FileStore,
    actor: Actor,
    folder: Path,
    organisation: str | None = None,
    publish: bool = True,
    link_rules: LinkRules = PUBLIC_ONLY,
    watch: Watch | None = None,
) -> Dataset:
    """Create a dataset from a package folder, checking every file exists before writing any."""
    descriptor = read_descriptor(folder)
    created = _timestamp(descriptor.get("created"), "created")
    modified = _timestamp(descriptor.get("modified"), "modified")
    current_time = modified or created
    resources = [
        _resource_files(folder, r, current_time, link_rules)
        for r in descriptor.get("resources", [])
    ]
    periods = _periods(descriptor)
    dataset = dataset_create(
        session,
        actor=actor,
        data=_dataset_input(descriptor, organisation),
        created_at=created,
    )
    if descriptor.get("transparency_requirement"):
        requirement_set(
            session, actor=actor, dataset=dataset, key=descriptor["transparency_requirement"]
        )
    for (resource_descriptor, files), period in zip(resources, periods, strict=True):
        if not files:
            resource_link_create(
                session,
                actor=actor,
                dataset=dataset,
                title=resource_descriptor.get("title") or resource_descriptor.get("name", ""),
                url=resource_descriptor["path"],
                description=resource_descriptor.get("description", ""),
                format=resource_descriptor.get("format"),
                rules=link_rules,
            )
            continue
        first, *later = files
        schema = _schema(resource_descriptor)
        with _about(first.path), first.path.open("rb") as stream:
            resource = resource_create(
                session,
                store=store,
                actor=actor,
                dataset=dataset,
                title=resource_descriptor.get("title") or resource_descriptor.get("name", ""),
                description=resource_descriptor.get("description", ""),
                format=resource_descriptor.get("format"),
                upload=Upload(stream=stream, filename=first.path.name),
                table_schema=None if later else schema,
                dialect=first.dialect,
                created_at=first.created or created,
                check_now=False,
            )
        _check(session, store, resource.versions[-1], first.path, watch)
        for position, file in enumerate(later, start=1):
            with _about(file.path), file.path.open("rb") as stream:
                version_add(
                    session,
                    store=store,
                    actor=actor,
                    resource=resource,
                    upload=Upload(stream=stream, filename=file.path.name),
                    note=file.note,
                    table_schema=schema if position == len(later) else None,
                    dialect=file.dialect,
                    created_at=file.created or created,
                    check_now=False,
                )
            _check(session, store, resource.versions[-1], file.path, watch)
        # Each file above is a version of the resource; the last one covers the period.
        period_set(session, actor=actor, version=resource.versions[-1], period=period)
    if modified:
        dataset.modified_at = modified
        session.flush()
    if publish and _has_public_file(dataset):
        release_without_review(
            session, actor=actor, dataset=dataset, at=created, source="data package"
        )
    return dataset


def _check(session: Session, store: FileStore, version, path: Path, watch: Watch | None) -> None:
    if version.data_table is not None:
        check_version(session, store, version, watch=watch(path) if watch else None)


@contextmanager
def _about(path: Path) -> Iterator[None]:
    """A file refused while it is added says which file it was."""
    try:
        yield
    except CatalogError as error:
        error.message = f"{path.name}: {error.message}"
        raise


def _has_public_file(dataset: Dataset) -> bool:
    """Whether publishing would show anything: a link, or a file cleared by its check."""
    return any(
        resource.link_url is not None or any(version.cleared for version in resource.versions)
        for resource in dataset.resources
    )


def _periods(descriptor: dict[str, Any]) -> list[Period | None]:
    """The period each resource's current file covers, read before anything is written."""
    key = descriptor.get("transparency_requirement")
    requirement = get_requirement(key) if key else None
    return [
        check_period(requirement, resource["period"]) if resource.get("period") else None
        for resource in descriptor.get("resources", [])
    ]


def _dataset_input(descriptor: dict[str, Any], organisation: str | None) -> DatasetInput:
    licences = descriptor.get("licenses") or [{"name": OGL}]
    temporal = descriptor.get("temporal") or {}
    contact = descriptor.get("contact") or {}
    return DatasetInput(
        name=descriptor.get("name", ""),
        title=descriptor.get("title", ""),
        description=descriptor.get("description", ""),
        organisation=_organisation(organisation or descriptor.get("organisation")),
        topics=list(descriptor.get("topics", [])),
        tags=list(descriptor.get("keywords", [])),
        licence=licences[0].get("name", OGL),
        frequency=descriptor.get("frequency"),
        temporal_start=_date(temporal.get("start"), "temporal.start"),
        temporal_end=_date(temporal.get("end"), "temporal.end"),
        spatial=descriptor.get("spatial"),
        contact_name=contact.get("name"),
        contact_email=contact.get("email"),
    )


def _organisation(name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise Invalid(
            "The package names no organisation to publish under: add 'organisation' to its "
            "datapackage.json, or name one when loading it.",
            field="organisation",
        )
    return name


def _resource_files(
    folder: Path, descriptor: dict[str, Any], current_time: datetime | None, rules: LinkRules
) -> tuple[dict[str, Any], list[PackageFile]]:
    """The files of one resource, oldest first, each checked to exist inside the folder.

    The current file is dated by the package's `modified` time, so it is never older than the
    previous versions it replaced. A `path` that is a web address is a link to a file hosted
    elsewhere (as our own data packages describe one): it has no files, and its address is
    vetted here, before anything is written.
    """
    path = descriptor.get("path")
    if isinstance(path, str) and urlsplit(path).scheme.lower() in ("http", "https"):
        if descriptor.get("previous_versions"):
            raise Invalid("A link to a file elsewhere has no previous versions.", field="path")
        link_format(descriptor.get("format"), vet_link_url(path, rules).url)
        return descriptor, []
    check_format(descriptor.get("format") or Path(str(descriptor.get("path", ""))).suffix[1:])
    files = [
        PackageFile(
            path=_inside(folder, old.get("path")),
            note=old.get("note", ""),
            created=_timestamp(old.get("created"), "previous_versions.created"),
            dialect=_dialect(old),
        )
        for old in descriptor.get("previous_versions", [])
    ]
    current = PackageFile(
        path=_inside(folder, descriptor.get("path")),
        created=current_time,
        dialect=_dialect(descriptor),
    )
    files.append(current)
    return descriptor, files


def _inside(folder: Path, relative: Any) -> Path:
    if not isinstance(relative, str) or not relative:
        raise Invalid("Every resource needs a 'path' to a file in the package.", field="path")
    path = (folder / relative).resolve()
    if not path.is_relative_to(folder.resolve()) or not path.is_file():
        raise Invalid(f"The resource file '{relative}' is not in {folder}.", field="path")
    return path


def _dialect(descriptor: dict[str, Any]) -> dict[str, Any] | None:
    """A file's dialect, checked before anything is written."""
    dialect = descriptor.get("dialect")
    if dialect is None:
        return None
    try:
        return Dialect.from_descriptor(dialect).to_descriptor()
    except Invalid as error:
        raise Invalid(f"{descriptor.get('path')}: {error.message}", field="dialect") from None


def _schema(descriptor: dict[str, Any]) -> dict[str, Any] | None:
    schema = descriptor.get("schema")
    return schema if isinstance(schema, dict) else None


def _timestamp(value: Any, field: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as error:
        raise Invalid(f"'{value}' is not an ISO 8601 date and time.", field=field) from error
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def _date(value: Any, field: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError as error:
        raise Invalid(f"'{value}' is not a date in the form YYYY-MM-DD.", field=field) from error
