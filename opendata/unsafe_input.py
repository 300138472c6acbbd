"""Addresses no database can look up, answered before any view runs.

A NUL character in the path is a 400: PostgreSQL cannot hold NUL in text, so such a name or id
would otherwise fail inside the query (a 500) instead of being answered as the bad request it
is. A number in a path (`<int:...>`) larger than a database integer is no row's id, so the
route does not match and the answer is a 404; every `int` route converter of the app is this
one, registered before the blueprints.
"""

from __future__ import annotations

from flask import Flask, request
from werkzeug.routing import IntegerConverter

from catalog.names import MAX_ROW_NUMBER
from opendata.errors import error_response


class RowNumberConverter(IntegerConverter):
    """`<int:...>` that matches only numbers a database can hold (0 to 2**63 - 1)."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_ROW_NUMBER)
        super().__init__(map, *args, **kwargs)


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = RowNumberConverter
    app.before_request(_refuse_nul_in_path)


def _refuse_nul_in_path():
    if "\x00" in request.path:
        return error_response(400, "The address holds a NUL character, which no name can have.")
    return None
