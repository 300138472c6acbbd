"""Every error becomes a clear page (or JSON under /api) with the right status, never a trace."""

from __future__ import annotations

import errno
import sqlite3

from flask import Flask, Response, current_app, jsonify, make_response, render_template, request
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, MethodNotAllowed, RequestEntityTooLarge

from catalog.errors import (
    CatalogError,
    Conflict,
    Invalid,
    NotAllowed,
    NotFound,
    StoreFull,
    StoreUnavailable,
    TooLarge,
    Withdrawn,
)
from catalog.migrate import head_revision, out_of_step

STATUS = {
    NotFound: 404,
    NotAllowed: 403,
    Invalid: 422,
    Conflict: 409,
    TooLarge: 413,
    StoreUnavailable: 503,
    StoreFull: 507,
}
RETRY_AFTER_SECONDS = 10
UNAVAILABLE = (
    "The database is busy or cannot be reached, so nothing was changed. Try again in a few seconds."
)
UPGRADING = "The site is being upgraded, so nothing was changed. Try again in a few minutes."
# PostgreSQL states meaning "the server is not there now": connection exceptions (class 08),
# the server shutting down or starting (57P01-57P03), too many connections (53300).
POSTGRES_DOWN = ("08", "57P01", "57P02", "57P03", "53300")
SQLITE_BUSY = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_CANTOPEN)
NO_SPACE = (
    "The server has run out of storage space, so this could not be finished and no file was "
    "kept in part. Tell the site's administrators, then try again."
)
FULL_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
POSTGRES_FULL = "53100"

TITLES = {
    400: "The request could not be understood",
    401: "An API token is needed",
    403: "You cannot do that",
    404: "Page not found",
    405: "That method is not allowed here",
    409: "That clashes with what is already there",
    410: "This page has been withdrawn",
    413: "The file is too large",
    507: "The server is out of storage space",
    416: "That part of the file does not exist",
    422: "Check what you entered",
    429: "Too many requests: wait a moment and try again",
    503: "The service is busy: try again shortly",
    500: "Sorry, there is a problem with the service",
}


def init_app(app: Flask) -> None:
    app.register_error_handler(Withdrawn, _withdrawn)
    app.register_error_handler(CatalogError, _catalog_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(DBAPIError, _database_error)
    app.register_error_handler(PoolTimeout, _database_unavailable)
    app.register_error_handler(OSError, _storage_error)
    app.register_error_handler(Exception, _unexpected)


def _withdrawn(error: Withdrawn):
    """A tombstone: the URL stays, saying what was here, when it went and why (HTTP 410)."""
    if request.path.startswith("/api/"):
        return error_response(410, f"{error.message} Reason: {error.reason}")
    page = render_template("withdrawn.html", error=error)
    return make_response(page, 410)


def _catalog_error(error: CatalogError):
    """A rule broken by a query-string parameter is a bad request; by submitted data, a 422."""
    status = next(code for kind, code in STATUS.items() if isinstance(error, kind))
    if isinstance(error, Invalid) and error.field in request.args:
        status = 400
    response = error_response(status, error.message, field=error.field)
    if status == 503:
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _http_error(error: HTTPException):
    status = error.code or 500
    message = error.description or TITLES.get(status, "")
    if status == 413 and error.description == RequestEntityTooLarge.description:
        limit = request.max_content_length
        message = f"The upload is larger than the {limit:,} byte limit." if limit else message
    response = error_response(status, message)
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def _database_error(error: DBAPIError):
    """A database that is locked, restarting or unreachable is a 503 to retry; any other
    database error is a fault of ours (500), never disguised as busy."""
    busy = isinstance(error, OperationalError) and _is_unavailable(error.orig)
    if error.connection_invalidated or busy:
        return _database_unavailable(error)
    if _is_full(error.orig):
        return _out_of_space(error)
    if (revision := _schema_behind()) is not None:
        return _needs_upgrade(revision, error)
    return _unexpected(error)


def _schema_behind() -> str | None:
    try:
        return out_of_step(current_app.extensions["catalog"]["engine"])
    except DBAPIError:
        return None


def _needs_upgrade(revision: str, error: Exception):
    """New code on a database not yet upgraded: the operator is told what to run, and
    visitors are told to come back, not shown a fault."""
    current_app.logger.error(
        "The database is at migration %s, the code needs %s: run `opendata init`. (%s)",
        revision,
        head_revision(),
        error,
    )
    response = error_response(503, UPGRADING)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _storage_error(error: OSError):
    """A full disk (or a file size limit) while storing or indexing is the server's
    problem to fix, said plainly (507); any other OS error is a fault (500)."""
    if error.errno in FULL_ERRNOS:
        return _out_of_space(error)
    return _unexpected(error)


def _out_of_space(error: Exception):
    current_app.logger.error("Out of storage space: %s", error)
    return error_response(507, NO_SPACE)


def _is_full(cause: BaseException | None) -> bool:
    if isinstance(cause, sqlite3.OperationalError):
        return (cause.sqlite_errorcode & 0xFF) == sqlite3.SQLITE_FULL
    return getattr(cause, "sqlstate", None) == POSTGRES_FULL


def _is_unavailable(cause: BaseException | None) -> bool:
    """SQLite busy or locked; or psycopg's (optional, so not imported) error for a server
    that is not there, which has no SQLSTATE when the connection itself failed."""
    if isinstance(cause, sqlite3.OperationalError):
        return (cause.sqlite_errorcode & 0xFF) in SQLITE_BUSY
    if cause is not None and hasattr(cause, "sqlstate"):
        return cause.sqlstate is None or cause.sqlstate.startswith(POSTGRES_DOWN)
    return False


def _database_unavailable(error: Exception):
    current_app.logger.warning("Database unavailable: %s", error)
    # The page is shown signed out: finding who is signed in would need the database.
    # Flask-Login (untyped) puts its manager on the app; importing ours would be a cycle.
    current_app.login_manager._update_request_context_with_user()  # type: ignore[attr-defined]
    response = error_response(503, UNAVAILABLE)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _unexpected(error: Exception):
    current_app.logger.exception("Unhandled error", exc_info=error)
    return error_response(500, "Try again later. The problem has been logged.")


def error_response(status: int, message: str, *, field: str | None = None) -> Response:
    title = TITLES.get(status, "Something went wrong")
    if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
        body = {"error": {"status": status, "title": title, "message": message}}
        if field:
            body["error"]["field"] = field
        response = jsonify(body)
    else:
        response = make_response(
            render_template("error.html", status=status, title=title, message=message)
        )
    response.status_code = status
    return response
