"""CKAN action parameters as clients send them (query-string text on a GET, JSON on a POST),
read strictly: a value that cannot be what CKAN documents is a 409 Validation Error naming the
parameter, never a guess and never a 500."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError

from opendata.api.ckan_search import count_param
from opendata.json_limits import bounded_loads

TRUE, FALSE = ("true", "1", "yes", "on"), ("false", "0", "no", "off")


def required(params: dict[str, Any], name: str, *others: str) -> str:
    """The first of `name` and `others` that was sent (CKAN takes `id` or `name_or_id`)."""
    value = text(params, name, *others)
    if not value:
        raise ValidationError({name: ["Missing value"]})
    return value


def number(params: dict[str, Any], name: str, default: int, *, most: int) -> int:
    """A whole number from 0, at most `most` (a larger one is cut down, as CKAN caps it)."""
    return min(count_param(params, name, default), most)


def flag(params: dict[str, Any], name: str, default: bool = False) -> bool:
    """A boolean as CKAN reads one (`asbool`): JSON's true/false, or the words true/false,
    1/0, yes/no, on/off."""
    value = params.get(name, default)
    if isinstance(value, bool):
        return value
    text = value.strip().lower() if isinstance(value, str) else None
    if text in TRUE or text in FALSE:
        return text in TRUE
    raise ValidationError({name: ["Must be true or false"]})


def text_list(params: dict[str, Any], name: str) -> list[str] | None:
    """A list of strings sent as JSON, as JSON text (`["a", "b"]`), or as one string (a
    comma-separated list, as forms send it); None when the parameter was not sent."""
    raw = params.get(name)
    if raw in (None, ""):
        return None
    if isinstance(raw, str) and raw.lstrip().startswith("["):
        try:
            raw = bounded_loads(raw)
        except ValueError as error:
            raise ValidationError({name: ['Send a JSON list, such as ["a", "b"].']}) from error
    if isinstance(raw, str):
        return [part.strip() for part in raw.split(",") if part.strip()]
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise ValidationError({name: ['Send a list of strings, such as ["a", "b"].']})
    return raw


def text(params: dict[str, Any], name: str, *others: str) -> str:
    """A text parameter (the first of `name` and `others` sent), stripped; empty when none
    was sent."""
    for key in (name, *others):
        value = params.get(key)
        if value in (None, ""):
            continue
        if not isinstance(value, str | int | float):
            raise ValidationError({key: ["Send one value, as text"]})
        return str(value).strip()
    return ""
