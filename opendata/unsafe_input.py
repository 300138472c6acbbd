"""Addresses no database can look up: a NUL character in the path is refused with a 400
before any view runs. PostgreSQL cannot hold NUL in text, so such a name or id would otherwise
fail inside the query (a 500) instead of being answered as the bad request it is."""

from __future__ import annotations

from flask import Flask, request

from opendata.errors import error_response


def init_app(app: Flask) -> None:
    app.before_request(_refuse_nul_in_path)


def _refuse_nul_in_path():
    if "\x00" in request.path:
        return error_response(400, "The address holds a NUL character, which no name can have.")
    return None
