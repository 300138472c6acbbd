"""The CKAN Action API v3: `/api/3/action/<name>` (and `/api/action/<name>`).

CKAN tools (ckanapi, the CKAN harvesters, data portals' scripts) speak this API, so it answers
in CKAN's envelope, `{"help": ..., "success": true, "result": ...}`, and CKAN's errors:

| raised                   | CKAN `__type`       | HTTP |
| ------------------------ | ------------------- | ---- |
| NotFound (and Withdrawn) | Not Found Error     | 404  |
| NotAllowed               | Authorization Error | 403  |
| Invalid, Conflict        | Validation Error    | 409, with `{field: [message]}` as CKAN does |
| QueryError (q, fq)       | Search Error        | 409, "Search error: ...", as CKAN says |
| an unknown action        | Bad Request         | 400, "Bad request - Action name not known: ..." |
| a write not POSTed       | Bad Request         | 405, with `Allow: POST` (CKAN answers 400) |
| StoreUnavailable         | Service Unavailable | 503, with `Retry-After` (file store down) |
| StoreFull                | Insufficient Storage | 507 (file store full) |

Field errors use CKAN's names (`license_id`, not our `licence`). A token that does not work
is refused earlier, by `opendata.auth`, with a plain 401: no guessing at who is calling.

Each parameter a read declares (`ckan_declared`, which the OpenAPI description is made from)
is checked when sent, before the action runs.

Reads go through the catalogue's visibility rule (anonymous callers see public data only);
writes go through the same services and workflow as the publishing pages, which check the
caller's permissions. The actions themselves live in `ckan_reads`, `ckan_writes` and
`ckan_group_writes`.
"""

from __future__ import annotations

import inspect
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, jsonify, request, url_for
from marshmallow import ValidationError

from catalog.errors import (
    CatalogError,
    Conflict,
    Invalid,
    NotAllowed,
    NotFound,
    StoreFull,
    StoreUnavailable,
)
from catalog.search.query_language import QueryError
from opendata.api import ckan_datastore, ckan_group_writes, ckan_reads, ckan_writes
from opendata.api.ckan_declared import check_sent
from opendata.database import get_session
from opendata.errors import RETRY_AFTER_SECONDS

bp = Blueprint("api_ckan", __name__)
POST_ONLY = "Bad request - JSON Error: Invalid request. Please use POST method for your request"

CKAN_FIELDS = {
    "description": "notes",
    "organisation": "owner_org",
    "licence": "license_id",
    "topics": "groups",
    "file": "upload",
}


def help_show(params: dict[str, Any]) -> str:
    """The documentation of an action (its docstring), as CKAN's `help` links promise."""
    name = str(params.get("name") or "")
    if name not in ACTIONS:
        raise NotFound(f"There is no action called '{name}'.")
    return inspect.getdoc(ACTIONS[name]) or ""


WRITES = frozenset({**ckan_writes.ACTIONS, **ckan_group_writes.ACTIONS})
METHODS = ("GET", "HEAD", "POST", "OPTIONS")
ACTIONS = {
    **ckan_reads.ACTIONS,
    **ckan_writes.ACTIONS,
    **ckan_group_writes.ACTIONS,
    **ckan_datastore.ACTIONS,
    "help_show": help_show,
}


@bp.route("/api/action/<name>", methods=METHODS, provide_automatic_options=False)
@bp.route("/api/3/action/<name>", methods=METHODS, provide_automatic_options=False)
def action(name: str):
    function = ACTIONS.get(name)
    if function is None:
        message = f"Bad request - Action name not known: {name}"
        return _failure(name, 400, {"__type": "Bad Request", "message": message})
    allowed = ("POST", "OPTIONS") if name in WRITES else METHODS
    if request.method not in allowed:
        return _allowing(
            _failure(name, 405, {"__type": "Bad Request", "message": POST_ONLY}), allowed
        )
    if request.method == "OPTIONS":
        return _allowing(current_app.make_default_options_response(), allowed)
    try:
        params = _parameters()
        _refuse_nul(params)
        check_sent(name, params)
        result = function(params)
    except ValidationError as error:
        get_session().rollback()
        return _failure(name, 409, _validation(error.normalized_messages()))
    except CatalogError as error:
        get_session().rollback()
        failure = _failure(name, *_catalog_error(error))
        if failure.status_code == 503:
            failure.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return failure
    return _envelope(name, 200, {"success": True, "result": result})


def _parameters() -> dict[str, Any]:
    """A GET's (or HEAD's) query string (a parameter given more than once is a list, as in CKAN), a
    POST's JSON body, or a form (with its files) as CKAN reads it."""
    if request.method in ("GET", "HEAD"):
        given = request.args.to_dict(flat=False)
        return {key: values[0] if len(values) == 1 else values for key, values in given.items()}
    if request.is_json:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise ValidationError({"body": ["Send a JSON object."]})
        return body
    return {**request.form.to_dict(), **request.files.to_dict()}


def _refuse_nul(params: dict[str, Any]) -> None:
    """PostgreSQL cannot hold NUL in text, so a parameter holding one (anywhere in it) names
    nothing there is: a Validation Error, never a failure inside a query."""
    for name, value in params.items():
        if _holds_nul(name) or _holds_nul(value):
            raise ValidationError({name: ["Holds a NUL character, which no value can have."]})


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    if isinstance(value, dict):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    return False


def _catalog_error(error: CatalogError) -> tuple[int, dict[str, Any]]:
    if isinstance(error, QueryError):
        message = f"Search error: {error.field}: {error.message}"
        return 409, {
            "__type": "Search Error",
            "message": message,
            error.field or "q": [error.message],
        }
    if isinstance(error, NotFound):
        return 404, {"__type": "Not Found Error", "message": f"Not found: {error.message}"}
    if isinstance(error, NotAllowed):
        return 403, {"__type": "Authorization Error", "message": error.message}
    if isinstance(error, StoreUnavailable):
        return 503, {"__type": "Service Unavailable", "message": error.message}
    if isinstance(error, StoreFull):
        return 507, {"__type": "Insufficient Storage", "message": error.message}
    if isinstance(error, Invalid | Conflict):
        field = CKAN_FIELDS.get(error.field or "", error.field) or "__before"
        return 409, _validation({field: [error.message]})
    return 409, _validation({"__before": [error.message]})


def _validation(messages: dict[str, Any]) -> dict[str, Any]:
    fields = {key: value if isinstance(value, list) else [value] for key, value in messages.items()}
    summary = "; ".join(f"{key}: {' '.join(map(str, value))}" for key, value in fields.items())
    return {"__type": "Validation Error", "message": summary, **fields}


def _allowing(response: Response, allowed: tuple[str, ...]) -> Response:
    """A write is POSTed only, so its Allow header (and a 405's) says so."""
    response.headers["Allow"] = ", ".join(allowed)
    return response


def _failure(name: str, status: int, error: dict[str, Any]):
    return _envelope(name, status, {"success": False, "error": error})


def _envelope(name: str, status: int, body: dict[str, Any]):
    help_url = url_for("api_ckan.action", name="help_show", _external=True)
    response = jsonify({"help": f"{help_url}?{urlencode({'name': name})}", **body})
    response.status_code = status
    if request.method == "POST" or ckan_reads.caller() is not None:
        response.headers["Cache-Control"] = "private, no-store"
    return response
