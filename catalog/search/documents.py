"""Turning a dataset into what the search index holds: only what the public will see.

A document is built through `catalog.visibility` as at the moment it is (or becomes) public:
released files' titles, descriptions, formats and columns, never an unreleased or failed file's.
For a scheduled dataset that moment is its release; for a public one, now. A file version due
later changes what the public sees, so the document says it holds only until then.
"""

from __future__ import annotations

from datetime import datetime

from catalog.clock import utcnow
from catalog.models import Dataset
from catalog.search import SearchDocument
from catalog.visibility import DATASET, next_release, public_view


def document_for(dataset: Dataset, now: datetime | None = None) -> SearchDocument:
    released = DATASET.released_at(dataset)
    moment = max(now or utcnow(), released or datetime.min)
    view = public_view(dataset, moment)
    columns: list[str] = []
    resource_text: list[str] = []
    for file in view.files:
        resource_text.extend([file.resource.title, file.resource.description])
        schema = file.latest.table_schema if file.latest else None
        for field in (schema or {}).get("fields", []):
            columns.extend(str(field.get(key, "")) for key in ("name", "title", "description"))
    shown = [released, *(f.latest.published_at for f in view.files if f.latest)]
    return SearchDocument(
        id=dataset.id,
        name=dataset.name,
        title=dataset.title,
        description=dataset.description,
        released_at=released,
        updated_at=view.updated_at,
        created_at=dataset.created_at,
        organisation=dataset.organisation.name,
        topics=tuple(topic.name for topic in dataset.topics),
        tags=tuple(tag.name for tag in dataset.tags),
        formats=tuple(sorted(view.formats)),
        licence=dataset.licence_id,
        frequency=dataset.frequency,
        columns=tuple(c for c in columns if c),
        resource_text=" ".join(t for t in resource_text if t),
        holds_from=max((t for t in shown if t is not None), default=None),
        holds_until=next_release(dataset, moment),
    )
