"""Search sits behind this small interface so the backend can change with the deployment.

The embedded default is Whoosh in the instance folder (`whoosh_backend.py`); with a PostgreSQL
catalogue, the documents are rows of its own database (`postgres_backend.py`), written in the
transaction of the change they index (an `InTransaction` backend). A document holds
only what the public will see (`documents.py` builds it through `catalog.visibility`): released
files' titles, formats and columns, and the public "last updated". Every public query filters on
the document's release time, so an index that still holds a draft or an embargoed dataset never
shows it, and counts word rarity over public documents only, so a draft cannot reorder results.
A document whose content changes with time (a file version released at 09:30) says for which
times it holds; a search reports the documents that no longer hold, to be rebuilt.

A search is free text and facet filters (the site's search page), and may also carry an
expression in CKAN's query language (`query_language.py`), read once here above the interface
so every backend answers the CKAN Action API alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from catalog.search.query_language import Expression

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sqlalchemy.orm import Session

FACETS = ("organisation", "topic", "tag", "format", "licence", "frequency")
PAGE_SORTS = ("relevance", "updated", "name")  # what the search page offers; name is the title
SORTS = (*PAGE_SORTS, "updated_asc", "created", "created_asc", "name_desc", "id", "url_name")


@dataclass(frozen=True)
class SearchDocument:
    """What the index knows of one dataset: text to match, values to facet on, times to filter.

    `released_at` is when the public may first see it (None: not on its way to the public);
    `updated_at` when it last changed in public, `created_at` when it was made (CKAN's
    metadata_modified and metadata_created); the content holds from `holds_from` until
    `holds_until` (None: from always, until further notice)."""

    id: str
    name: str
    title: str
    description: str
    released_at: datetime | None
    updated_at: datetime
    organisation: str | None = None
    topics: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()
    licence: str | None = None
    frequency: str | None = None
    columns: tuple[str, ...] = ()
    resource_text: str = ""
    holds_from: datetime | None = None
    holds_until: datetime | None = None
    created_at: datetime | None = None


@dataclass(frozen=True)
class SearchQuery:
    """A search as a user asks it: free text, facet filters (AND across and within facets),
    and a CKAN query `expression`, all of which must match. `sort` is one of SORTS."""

    text: str = ""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    expression: Expression | None = None
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
    """`stale` names public documents whose content does not hold at the query's time."""

    ids: list[str]
    total: int
    facets: dict[str, list[FacetCount]]
    suggestion: str | None = None
    stale: tuple[str, ...] = ()


class SearchBackend(Protocol):
    rebuild_needed: bool  # the index was made afresh for a new version: rebuild it (see clear)

    def index(self, doc: SearchDocument) -> None: ...

    def index_many(self, docs: list[SearchDocument]) -> None: ...

    def remove(self, id: str) -> None: ...

    def clear(self) -> None: ...

    def search(self, query: SearchQuery) -> SearchResults: ...


@runtime_checkable
class InTransaction(Protocol):
    """A backend whose documents live in the catalogue's database: they are written through the
    session of the change, before its commit, so they are committed or rolled back with it."""

    def write(
        self,
        session: Session,
        documents: list[SearchDocument],
        removed: Iterable[str] = (),
        *,
        everything: bool = False,
    ) -> None: ...
