"""Which datasets a unit of work changed, so the search index can follow its commit.

Services mark what they change here; `catalog.search.sync` turns the marks into documents
when the transaction commits. Keeping the marks in the core lets every room mark a change
without depending on the search room.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

MARKED = "search_marked"


def mark_for_index(session: Session, dataset_id: str) -> None:
    session.info.setdefault(MARKED, set()).add(dataset_id)
