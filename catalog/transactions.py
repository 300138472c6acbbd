"""All or nothing: many service calls as one transaction.

Each service is its own commit point, which is right for one change from a page. A batch (a
publishing run that creates, records and publishes a dozen indicators) needs every one of those
changes or none. Inside `all_or_nothing` the services run on a session bound to one connection:
their commits become savepoints, and the connection's own transaction commits when the block
ends without error, or rolls back. The search index hears of the changes only after that
outer commit, so a failed batch leaves no trace in the database or the index. With
`keep=False` the whole block is a rehearsal: it runs every rule and is then rolled back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from catalog.db import make_unit_engine
from catalog.reindex import DEFERRED, mark_for_index


@contextmanager
def all_or_nothing(session: Session, *, keep: bool = True) -> Iterator[Session]:
    """Yield a session for the services; on leaving, keep everything they did, or nothing.

    `session` is the caller's: its own work is committed first (so the unit never waits on it),
    and afterwards it is refreshed and the datasets the unit touched are re-indexed through it.
    """
    session.commit()
    engine = make_unit_engine(session.get_bind().engine.url)
    touched: set[str] = set()
    try:
        with engine.connect() as connection:
            outer = connection.begin()
            work = Session(
                bind=connection,
                join_transaction_mode="create_savepoint",
                expire_on_commit=False,
                info={DEFERRED: touched},
            )
            try:
                yield work
                work.commit()
            except BaseException:
                work.close()
                outer.rollback()
                raise
            work.close()
            if keep:
                outer.commit()
            else:
                outer.rollback()
    finally:
        engine.dispose()
    if keep:
        session.expire_all()
        for dataset_id in touched:
            mark_for_index(session, dataset_id)
        session.commit()
