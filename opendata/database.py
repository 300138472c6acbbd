"""One database session per request, and the catalogue's store and search index for the app.

Each request is one unit of work: the services it calls only flush, and the request commits
once, or rolls back, at its edge (`CatalogueFlask.dispatch_request`). The rule is the answer
the visitor is given: a view that answers with success (a page, a redirect, any status below
400) has its changes committed; one that answers with a refusal or an error (400 and above),
or raises, has them rolled back, so a page that says nothing was saved saved nothing, however
many services it called first.

The commit happens where the view's answer is known and before Flask finishes the response,
not in a teardown: a commit that fails (a full disk, a database gone away) then raises where
any view error does and becomes the same clear error page, instead of a "saved" page for
changes that were lost. The search index follows the commit, or with PostgreSQL search is
written in its transaction (`catalog.search.sync`), and work that must see the committed rows,
such as a table's check, is handed over with `after_commit`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, g
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from catalog.db import make_engine, make_session_factory
from catalog.search import SearchBackend
from catalog.search.postgres_backend import PostgresBackend
from catalog.search.sync import attach
from catalog.search.whoosh_backend import WhooshBackend
from catalog.storage import FileStore
from catalog.storage.cache import DownloadCache
from catalog.storage.urls import open_store


class CatalogueFlask(Flask):
    """Flask with each request one unit of work, committed or rolled back at its edge."""

    def dispatch_request(self) -> ResponseReturnValue:
        try:
            response = self.make_response(super().dispatch_request())
        except BaseException:
            _end_unit_of_work(keep=False)
            raise
        _end_unit_of_work(keep=response.status_code < 400 or g.pop("keep_changes", False))
        return response


def init_app(app: Flask) -> None:
    settings = app.config["SETTINGS"]
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    search: SearchBackend
    if settings.search == "postgres":
        search = PostgresBackend(engine)
    else:
        search = WhooshBackend(settings.search_path)
    attach(factory, search)
    app.extensions["catalog"] = {
        "engine": engine,
        "sessions": factory,
        "search": search,
        "store": open_store(
            settings.storage_url,
            folder=settings.store_path,
            scratch=settings.scratch_path,
            max_bytes=settings.max_upload_bytes,
            redirect=settings.storage_redirect,
            copies=DownloadCache(settings.copies_path, settings.storage_copies_bytes),
        ),
    }
    app.teardown_appcontext(close_session)


def get_session() -> Session:
    if "db" not in g:
        g.db = current_app.extensions["catalog"]["sessions"]()
    return g.db


def get_search() -> SearchBackend:
    return current_app.extensions["catalog"]["search"]


def get_store() -> FileStore:
    return current_app.extensions["catalog"]["store"]


def after_commit(action: Callable[..., Any], *args: Any) -> None:
    """Call `action(*args)` once this request's changes are committed, never if they are
    rolled back: a job that must find them in the database (a table's check on a worker)."""
    g.setdefault("after_commit", []).append((action, args))


def keep_changes() -> None:
    """Commit this request's changes although it answers with a refusal: a wrong password
    is refused, and still counts towards the account's lock-out."""
    g.keep_changes = True


def _end_unit_of_work(*, keep: bool) -> None:
    session: Session | None = g.get("db")
    waiting = g.pop("after_commit", [])
    if session is None:
        return
    if not keep:
        session.rollback()
        return
    try:
        session.commit()
    except BaseException:
        session.rollback()
        raise
    for action, args in waiting:
        action(*args)


def close_session(_error: BaseException | None = None) -> None:
    """Whatever a request left uncommitted (an error before its edge) is rolled back here."""
    session = g.pop("db", None)
    if session is not None:
        session.close()
