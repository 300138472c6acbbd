"""URL names (slugs) for datasets, organisations and topics."""

from __future__ import annotations

import re

from catalog.errors import Invalid

NAME_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?$")


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
