"""Search sits behind this small interface so the backend can change with the deployment.

The embedded default is Whoosh in the instance folder (`whoosh_backend.py`). Every public query
filters on state and release time, so an index that still holds a draft or an embargoed dataset
never shows it (the same rule as `catalog.visibility`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

FACETS = ("organisation", "topic", "tag", "format", "licence", "frequency")
SORTS = ("relevance", "updated", "name")


@dataclass(frozen=True)
class SearchDocument:
    """What the index knows of one dataset: text to match, values to facet on, times to filter."""

    id: str
    name: str
    title: str
    description: str
    state: str
    published_at: datetime | None
    withdrawn: bool
    modified_at: datetime
    organisation: str | None = None
    topics: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()
    licence: str | None = None
    frequency: str | None = None
    columns: tuple[str, ...] = ()
    resource_text: str = ""


@dataclass(frozen=True)
class SearchQuery:
    """A search as a user asks it: free text, facet filters (AND across and within facets)."""

    text: str = ""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    now: datetime | None = None
    include_unpublished: bool = False


@dataclass(frozen=True)
class FacetCount:
    value: str
    count: int


@dataclass(frozen=True)
class SearchResults:
    ids: list[str]
    total: int
    facets: dict[str, list[FacetCount]]
    suggestion: str | None = None


class SearchBackend(Protocol):
    def index(self, doc: SearchDocument) -> None: ...

    def index_many(self, docs: list[SearchDocument]) -> None: ...

    def remove(self, id: str) -> None: ...

    def clear(self) -> None: ...

    def search(self, query: SearchQuery) -> SearchResults: ...
