"""The unit of work: services change rows and flush; the edge commits once, or rolls back.

A service never commits, so everything one page, command, job or publishing run does through
any number of services is kept together or not at all. The edges are:

- a web request (`opendata.database`): commits when its answer is a success, else rolls back;
- a command (`opendata/cli*.py`) and a job: `all_or_nothing` around what they do;
- a publishing run (`publishers.runs`): its writes in `all_or_nothing`, a dry run with
  `keep=False`, so it runs every rule and is then rolled back.

A commit that changes anything the public may see writes a new public-change stamp in the
same transaction (`catalog.public_changes`), the key of the cache of public answers.

The search follows only a successful commit (`catalog.search.sync`): Whoosh is written after
it, PostgreSQL search inside it. Other work outside the database that must wait for the
commit, or be undone by a rollback, is handed to
`after_commit` and `after_rollback`. The check of a large table is the one documented
exception: run as a job of its own it commits its progress (`catalog.tables.checks`), through
`save_progress`, so every commit in the catalogue is made in this module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

import catalog.public_changes  # noqa: F401 (its listeners stamp each commit that changes public rows)

ON_COMMIT, ON_ROLLBACK = "after_commit", "after_rollback"


@contextmanager
def all_or_nothing(session: Session, *, keep: bool = True) -> Iterator[Session]:
    """Commit everything the block did through `session`, or nothing: roll back when it
    raises, and also when `keep` is False (a rehearsal)."""
    try:
        yield session
    except BaseException:
        session.rollback()
        raise
    if keep:
        session.commit()
    else:
        session.rollback()


def save_progress(session: Session) -> None:
    """Commit what a job that is its own edge has done so far (a long check showing the rows
    it has read); only such a job may call this, never a service inside a unit of work."""
    session.commit()


def after_commit(session: Session, action: Callable[[], None]) -> None:
    """Do `action` once this session's transaction commits, and never if it rolls back. It
    must not use the session: it is for what lies outside the catalogue (the datastore)."""
    session.info.setdefault(ON_COMMIT, []).append(action)


def after_rollback(session: Session, action: Callable[[], None]) -> None:
    """Do `action` if this session's transaction ends without a commit (rolled back, or its
    session closed), to undo work outside the catalogue."""
    session.info.setdefault(ON_ROLLBACK, []).append(action)


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    session.info.pop(ON_ROLLBACK, None)
    for action in session.info.pop(ON_COMMIT, []):
        action()


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction: SessionTransaction) -> None:
    """An outermost transaction that ends uncommitted (rolled back, or its session closed)
    undoes what was handed to `after_rollback`, and forgets what waited for its commit."""
    if transaction.parent is not None:
        return
    session.info.pop(ON_COMMIT, None)
    for action in session.info.pop(ON_ROLLBACK, []):
        action()
