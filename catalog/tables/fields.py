"""Reading cells as the Table Schema says: the Frictionless rules for types and constraints.

A `FieldReader` turns the text of one column into typed values ready for the datastore and
says which cells break the schema. Columns are read a batch at a time: the common case (every
cell well formed) runs as one `map` over the batch, and only a batch with a bad or missing
cell is read again cell by cell to find and describe the problems. The rules follow
frictionless-py, so our reports agree with `frictionless validate` on the same file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from dateutil import parser

from catalog.errors import Invalid

DEFAULT_TRUE = ("true", "True", "TRUE", "1")
DEFAULT_FALSE = ("false", "False", "FALSE", "0")
NOT_BARE = re.compile(r"((^[^-\d]*)|(\D*$))")
# Whole numbers are stored as 64-bit integers (BIGINT in the datastore).
INTEGER_LIMIT = 2**63
CAST_ERRORS = (ValueError, TypeError, KeyError, OverflowError, ArithmeticError)


class CellError(ValueError):
    """A cell that cannot be read as its field's type."""


@dataclass(frozen=True)
class Problem:
    """The cell at `index` breaks `constraint` (whose value is `expected`), or, with no
    constraint named, does not read as the field's type."""

    index: int
    constraint: str = ""
    expected: Any = None


@dataclass
class FieldReader:
    name: str
    type: str
    format: str
    cast: Callable[[str], Any]
    missing: frozenset[str]
    required: bool = False
    checks: list[tuple[str, Any, Callable[[Any], bool]]] = field(default_factory=list)
    cast_all: Callable[[list[str]], list[Any]] | None = None
    descriptor: dict[str, Any] = field(default_factory=dict)

    def read(self, cells: list[str]) -> tuple[list[Any], list[Problem]]:
        """Typed values for a batch of cells (None where missing or bad) and their problems."""
        if self.missing.isdisjoint(cells):
            try:
                values = self.cast_all(cells) if self.cast_all else list(map(self.cast, cells))
            except CAST_ERRORS:
                pass
            else:
                if not self.checks:
                    return values, []
                return values, self._check(values, cells, range(len(values)))
        return self._read_slowly(cells)

    def _read_slowly(self, cells: list[str]) -> tuple[list[Any], list[Problem]]:
        values: list[Any] = []
        problems: list[Problem] = []
        typed: list[int] = []
        for index, cell in enumerate(cells):
            if cell in self.missing:
                values.append(None)
                if self.required:
                    problems.append(Problem(index, "required", True))
                continue
            try:
                values.append(self.cast(cell))
                typed.append(index)
            except CAST_ERRORS:
                values.append(None)
                problems.append(Problem(index))
        if self.checks:
            problems.extend(self._check(values, cells, typed))
            problems.sort(key=lambda problem: problem.index)
        return values, problems

    def _check(self, values: list[Any], cells: list[str], indexes) -> list[Problem]:
        problems = []
        for index in indexes:
            value = values[index]
            for constraint, expected, ok in self.checks:
                if not ok(value):
                    problems.append(Problem(index, constraint, expected))
                    break
        for problem in problems:
            values[problem.index] = None
        return problems


def field_reader(descriptor: dict[str, Any], missing_values: list[str]) -> FieldReader:
    """Compile one Table Schema field into a reader; an unusable field is an Invalid schema."""
    name = descriptor.get("name")
    if not isinstance(name, str) or not name:
        raise Invalid("Every field in the schema needs a name.", field="schema")
    kind = descriptor.get("type", "any")
    fmt = descriptor.get("format", "default")
    maker = CASTS.get(kind, _cast_any)
    cast = maker(descriptor)
    constraints = descriptor.get("constraints") or {}
    return FieldReader(
        name=name,
        type=kind,
        format=fmt,
        cast=cast,
        missing=frozenset(descriptor.get("missingValues", missing_values)),
        required=bool(constraints.get("required")),
        checks=_constraint_checks(constraints, cast, kind),
        cast_all=_batch_cast(kind, descriptor, cast),
        descriptor=descriptor,
    )


def _batch_cast(kind: str, descriptor: dict[str, Any], cast) -> Callable | None:
    if cast is _iso_date:
        return _iso_dates
    if kind == "integer" and descriptor.get("bareNumber", True):
        return _bare_integers
    return None


def _cast_string(descriptor: dict[str, Any]) -> Callable[[str], Any]:
    fmt = descriptor.get("format", "default")
    pattern = STRING_FORMATS.get(fmt)
    if pattern is None:
        return str
    return _matching(pattern)


def _matching(pattern: re.Pattern[str]) -> Callable[[str], str]:
    def cast(cell: str) -> str:
        if pattern.fullmatch(cell) is None:
            raise CellError(cell)
        return cell

    return cast


def _cast_integer(descriptor: dict[str, Any]) -> Callable[[str], Any]:
    bare = descriptor.get("bareNumber", True)

    def cast(cell: str) -> int:
        value = int(cell if bare else NOT_BARE.sub("", cell.strip()))
        if not -INTEGER_LIMIT <= value < INTEGER_LIMIT:
            raise OverflowError(cell)
        return value

    return cast


def _bare_integers(cells: list[str]) -> list[int]:
    """The batch form of a bare integer field: C-speed `int`, then one range check."""
    values = list(map(int, cells))
    if values and (max(values) >= INTEGER_LIMIT or min(values) < -INTEGER_LIMIT):
        raise OverflowError("a whole number too large to store")
    return values


def _cast_number(descriptor: dict[str, Any]) -> Callable[[str], Any]:
    group = descriptor.get("groupChar", "")
    decimal = descriptor.get("decimalChar", ".")
    bare = descriptor.get("bareNumber", True)
    if not group and decimal == "." and bare:
        return float

    def cast(cell: str) -> float:
        cell = cell.strip()
        if not bare:
            cell = NOT_BARE.sub("", cell)
        if group:
            cell = cell.replace(group, "")
        if decimal != ".":
            if "." in cell:
                raise CellError(cell)
            cell = cell.replace(decimal, ".")
        return float(cell)

    return cast


def _cast_boolean(descriptor: dict[str, Any]) -> Callable[[str], Any]:
    mapping = dict.fromkeys(descriptor.get("trueValues", DEFAULT_TRUE), True)
    mapping.update(dict.fromkeys(descriptor.get("falseValues", DEFAULT_FALSE), False))
    return mapping.__getitem__


def _cast_date(descriptor: dict[str, Any]) -> Callable[[str], Any]:
    fmt = descriptor.get("format", "default")
    if fmt == "default":
        return _iso_date
    if fmt == "any":
        return _any_date
    return lambda cell: datetime.strptime(cell, fmt).date().isoformat()


def _iso_date(cell: str) -> str:
    """YYYY-MM-DD, as frictionless reads dates by default; stored as ISO text."""
    if len(cell) == 10 and cell[4] == "-" and cell[7] == "-":
        return date.fromisoformat(cell).isoformat()
    return datetime.strptime(cell, "%Y-%m-%d").date().isoformat()


def _iso_dates(cells: list[str]) -> list[str]:
    """A batch of YYYY-MM-DD dates checked at C speed; they are stored as written."""
    if set(map(len, cells)) != {10} or "W" in "".join(cells):
        return list(map(_iso_date, cells))
    for _ in map(date.fromisoformat, cells):
        pass
    return cells


def _any_date(cell: str) -> str:
    return parser.parse(cell).date().isoformat()


def _cast_datetime(descriptor: dict[str, Any]) -> Callable[[str], Any]:
    fmt = descriptor.get("format", "default")
    if fmt == "default":
        return _iso_datetime
    return lambda cell: datetime.strptime(cell, fmt).isoformat()


def _iso_datetime(cell: str) -> str:
    if len(cell) < 19 or cell[16] != ":":
        raise CellError(cell)
    return parser.isoparse(cell).isoformat()


def _cast_time(descriptor: dict[str, Any]) -> Callable[[str], Any]:
    fmt = descriptor.get("format", "default")
    if fmt == "default":
        return _iso_time
    return lambda cell: datetime.strptime(cell, fmt).time().isoformat()


def _iso_time(cell: str) -> str:
    if len(cell) < 8 or cell[5] != ":":
        raise CellError(cell)
    return time.fromisoformat(cell).isoformat()


def _cast_year(_descriptor: dict[str, Any]) -> Callable[[str], Any]:
    def cast(cell: str) -> int:
        if len(cell) != 4:
            raise CellError(cell)
        year = int(cell)
        if not 0 <= year <= 9999:
            raise CellError(cell)
        return year

    return cast


def _cast_any(_descriptor: dict[str, Any]) -> Callable[[str], Any]:
    return str


CASTS: dict[str, Callable[[dict[str, Any]], Callable[[str], Any]]] = {
    "string": _cast_string,
    "integer": _cast_integer,
    "number": _cast_number,
    "boolean": _cast_boolean,
    "date": _cast_date,
    "datetime": _cast_datetime,
    "time": _cast_time,
    "year": _cast_year,
}

STRING_FORMATS = {
    "email": re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+"),
    "uri": re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+"),
    "uuid": re.compile(
        r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"
    ),
}


def _against(test: Callable[[Any, Any], bool], bound: Any) -> Callable[[Any], bool]:
    """A test of a typed value against a bound fixed now, not when the caller's loop ends."""
    return lambda value: test(value, bound)


def _constraint_checks(constraints: dict[str, Any], cast, kind: str) -> list:
    """Each constraint as (name, expected as written, test of a typed value)."""
    checks: list[tuple[str, Any, Callable[[Any], bool]]] = []

    def typed(value: Any) -> Any:
        return cast(value) if isinstance(value, str) and kind != "string" else value

    lengths = [name for name in ("minLength", "maxLength") if name in constraints]
    if lengths and kind not in ("string", "any"):
        raise Invalid(
            f"The schema's '{lengths[0]}' applies to text, not to a field of type {kind}.",
            field="schema",
        )
    if "minLength" in constraints:
        low = constraints["minLength"]
        checks.append(("minLength", low, lambda value: len(value) >= low))
    if "maxLength" in constraints:
        high = constraints["maxLength"]
        checks.append(("maxLength", high, lambda value: len(value) <= high))
    for name, test in (
        ("minimum", lambda value, bound: value >= bound),
        ("maximum", lambda value, bound: value <= bound),
        ("exclusiveMinimum", lambda value, bound: value > bound),
        ("exclusiveMaximum", lambda value, bound: value < bound),
    ):
        if name in constraints:
            bound = _bound(typed, constraints[name], name)
            checks.append((name, constraints[name], _against(test, bound)))
    if "pattern" in constraints:
        pattern = _pattern(constraints["pattern"])
        checks.append(("pattern", constraints["pattern"], lambda value: bool(pattern(value))))
    if "enum" in constraints:
        allowed = {_bound(typed, value, "enum") for value in constraints["enum"]}
        checks.append(("enum", constraints["enum"], allowed.__contains__))
    return checks


def _bound(typed, value: Any, constraint: str) -> Any:
    try:
        return typed(value)
    except CAST_ERRORS as error:
        raise Invalid(
            f"The schema's '{constraint}' value {value!r} does not fit its field's type.",
            field="schema",
        ) from error


def _pattern(expression: str):
    try:
        return re.compile(expression).fullmatch
    except re.error as error:
        raise Invalid(
            f"The schema's pattern {expression!r} is not a valid regular expression: {error}.",
            field="schema",
        ) from error
