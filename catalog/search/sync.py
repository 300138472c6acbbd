"""Keeps the search index in step with the database, on commit and only on commit.

Services mark the datasets they change and flush; the edge of the unit of work (a request, a
command, a job, a publishing run: see `catalog.transactions`) commits once. Just before that
commit the marked datasets are turned into search documents. A backend in the catalogue's own
database (`InTransaction`) writes them there and then, in the same transaction; any other gets
them once the commit has succeeded (and then the public-change stamp is written once more, for
the answers kept in between: `catalog.public_changes`). A rolled-back unit therefore never
reaches the index, however many services it called.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from catalog.models import Dataset
from catalog.public_changes import stamp_once_indexed
from catalog.reindex import MARKED
from catalog.search import InTransaction, SearchBackend
from catalog.search.documents import document_for

PENDING = "search_pending"


def attach(factory: sessionmaker, backend: SearchBackend) -> None:
    """Give every session of this factory the backend it keeps in step."""
    factory.configure(info={"search": backend})


@event.listens_for(Session, "before_commit")
def _collect(session: Session) -> None:
    marked = session.info.pop(MARKED, set())
    if not marked or "search" not in session.info:
        return
    session.flush()
    documents, removed = [], []
    for dataset_id in marked:
        dataset = session.get(Dataset, dataset_id)
        if dataset is None:
            removed.append(dataset_id)
        else:
            documents.append(document_for(dataset))
    backend = session.info["search"]
    if isinstance(backend, InTransaction):
        backend.write(session, documents, removed)
    else:
        session.info[PENDING] = (documents, removed)


@event.listens_for(Session, "after_commit")
def _apply(session: Session) -> None:
    pending = session.info.pop(PENDING, None)
    if pending is None:
        return
    documents, removed = pending
    backend: SearchBackend = session.info["search"]
    if documents:
        backend.index_many(documents)
    for dataset_id in removed:
        backend.remove(dataset_id)
    stamp_once_indexed(session)


@event.listens_for(Session, "after_rollback")
def _discard(session: Session) -> None:
    session.info.pop(MARKED, None)
    session.info.pop(PENDING, None)
