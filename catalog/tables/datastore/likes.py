"""Text searches that ignore the case of letters, written for each database: SQLite's LIKE
already ignores the case of ASCII letters (its lower() changes only those too, so lowering
each cell first, as SQLAlchemy's `icontains` does, only adds a third of the time again);
PostgreSQL has ILIKE."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, ColumnElement, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.visitors import InternalTraversal

ESCAPE = "/"


class AnyCaseLike(ColumnElement[bool]):
    """`cell LIKE pattern` whatever the case of the letters, `/` escaping in the pattern."""

    inherit_cache = True
    type = Boolean()
    _is_implicitly_boolean = True  # a comparison: no "= 1" after it where booleans are numbers
    _traverse_internals = [
        ("cell", InternalTraversal.dp_clauseelement),
        ("pattern", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, cell: ColumnElement[Any], pattern: str) -> None:
        self.cell = cell
        self.pattern = literal(pattern)


def contains_any_case(cell: ColumnElement[Any], text: str) -> AnyCaseLike:
    return AnyCaseLike(cell, f"%{_escaped(text)}%")


def starts_any_case(cell: ColumnElement[Any], text: str) -> AnyCaseLike:
    return AnyCaseLike(cell, f"{_escaped(text)}%")


def _escaped(text: str) -> str:
    return "".join(ESCAPE + character if character in "%_/" else character for character in text)


@compiles(AnyCaseLike)
def _ilike(element: AnyCaseLike, compiler, **kw) -> str:
    return compiler.process(element.cell.ilike(element.pattern, escape=ESCAPE), **kw)


@compiles(AnyCaseLike, "sqlite")
def _like(element: AnyCaseLike, compiler, **kw) -> str:
    return compiler.process(element.cell.like(element.pattern, escape=ESCAPE), **kw)
