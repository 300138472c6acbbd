"""Which table the data API serves for a file: the newest public version that has fully loaded.

A new version replaces the served one only once its table is LOADED, so a reader never sees a
half-loaded or failed table, and the previous version stays on the API while the next loads.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager, joinedload

from catalog.errors import NotFound
from catalog.models import Dataset, DataTable, Resource, ResourceVersion, TableStatus
from catalog.tables.reading import TABULAR_FORMATS
from catalog.visibility import check_not_withdrawn, public_dataset_clause, version_is_public


def served_table(
    session: Session,
    resource_id: str,
    *,
    version: int | None = None,
    now: datetime | None = None,
) -> tuple[Resource, ResourceVersion, DataTable]:
    """The public resource, the version the API serves and its loaded table."""
    resource = _public_resource(session, resource_id, now)
    if resource.format not in TABULAR_FORMATS:
        raise NotFound(
            f"'{resource.title}' is a {resource.format.upper()} file, not a table: "
            "the data API serves CSV, TSV and XLSX files."
        )
    public = [item for item in resource.versions if version_is_public(item, now)]
    if version is not None:
        return resource, *_numbered(public, version)
    for item in reversed(public):
        if (table := _loaded_table(item)) is not None:
            return resource, item, table
    if not public:
        raise NotFound("This file has no published version.")
    raise NotFound("The table in this file is not ready yet: it is still being loaded or checked.")


def serves_table(resource: Resource, now: datetime | None = None) -> bool:
    """Whether the data API serves a table for this file of a public dataset now: one of its
    public versions has loaded (CKAN's `datastore_active`)."""
    return resource.format in TABULAR_FORMATS and any(
        _loaded_table(item) is not None
        for item in resource.versions
        if version_is_public(item, now)
    )


def _public_resource(session: Session, resource_id: str, now: datetime | None) -> Resource:
    # One query: the dataset from the join (without its topics, tags, licence and
    # organisation, which no table answer shows) and the versions with their tables joined;
    # each of these was a query of its own, and they cost more than the rows asked for.
    dataset = contains_eager(Resource.dataset)
    query = (
        select(Resource)
        .join(Dataset)
        .where(Resource.id == resource_id, public_dataset_clause(now))
        .options(
            dataset.lazyload(Dataset.topics),
            dataset.lazyload(Dataset.tags),
            dataset.lazyload(Dataset.licence),
            dataset.lazyload(Dataset.organisation),
            joinedload(Resource.versions).joinedload(ResourceVersion.data_table),
        )
    )
    resource = session.scalars(query).unique().one_or_none()
    if resource is None:
        name = session.scalar(select(Dataset.name).join(Resource).where(Resource.id == resource_id))
        if name is not None:
            check_not_withdrawn(session, name)
        raise NotFound(f"There is no published file with the id '{resource_id}'.")
    return resource


def _numbered(public: list[ResourceVersion], number: int) -> tuple[ResourceVersion, DataTable]:
    found = next((item for item in public if item.number == number), None)
    if found is None:
        raise NotFound(f"This file has no published version {number}.")
    table = _loaded_table(found)
    if table is None:
        raise NotFound(f"Version {number} of this file has no table loaded to query.")
    return found, table


def _loaded_table(version: ResourceVersion) -> DataTable | None:
    """The version's table once it is loaded and ready to query, else None."""
    table = version.data_table
    return table if table is not None and table.status == TableStatus.LOADED else None
