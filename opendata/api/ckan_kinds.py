"""How a CKAN action is declared (`ckan_declared` holds the declarations): the kinds of
parameter, each with the schema the OpenAPI description shows and the reader that checks a
sent value exactly as the action reads it, and the shapes of results.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from marshmallow import ValidationError

from catalog.names import MAX_ROW_NUMBER
from opendata.api import ckan_params, ckan_search
from opendata.api.ckan_datastore import TRUE_WORDS

Check = Callable[[dict[str, Any], str], object]
UUID = {"type": "string", "format": "uuid"}
TEXT = {"type": "string", "minLength": 1, "pattern": r"\S"}  # what `ckan_params.required` takes
NAMES = {"type": "array", "items": {"type": "string"}}
# A JSON body's text: CKAN reads a number or a boolean as its text, and null as not sent.
SCALAR = {"type": ["string", "number", "boolean", "null"]}


@dataclass(frozen=True)
class Param:
    """One parameter: a query-string parameter of a GET, a property of a POST's JSON object.
    `schema` is what the query string carries, `body` the JSON value when that differs;
    `check` reads a sent value as the action will (None: the action reads it every time);
    `json` says the query string carries it as JSON text; `example` is a value to try."""

    name: str
    description: str
    schema: Mapping[str, Any]
    required: bool = False
    body: Mapping[str, Any] | None = None
    check: Check | None = None
    json: bool = False
    example: Any = None


def _scalar(params: dict[str, Any], name: str) -> object:
    return ckan_params.text(params, name)


def _texts(params: dict[str, Any], name: str) -> object:
    """One text or a list of them (a repeated query-string parameter, a JSON list)."""
    value = params[name]
    if value is None or isinstance(value, str):
        return value
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError({name: ['Send text or a list of texts, such as ["a", "b"].']})
    return value


def _some_texts(params: dict[str, Any], name: str) -> object:
    if params[name] is None:
        raise ValidationError({name: ["Missing value"]})
    return _texts(params, name)


def _count_from(least: int) -> Check:
    return lambda params, name: ckan_search.count_param(params, name, 0, least=least)


def _one_of(values: tuple[str, ...]) -> Check:
    def check(params: dict[str, Any], name: str) -> object:
        if ckan_params.text(params, name) not in values:
            raise ValidationError({name: [f"Must be one of: {', '.join(values)}"]})
        return params[name]

    return check


def text(
    name: str, description: str, *, required: bool = False, example: str | None = None
) -> Param:
    """Text as `ckan_params.text` reads it (one value; required ones not blank)."""
    schema = TEXT if required else {"type": "string"}
    return Param(name, description, schema, required, SCALAR, _scalar, example=example)


def ref(description: str, name: str = "id", schema: Mapping[str, Any] = TEXT) -> Param:
    """The thing an action is about, by id or name."""
    return Param(name, description, schema, True, {**schema, "type": "string"}, _scalar)


def choice(
    name: str, description: str, values: tuple[str, ...], *, required: bool = False
) -> Param:
    schema = {"type": "string", "enum": list(values)}
    return Param(name, description, schema, required, schema, _one_of(values))


def count(name: str, description: str, default: int | None = None, least: int = 0) -> Param:
    """A whole number as `ckan_search.count_param` reads it."""
    schema: dict[str, Any] = {"type": "integer", "minimum": least, "maximum": MAX_ROW_NUMBER}
    if default is not None:
        schema["default"] = default
    return Param(name, description, schema, check=_count_from(least))


def limit(default: int, most: int, things: str = "results") -> Param:
    """A `limit` read by `ckan_params.number`: a larger number is cut down to `most`."""
    return count(
        "limit",
        f"How many {things} to give: {default:,} unless told, at most {most:,} (a larger "
        f"number gives {most:,}).",
        default,
    )


def flag(name: str, description: str, default: bool = False) -> Param:
    """A boolean as `ckan_params.flag` reads it: true or false, and 1/0, yes/no, on/off."""
    words = [*ckan_params.TRUE, *ckan_params.FALSE]
    return Param(
        name,
        f"{description} {str(default).lower()} unless sent (1/0, yes/no and on/off are read too).",
        {"type": "boolean", "default": default},
        body={"type": ["boolean", "string"], "enum": [True, False, *words], "default": default},
        check=ckan_params.flag,
    )


def lenient_flag(name: str, description: str, default: bool) -> Param:
    """A boolean read as CKAN's datastore reads one: a true word is true, anything else false."""
    return Param(
        name,
        f"{description} {', '.join(TRUE_WORDS)} mean true, anything else false; "
        f"{str(default).lower()} unless sent.",
        {"type": "string", "default": str(default).lower()},
        body=SCALAR,
        check=_scalar,
    )


def names(name: str, description: str) -> Param:
    """A list as `ckan_params.text_list` reads it: JSON text, comma-separated, or JSON."""
    return Param(
        name,
        f'{description} A JSON list (["a", "b"]) or names separated by commas.',
        {"type": "string"},
        body={"type": ["array", "string", "null"], "items": {"type": "string"}},
        check=ckan_params.text_list,
    )


def texts(
    name: str,
    description: str,
    items: Mapping[str, Any] | None = None,
    *,
    required: bool = False,
    example: list[str] | None = None,
) -> Param:
    """Several texts: the parameter repeated in a query string, a list (or one text) in JSON."""
    item = dict(items or {"type": "string"})
    schema: dict[str, Any] = {"type": "array", "items": item}
    if required:
        schema["minItems"] = 1
    body = {"type": ["array", "string"] if required else ["array", "string", "null"], "items": item}
    check = _some_texts if required else _texts
    return Param(name, description, schema, required, body, check, example=example)


def text_or_json(name: str, description: str, body: Mapping[str, Any]) -> Param:
    """Text in a query string, text or JSON in a body; the action reads it every time."""
    return Param(name, description, {"type": "string"}, body=body)


def json_value(name: str, description: str, schema: Mapping[str, Any]) -> Param:
    """JSON: in a query string as JSON text (CKAN's way), in a body as itself; the action
    reads it every time."""
    return Param(name, description, schema, body=schema, json=True)


OFFSET = count("offset", "How many to skip first.", 0)
IGNORED = "Accepted and ignored, as this catalogue keeps no such thing."
INCLUDE_TRACKING = Param("include_tracking", IGNORED, {"type": "string"}, body={})


OBJECT = {"type": "object"}
STRINGS = {"type": "array", "items": {"type": "string"}}
OBJECTS = {"type": "array", "items": OBJECT}
RESOURCE = {
    "type": "object",
    "required": ["id", "package_id", "name", "url", "format"],
    "properties": {
        "id": UUID,
        "package_id": UUID,
        "name": {"type": "string"},
        "url": {"type": ["string", "null"]},
        "format": {"type": "string"},
        "size": {"type": ["integer", "null"], "minimum": 0},
        "datastore_active": {"type": "boolean"},
    },
}
GROUP = {
    "type": "object",
    "required": ["id", "name", "title"],
    "properties": {
        "id": UUID,
        "name": {"type": "string"},
        "title": {"type": "string"},
        "package_count": {"type": "integer", "minimum": 0},
    },
}
PACKAGE = {
    "type": "object",
    "required": ["id", "name", "title", "resources", "organization", "state"],
    "properties": {
        "id": UUID,
        "name": {"type": "string"},
        "title": {"type": "string"},
        "owner_org": UUID,
        "organization": GROUP,
        "groups": {"type": "array", "items": GROUP},
        "resources": {"type": "array", "items": RESOURCE},
        "num_resources": {"type": "integer", "minimum": 0},
        "state": {"type": "string", "enum": ["active", "draft", "deleted"]},
        "private": {"type": "boolean"},
    },
}
PACKAGES = {"type": "array", "items": PACKAGE}
ACTIVITIES = {
    "type": "array",
    "items": {"type": "object", "required": ["id", "timestamp", "activity_type", "object_id"]},
}
COUNT = {"type": "integer", "minimum": 0}
NAMES_OR_DICTS = {"type": "array", "items": {"type": ["string", "object"]}}
SEARCH = {
    "type": "object",
    "required": ["count", "results"],
    "properties": {"count": COUNT, "results": OBJECTS},
}


@dataclass(frozen=True)
class Read:
    params: tuple[Param, ...] = ()
    result: Mapping[str, Any] = field(default_factory=lambda: OBJECT)


@dataclass(frozen=True)
class Write:
    """A write: its JSON body's fields; `upload` for a multipart form with a file."""

    params: tuple[Param, ...] = ()
    result: Mapping[str, Any] = field(default_factory=lambda: OBJECT)
    upload: bool = False
