"""How the table explorer shows a column to people: its heading from the schema's title (or a
readable form of its name), and its values as people write them: thousands separated, money
in pounds and pence, dates the UK way. Downloads and the API keep the raw values."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from catalog.tables.datastore.tables import DataColumn
from catalog.tables.reading import preview_cell
from opendata.filters import long_date

CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
TEXT_TYPES = ("string", "any")


@dataclass(frozen=True)
class ShownColumn:
    """A table column with what the page needs to show it."""

    name: str
    title: str
    type: str
    sortable: bool  # indexed, or its index is being built
    money: bool

    @property
    def is_text(self) -> bool:
        return self.type in TEXT_TYPES


def shown_columns(columns: list[DataColumn], schema: dict[str, Any]) -> list[ShownColumn]:
    fields = {field.get("name"): field for field in schema.get("fields", [])}
    return [_shown(column, fields.get(column.name, {})) for column in columns]


def _shown(column: DataColumn, field: dict[str, Any]) -> ShownColumn:
    return ShownColumn(
        name=column.name,
        title=field.get("title") or readable_name(column.name),
        type=column.type,
        sortable=column.indexed or column.indexing,
        money=is_money(field),
    )


def readable_name(name: str) -> str:
    """'net_amount' -> 'Net amount', 'supplierName' -> 'Supplier name'."""
    spaced = CAMEL.sub(" ", name).replace("_", " ").replace("-", " ")
    words = " ".join(spaced.split())
    return words[:1].upper() + words[1:] if words else name


def is_money(field: dict[str, Any]) -> bool:
    """The standard schemas mark money as a number that may carry a £ (`bareNumber: false`);
    a £ or 'pounds' in the field's title or description says so too. A percentage is not."""
    if field.get("type") not in ("number", "integer"):
        return False
    words = f"{field.get('title', '')} {field.get('description', '')}".lower()
    if "%" in words or "percent" in words:
        return False
    return field.get("bareNumber") is False or "£" in words or "pounds" in words


def cell_text(value: Any, column: ShownColumn) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float):
        return _number(value, column)
    if column.type == "date":
        return _uk_date(value)
    if column.type == "datetime":
        return _uk_date_time(value)
    return preview_cell(str(value))


def _number(value: float, column: ShownColumn) -> str:
    if column.money:
        sign = "-" if value < 0 else ""
        return f"{sign}£{abs(value):,.2f}"
    if column.type == "year":
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return f"{value:,.0f}"
    return format(value, ",")


def _uk_date(text: str) -> str:
    try:
        return long_date(date.fromisoformat(text))
    except ValueError:
        return text


def _uk_date_time(text: str) -> str:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    return f"{long_date(moment)} {moment:%H:%M}"
