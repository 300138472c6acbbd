"""Jinja filters that present catalogue values in plain English."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask

from catalog.indicators.performance import format_value
from catalog.tables.datastore.serving import serves_table
from catalog.tables.schema_words import constraint_words, type_words
from catalog.tables.schemas import schema_exists
from catalog.uk_time import utc_to_uk
from opendata.markdown import plain_text, render_markdown


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        markdown=render_markdown,
        plain_text=plain_text,
        long_date=long_date,
        date_time=date_time,
        uk_date_time=uk_date_time,
        file_size=file_size,
        iso=iso,
        kpi_value=kpi_value,
        field_type=type_words,
        field_constraints=constraint_words,
    )
    app.jinja_env.tests["registered_schema"] = schema_exists
    app.jinja_env.tests["explorable"] = serves_table
    app.jinja_env.globals["site_name"] = app.config["SETTINGS"].site_name
    app.jinja_env.globals["map_tiles"] = app.config["SETTINGS"].map_tiles


def long_date(value: date | datetime | None) -> str:
    """'3 April 2024', the GOV.UK style."""
    return f"{value.day} {value:%B %Y}" if value else ""


def date_time(value: datetime | None) -> str:
    if not value:
        return ""
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    return f"{long_date(value)} at {hour}:{value:%M}{suffix} UTC"


def uk_date_time(value: datetime | None) -> str:
    """A stored UTC time as UK clock time, as publishers schedule it: '2 June 2025 at 9:30am'."""
    if not value:
        return ""
    local = utc_to_uk(value)
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    return f"{long_date(local)} at {hour}:{local:%M}{suffix} UK time"


def iso(value: date | datetime | None) -> str:
    return value.isoformat() if value else ""


def file_size(size: int | None) -> str:
    if size is None:
        return ""
    units = ["bytes", "KB", "MB", "GB"]
    amount = float(size)
    for unit in units:
        if amount < 1024 or unit == units[-1]:
            return f"{size:,} bytes" if unit == "bytes" else f"{amount:.1f} {unit}"
        amount /= 1024
    return f"{size:,} bytes"


def kpi_value(value: float | None, indicator) -> str:
    """A figure in its indicator's unit and decimals: 42.1%, £1,250, 1,216."""
    return "" if value is None else format_value(value, indicator.unit, indicator.decimals)
