"""Dates as Solr reads them in a query, for CKAN's metadata_modified and metadata_created.

A date is an instant in UTC (`2026-01-01T00:00:00Z`, with up to nine decimals of a second; a
missing `Z` or time of day is forgiven) or NOW, followed by any of Solr's date maths: `/DAY`
rounds down to the day, `+1MONTH` and `-2YEARS` move on or back (to the month's last day when
the day is not in it). Results are naive UTC, as the catalogue stores times.
"""

from __future__ import annotations

import re
from calendar import monthrange
from datetime import datetime, timedelta

DATE_HELP = "use a form like 2026-01-01T00:00:00Z, NOW, NOW-1DAY or NOW/DAY."
_BASE = re.compile(r"NOW|\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)?Z?")
_STEP = re.compile(r"([+-]\d{1,6}|/)(YEAR|MONTH|DAY|DATE|HOUR|MINUTE|SECOND|MILLI(?:SECOND)?)S?")
_UNITS = {
    "DAY": timedelta(days=1),
    "DATE": timedelta(days=1),
    "HOUR": timedelta(hours=1),
    "MINUTE": timedelta(minutes=1),
    "SECOND": timedelta(seconds=1),
    "MILLI": timedelta(milliseconds=1),
    "MILLISECOND": timedelta(milliseconds=1),
}


def read_date(text: str, now: datetime) -> datetime | None:
    """A Solr date (naive UTC), or None for `*` and for what is not a date (the caller says)."""
    base = _BASE.match(text)
    if text == "*" or base is None:
        return None
    moment = now if base.group() == "NOW" else _instant(base.group())
    if moment is None:
        return None
    at = base.end()
    while at < len(text):
        step = _STEP.match(text, at)
        if step is None:
            return None
        moment = _stepped(moment, step.group(1), step.group(2))
        at = step.end()
    return moment


def _instant(text: str) -> datetime | None:
    digits = text.removesuffix("Z")
    whole, _, fraction = digits.partition(".")
    try:
        moment = datetime.fromisoformat(whole)
    except ValueError:
        return None
    return moment + timedelta(microseconds=int(fraction[:6].ljust(6, "0"))) if fraction else moment


def _stepped(moment: datetime, step: str, unit: str) -> datetime:
    """Solr's date maths: `/DAY` rounds down to the unit, `+2MONTHS` and `-1DAY` add."""
    if step == "/":
        if unit in ("YEAR", "MONTH"):
            moment = moment.replace(month=1 if unit == "YEAR" else moment.month, day=1)
            return moment.replace(hour=0, minute=0, second=0, microsecond=0)
        size = _UNITS[unit]
        start = datetime(moment.year, moment.month, moment.day)
        return start + (moment - start) // size * size
    count = int(step)
    if unit in ("YEAR", "MONTH"):
        months = moment.month - 1 + count * (12 if unit == "YEAR" else 1)
        year, month = moment.year + months // 12, months % 12 + 1
        if not 1 <= year <= 9999:
            return datetime.max if count > 0 else datetime.min
        last = monthrange(year, month)[1]
        return moment.replace(year=year, month=month, day=min(moment.day, last))
    try:
        return moment + count * _UNITS[unit]
    except OverflowError:
        return datetime.max if count > 0 else datetime.min
