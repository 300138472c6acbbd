"""Every error becomes a clear page (or JSON under /api) with the right status, never a trace."""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException

from catalog.errors import (
    CatalogError,
    Conflict,
    Invalid,
    NotAllowed,
    NotFound,
    TooLarge,
    Withdrawn,
)

STATUS = {NotFound: 404, NotAllowed: 403, Invalid: 422, Conflict: 409, TooLarge: 413}

TITLES = {
    400: "The request could not be understood",
    401: "An API token is needed",
    403: "You cannot do that",
    404: "Page not found",
    405: "That method is not allowed here",
    409: "That clashes with what is already there",
    410: "This page has been withdrawn",
    413: "The file is too large",
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
    return error_response(status, error.message, field=error.field)


def _http_error(error: HTTPException):
    status = error.code or 500
    message = error.description or TITLES.get(status, "")
    if status == 413:
        limit = request.max_content_length
        message = f"The upload is larger than the {limit:,} byte limit." if limit else message
    response = error_response(status, message)
    if status == 405 and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
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
