"""JSON the site reads from a request: at most MAX_JSON_BYTES and MAX_JSON_DEPTH levels deep.

Python's parser recurses once per level, so a body of a thousand `[` fails deep inside it
(a RecursionError, a 500) and a deeply nested object can fail later, wherever it is walked.
No request this site understands nests more than a few levels, so anything deeper is a 400,
and a body over the size a dataset's metadata could need is a 413, before it is parsed. Every
JSON body goes through the app's JSON provider, set here; JSON inside a parameter or an
uploaded schema file goes through `bounded_loads` directly.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

MAX_JSON_DEPTH = 32
MAX_JSON_BYTES = 2 * 1024 * 1024
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


class TooDeep(ValueError):
    """JSON nested more than MAX_JSON_DEPTH levels."""


class TooLarge(ValueError):
    """JSON of more than MAX_JSON_BYTES."""


def bounded_loads(text: str | bytes, **options: Any) -> Any:
    """`json.loads`, refusing (a ValueError) text too large or nested too deep to be ours."""
    if len(text) > MAX_JSON_BYTES:
        raise TooLarge(f"The JSON is larger than {MAX_JSON_BYTES // 1024**2} MB.")
    if isinstance(text, bytes | bytearray):
        text = text.decode(json.detect_encoding(text), "surrogatepass")
    depth = 0
    for bracket in _BRACKET.finditer(_STRING.sub('""', text)):
        depth += 1 if bracket.group() in "[{" else -1
        if depth > MAX_JSON_DEPTH:
            raise TooDeep(f"The JSON nests more than {MAX_JSON_DEPTH} levels deep.")
    return json.loads(text, **options)


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, with request bodies held to the limits: too deep is a 400, too large a
    413 (raised as HTTP errors, so `get_json(silent=True)` cannot swallow them)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return bounded_loads(s, **kwargs)
        except TooLarge as error:
            raise RequestEntityTooLarge(str(error)) from None
        except TooDeep as error:
            raise BadRequest(str(error)) from None


def init_app(app: Flask) -> None:
    app.json = BoundedJSONProvider(app)
    app.before_request(_refuse_large_json)


def _refuse_large_json() -> None:
    """A JSON body that says it is too large is refused before it is read."""
    if request.is_json and (request.content_length or 0) > MAX_JSON_BYTES:
        raise RequestEntityTooLarge(f"The JSON is larger than {MAX_JSON_BYTES // 1024**2} MB.")
    return None
