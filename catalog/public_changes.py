"""The public-change stamp: a name for what the public sees now, read from one row.

A cache of public answers is only as good as its key. Working out "the public state" from the
catalogue costs a query that grows with it; instead every transaction that changes a row a
public surface may read writes a new random stamp into the one `PublicChange` row, in that
same transaction, so the stamp changes exactly when its commit becomes visible, on every server
sharing the database.

Which changes count is decided by structure, not listed per service: a `before_flush` listener
looks at every new, changed or deleted row of every model, except the few no public surface
reads (`UNSEEN`: sign-in sessions, API tokens, the search tables derived from the rest), and
except rows that belong to a dataset that is not, and was not before this change, published or
withdrawn (a draft's uploads, its checks and its audit entries: `catalog.visibility` never
shows them). Bulk `UPDATE`/`DELETE` statements through the session count too. A new model is
therefore watched from the day it is added.

Time changes what is public with no write (an embargo lifts at its second), so the row also
keeps the earliest release time of a dataset or file version still to come when it was
written (`next_release`, from the visibility rules' own release columns). Until then the stamp
alone names the state; once it has passed, the state is the stamp and the latest release time
passed, found by two indexed look-ups, which each process remembers until the release after
it (`public_state`).
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, CursorResult, event, insert, select, update
from sqlalchemy import inspect as inspect_row
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, UOWTransaction

from catalog.clock import utcnow
from catalog.db import Base
from catalog.models import (
    Account,
    AccountSession,
    Activity,
    ApiToken,
    Dataset,
    DatasetState,
    DataTable,
    PublicChange,
    Resource,
    ResourceVersion,
    SearchEntry,
    SearchGeneration,
    SearchWord,
)
from catalog.models.public_change import STAMP_ROW
from catalog.visibility import DATASET, VERSION

UNSEEN = (AccountSession, ApiToken, SearchEntry, SearchGeneration, SearchWord, PublicChange)
SHOWN_STATES = frozenset({DatasetState.PUBLISHED, DatasetState.WITHDRAWN})
RELEASES = (DATASET.release, VERSION.release)
CHANGED, STAMPED = "public_changed", "public_stamped"
# Written at every sign-in (and every failed one): counting them would let anyone empty the
# cache at the rate they can fail to sign in.
SIGN_IN_BOOKKEEPING = frozenset({"failed_logins", "locked_until", "last_login_at", "password_hash"})


@dataclass(frozen=True)
class PublicState:
    """What `public_state` read: `key` names what the public sees from now until `until`
    (a release time to come, None for until the next change)."""

    key: str
    until: datetime | None


def public_state(session: Session, now: datetime | None = None) -> PublicState | None:
    """The name of the public state at `now`, read in the session's own transaction (so what
    it reads next is never older than the name); None when the stamp row is missing (a
    database emptied by hand: the next change writes it again)."""
    query = select(PublicChange.stamp, PublicChange.next_release).where(
        PublicChange.id == STAMP_ROW
    )
    row = session.execute(query).first()
    if row is None:
        return None
    stamp, due = row
    moment = now or utcnow()
    if due is None or moment < due:
        return PublicState(stamp, due)
    passed, following = _releases_around(session, stamp, due, moment)
    return PublicState(f"{stamp}.{passed:%Y%m%d%H%M%S}", following)


@dataclass(frozen=True)
class _Releases:
    stamp: str
    due: datetime
    passed: datetime
    following: datetime | None


_remembered: dict[str, _Releases] = {}
_remembering = threading.Lock()


def _releases_around(
    session: Session, stamp: str, due: datetime, moment: datetime
) -> tuple[datetime, datetime | None]:
    """The latest release time at or before `moment` and the first after it; looked up once
    per process and release, and remembered for the database until `moment` leaves them."""
    database = str(session.get_bind().engine.url)
    seen = _remembered.get(database)
    if (
        seen is not None
        and (seen.stamp, seen.due) == (stamp, due)
        and seen.passed <= moment
        and (seen.following is None or moment < seen.following)
    ):
        return seen.passed, seen.following
    passed = max(
        session.scalar(select(c).where(c <= moment).order_by(c.desc()).limit(1)) or due
        for c in RELEASES
    )
    following = _first_release_after(session, moment)
    with _remembering:
        _remembered[database] = _Releases(stamp, due, passed, following)
    return passed, following


def _first_release_after(session: Session | Connection, moment: datetime) -> datetime | None:
    times = [session.scalar(select(c).where(c > moment).order_by(c).limit(1)) for c in RELEASES]
    return min((t for t in times if t is not None), default=None)


def stamp_public_change(session: Session | Connection) -> None:
    """Write a new stamp (and the next release to come) in the session's transaction. The
    listeners below call it for every change that counts; a bulk write that bypasses the
    session (a restore from a backup) calls it itself."""
    values = {
        "stamp": secrets.token_hex(16),
        "next_release": _first_release_after(session, utcnow()),
    }
    stamped = session.execute(
        update(PublicChange)
        .where(PublicChange.id == STAMP_ROW)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult[Any], stamped).rowcount == 0:
        session.execute(insert(PublicChange).values(id=STAMP_ROW, **values))
    if isinstance(session, Session):
        session.info[STAMPED] = True


def stamp_once_indexed(session: Session) -> None:
    """Stamp again once a search index written after the commit (Whoosh) has the change, if
    the commit stamped: an answer made in between from the index as it was is then not
    given out after the write. Its own short transaction, as the commit is over."""
    if session.info.get(STAMPED):
        with session.get_bind().engine.begin() as connection:
            stamp_public_change(connection)


def _shown(session: Session, row: object) -> bool:
    """Whether a public surface may read this row: anything but `UNSEEN` and what belongs to
    a dataset that is not (and was not) published or withdrawn."""
    if not _catalogued(type(row)):
        return False  # not seen, or a row of another database (the KPI Machine's)
    if isinstance(row, Account) and _changed(row) <= SIGN_IN_BOOKKEEPING:
        return False  # a sign-in, failed or not, changes nothing public
    dataset = _owner(session, row)
    if dataset is None:
        return True
    states = {dataset.state, *inspect_row(dataset).attrs.state.history.deleted}
    return not SHOWN_STATES.isdisjoint(states)


def _changed(row: object) -> set[str]:
    """The attributes a flush will write for a changed row (all of them for a new one)."""
    state = inspect_row(row)
    if state.pending or state.deleted:
        return {attribute.key for attribute in state.attrs}
    return {attribute.key for attribute in state.attrs if attribute.history.has_changes()}


def _catalogued(model: type) -> bool:
    return issubclass(model, Base) and not issubclass(model, UNSEEN)


def _owner(session: Session, row: object) -> Dataset | None:
    """The dataset a row is part of, for the rows a draft's upload and check write."""
    if isinstance(row, DataTable):
        row = row.version
    if isinstance(row, ResourceVersion):
        row = row.resource
    if isinstance(row, Dataset):
        return row
    if isinstance(row, Resource):
        return row.dataset or session.get(Dataset, row.dataset_id)
    if isinstance(row, Activity) and row.dataset_id is not None:
        return session.get(Dataset, row.dataset_id)
    return None


@event.listens_for(Session, "before_flush")
def _notice(session: Session, _flush: UOWTransaction, _instances: object) -> None:
    if session.info.get(CHANGED):
        return
    rows = (*session.new, *session.dirty, *session.deleted)
    with session.no_autoflush:
        if any(_shown(session, row) for row in rows):
            session.info[CHANGED] = True


@event.listens_for(Session, "do_orm_execute")
def _notice_bulk(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    mapper = state.bind_mapper
    if mapper is not None and _catalogued(mapper.class_):
        state.session.info[CHANGED] = True


@event.listens_for(Session, "before_commit")
def _stamp_on_commit(session: Session) -> None:
    """The stamp is written last, just before the commit, so its row is locked (PostgreSQL)
    for as short a time as possible; a change flushed after that stamps again at once."""
    session.flush()
    if session.info.pop(CHANGED, False):
        stamp_public_change(session)


@event.listens_for(Session, "after_flush")
def _stamp_late(session: Session, _flush: UOWTransaction) -> None:
    if session.info.get(STAMPED) and session.info.pop(CHANGED, False):
        stamp_public_change(session)


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(CHANGED, None)
        session.info.pop(STAMPED, None)
