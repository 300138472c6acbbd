"""One database session per request, and the catalogue's store and search index for the app."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from catalog.db import make_engine, make_session_factory
from catalog.search import SearchBackend
from catalog.search.sync import attach
from catalog.search.whoosh_backend import WhooshBackend
from catalog.storage import FileStore


def init_app(app: Flask) -> None:
    settings = app.config["SETTINGS"]
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    search = WhooshBackend(settings.search_path)
    attach(factory, search)
    app.extensions["catalog"] = {
        "engine": engine,
        "sessions": factory,
        "search": search,
        "store": FileStore(settings.store_path, max_bytes=settings.max_upload_bytes),
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


def close_session(_error: BaseException | None = None) -> None:
    session = g.pop("db", None)
    if session is not None:
        session.close()
