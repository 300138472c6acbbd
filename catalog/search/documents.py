"""Turning a dataset into what the search index holds."""

from __future__ import annotations

from catalog.models import Dataset
from catalog.search import SearchDocument


def document_for(dataset: Dataset) -> SearchDocument:
    columns: list[str] = []
    resource_text: list[str] = []
    for resource in dataset.resources:
        resource_text.extend([resource.title, resource.description])
        latest = resource.latest_public
        if latest and latest.table_schema:
            for field in latest.table_schema.get("fields", []):
                columns.extend(str(field.get(key, "")) for key in ("name", "title", "description"))
    return SearchDocument(
        id=dataset.id,
        name=dataset.name,
        title=dataset.title,
        description=dataset.description,
        state=str(dataset.state),
        published_at=dataset.published_at,
        withdrawn=dataset.withdrawn_at is not None,
        modified_at=dataset.modified_at,
        organisation=dataset.organisation.name,
        topics=tuple(topic.name for topic in dataset.topics),
        tags=tuple(tag.name for tag in dataset.tags),
        formats=tuple(sorted({r.format.upper() for r in dataset.resources})),
        licence=dataset.licence_id,
        frequency=dataset.frequency,
        columns=tuple(c for c in columns if c),
        resource_text=" ".join(t for t in resource_text if t),
    )
