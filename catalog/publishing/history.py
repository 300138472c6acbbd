"""A dataset's public history: when it was published and every file released since.

Only what the public could already see counts: the first publication, files and links to files
added after it, new versions and corrections (with their notes) once their own release time
has passed. A link is public as soon as it is added to a public dataset.
Drafts, reviews and anything before publication stay in the staff audit trail, never here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from catalog.clock import utcnow
from catalog.models import Dataset, ResourceVersion
from catalog.visibility import is_public, version_is_public

PUBLISHED, ADDED, NEW_VERSION, CORRECTED = "published", "added", "new-version", "corrected"
LINKED = "linked"


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    kind: str
    resource_title: str = ""
    version: int | None = None
    note: str = ""


def public_history(
    dataset: Dataset, *, now: datetime | None = None, limit: int = 10
) -> list[HistoryEntry]:
    """The newest `limit` public events of a dataset, newest first."""
    moment = now or utcnow()
    if not is_public(dataset, moment) or dataset.published_at is None:
        return []
    entries = [HistoryEntry(at=dataset.published_at, kind=PUBLISHED)]
    for resource in dataset.resources:
        if resource.link_url is not None and dataset.published_at < resource.created_at <= moment:
            entries.append(
                HistoryEntry(at=resource.created_at, kind=LINKED, resource_title=resource.title)
            )
        for version in resource.versions:
            if not version_is_public(version, moment) or version.published_at is None:
                continue
            if version.published_at <= dataset.published_at:
                continue
            entries.append(
                HistoryEntry(
                    at=version.published_at,
                    kind=version_kind(version),
                    resource_title=resource.title,
                    version=version.number,
                    note=version.note,
                )
            )
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries[:limit]


def version_kind(version: ResourceVersion) -> str:
    """A version released after its dataset's publication: a file's first is a file added; a
    later one with a note is a correction (the note says what was wrong), else routine."""
    return ADDED if version.number == 1 else CORRECTED if version.note else NEW_VERSION
