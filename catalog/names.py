"""URL names (slugs) for datasets, organisations and topics, the numbers that stand for rows
(ids and version numbers) in addresses and parameters, and the UUIDs that are CKAN's ids."""

from __future__ import annotations

import re
from uuid import UUID

from catalog.errors import Invalid

NAME_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?$")
# The largest id every supported database holds: ids and version numbers are PostgreSQL
# `integer` columns (SQLite's hold 2**63 - 1); a larger number fails inside the query.
MAX_ROW_NUMBER = 2**31 - 1
ROW_NUMBER = re.compile(r"[0-9]{1,10}")
EXAMPLE_UUID = "0f3c6e2a-5b8d-4c1e-9a7f-2d4b6c8e0a13"


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
    (letters, a sign, Unicode digits such as '²', or 2**31 and above)."""
    if not ROW_NUMBER.fullmatch(text):
        return None
    number = int(text)
    return number if number <= MAX_ROW_NUMBER else None


def check_uuid(text: str, *, field: str = "id") -> str:
    """A UUID a caller chose as an id (a site administrator copying another CKAN site keeps
    its ids), written as every id here is: lower case, with hyphens."""
    try:
        canonical = str(UUID(text))
    except (TypeError, ValueError, AttributeError):
        canonical = None
    if canonical != text:
        raise Invalid(
            f"'{text}' is not an id: use a UUID in lower case, like {EXAMPLE_UUID}.", field=field
        )
    return text
