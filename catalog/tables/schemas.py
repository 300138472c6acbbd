"""The Table Schemas in `schemas/`: the public data contracts, one JSON file per standard."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from catalog.errors import NotFound
from catalog.names import NAME_PATTERN

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"


@dataclass(frozen=True)
class SchemaSummary:
    """One line of the public list of schemas."""

    name: str
    title: str
    description: str
    field_count: int


@cache
def load_schema(name: str) -> dict[str, Any]:
    path = SCHEMAS / f"{name}.json"
    if not NAME_PATTERN.match(name) or not path.is_file():
        raise NotFound(f"There is no schema called '{name}'.")
    return json.loads(path.read_text(encoding="utf-8"))


def schema_exists(name: object) -> bool:
    """Whether a resource's schema names one of ours, so its page can link to the standard."""
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        return False
    return (SCHEMAS / f"{name}.json").is_file()


def list_schemas() -> list[SchemaSummary]:
    """Every schema in `schemas/`, by title, so people can find the standard they publish to."""
    summaries = []
    for path in SCHEMAS.glob("*.json"):
        schema = load_schema(path.stem)
        summaries.append(
            SchemaSummary(
                name=path.stem,
                title=schema.get("title", path.stem),
                description=schema.get("description", ""),
                field_count=len(schema.get("fields", [])),
            )
        )
    return sorted(summaries, key=lambda summary: summary.title.lower())
