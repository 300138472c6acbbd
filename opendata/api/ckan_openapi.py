"""The CKAN Action API in the OpenAPI description: one documented path per action, made from
the declarations in `ckan_declared`.

A read is documented for GET (its parameters in the query string) and for POST (the same
parameters as a JSON object, as ckanapi sends them); a write for POST only, with a token. The
action's docstring, which `help_show` also serves, is the operation's description, so the
words cannot drift from the code either. `/api/action/<name>` answers as `/api/3/action/<name>`
and is not listed twice.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Collection, Mapping
from typing import Any

from opendata.api.ckan_declared import READS, WRITES
from opendata.api.ckan_kinds import Param, Read, Write

SUCCESS, FAILURE = "#/components/schemas/CkanSuccess", "#/components/schemas/CkanError"
SITE_ERROR = {"$ref": "#/components/schemas/Error"}


def action_paths(
    actions: Mapping[str, Callable[..., Any]], writes: Collection[str]
) -> dict[str, dict[str, Any]]:
    """One path per action in `actions`, in their order; `writes` are POSTed only. An action
    with no declaration is documented without parameters (and the test that every action is
    declared fails)."""
    paths = {}
    for name, function in actions.items():
        doc = inspect.getdoc(function) or name
        summary = doc.split(". ")[0].split("\n\n")[0].replace("\n", " ").rstrip(".")
        if name in writes:
            write = WRITES.get(name, Write())
            paths[f"/api/3/action/{name}"] = {"post": _write(name, summary, doc, write)}
        else:
            read = READS.get(name, Read())
            paths[f"/api/3/action/{name}"] = {
                method: _read(name, summary, doc, read, method) for method in ("get", "post")
            }
    return paths


def _read(name: str, summary: str, doc: str, read: Read, method: str) -> dict[str, Any]:
    operation = {
        "operationId": f"{name}{'' if method == 'get' else '_post'}",
        "summary": summary,
        "description": doc,
        "tags": ["CKAN"],
        "security": [{}, {"token": []}, {"ckanApiKey": []}],
        "responses": _responses(read.result, write=method == "post"),
    }
    if method == "get":
        operation["parameters"] = [_query(param) for param in read.params]
    else:
        operation["requestBody"] = {
            "required": False,
            "content": {"application/json": {"schema": _body(read.params)}},
        }
    return operation


def _write(name: str, summary: str, doc: str, write: Write) -> dict[str, Any]:
    content = {"application/json": {"schema": _body(write.params)}}
    if write.upload:
        content["multipart/form-data"] = {"schema": _form(write.params)}
    return {
        "operationId": name,
        "summary": summary,
        "description": doc,
        "tags": ["CKAN"],
        "security": [{"token": []}, {"ckanApiKey": []}],
        "requestBody": {"required": True, "content": content},
        "responses": _responses(write.result, write=True),
    }


def _query(param: Param) -> dict[str, Any]:
    """A query-string parameter; JSON text is described by its media type and schema."""
    value = {"schema": dict(param.schema)}
    return {
        "name": param.name,
        "in": "query",
        "required": param.required,
        "description": param.description,
        **({"content": {"application/json": value}} if param.json else value),
        **({} if param.example is None else {"example": param.example}),
    }


def _body(params: tuple[Param, ...]) -> dict[str, Any]:
    """The JSON object a POST sends: the parameters as properties; others are ignored."""
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {
            p.name: {"description": p.description, **(p.schema if p.body is None else p.body)}
            for p in params
        },
    }
    required = [p.name for p in params if p.required]
    if required:
        schema["required"] = required
    return schema


def _form(params: tuple[Param, ...]) -> dict[str, Any]:
    """A multipart form: text fields, and the file as `upload`."""
    fields = {
        p.name: (
            {"type": "string", "format": "binary"} if p.name == "upload" else {"type": "string"}
        )
        for p in params
    }
    required = [p.name for p in params if p.required]
    return {"type": "object", "properties": fields, "required": required}


def _responses(result: Mapping[str, Any], *, write: bool) -> dict[str, Any]:
    """CKAN's envelopes: success with the action's result, or CKAN's error; a bad token and
    too many requests answer in the site's own error shape, before the action runs."""
    failure = {"application/json": {"schema": {"$ref": FAILURE}}}
    site = {"application/json": {"schema": SITE_ERROR}}
    ok = {"allOf": [{"$ref": SUCCESS}, {"properties": {"result": dict(result)}}]}
    responses: dict[str, Any] = {
        "200": {
            "description": "CKAN's success envelope",
            "content": {"application/json": {"schema": ok}},
        },
        "401": {"description": "The API token sent does not work", "content": site},
        "403": {
            "description": "Authorization Error: not allowed, or no token for a write",
            "content": failure,
        },
        "404": {"description": "Not Found Error", "content": failure},
        "409": {
            "description": "Validation Error naming each bad parameter, or Search Error for a "
            "query that cannot be read",
            "content": failure,
        },
        "429": {
            "description": "Too many requests: wait for the time in Retry-After",
            "content": site,
        },
    }
    if write:
        responses["400"] = {"description": "JSON nested too deeply to read", "content": site}
        responses["413"] = {"description": "A body or file over the size limit", "content": site}
    return dict(sorted(responses.items()))


TAG = {
    "name": "CKAN",
    "description": "CKAN's Action API v3, at /api/3/action/<name> (and /api/action/<name>). "
    "Reads answer GET (parameters in the query string, a parameter repeated for a list) and "
    "POST (a JSON object); writes answer POST only, with an API token. Every answer is CKAN's "
    "envelope; a name that is not an action here is a 400 with the error's __type Bad "
    "Request, and a write sent by GET a 405.",
}


SCHEMAS = {
    "CkanSuccess": {
        "type": "object",
        "required": ["help", "success", "result"],
        "properties": {
            "help": {"type": "string", "format": "uri"},
            "success": {"const": True},
            "result": {},
        },
    },
    "CkanError": {
        "type": "object",
        "required": ["help", "success", "error"],
        "properties": {
            "help": {"type": "string", "format": "uri"},
            "success": {"const": False},
            "error": {
                "type": "object",
                "required": ["__type", "message"],
                "properties": {
                    "__type": {
                        "type": "string",
                        "enum": [
                            "Bad Request",
                            "Authorization Error",
                            "Not Found Error",
                            "Validation Error",
                            "Search Error",
                        ],
                    },
                    "message": {"type": "string"},
                },
                "additionalProperties": {
                    "type": "array",
                    "items": {"type": ["string", "object"]},
                },
            },
        },
    },
}
