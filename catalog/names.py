"""URL names (slugs) for datasets, organisations and topics, and the numbers that stand for
rows (ids and version numbers) in addresses and parameters."""

from __future__ import annotations

import re

from catalog.errors import Invalid

NAME_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?$")
# The largest integer SQLite and PostgreSQL (bigint) hold: a larger one fails inside the query.
MAX_ROW_NUMBER = 2**63 - 1
ROW_NUMBER = re.compile(r"[0-9]{1,19}")


def check_name(name: str, *, field: str = "name") -> str:
    if not NAME_PATTERN.match(name or ""):
        raise Invalid(
            "Use 1 to 100 lowercase letters, digits and hyphens, "
            "starting and ending with a letter or digit.",
            field=field,
        )
    return name


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:100].rstrip("-") or "dataset"


def row_number(text: str) -> int | None:
    """The number `text` spells, if any database could hold it as an id; None otherwise
    (letters, a sign, Unicode digits such as '²', or 2**63 and above)."""
    if not ROW_NUMBER.fullmatch(text):
        return None
    number = int(text)
    return number if number <= MAX_ROW_NUMBER else None
