"""The Table Schemas in `schemas/`: the public data contracts, one JSON file per standard."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from catalog.errors import NotFound
from catalog.names import NAME_PATTERN

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"


@cache
def load_schema(name: str) -> dict[str, Any]:
    path = SCHEMAS / f"{name}.json"
    if not NAME_PATTERN.match(name) or not path.is_file():
        raise NotFound(f"There is no schema called '{name}'.")
    return json.loads(path.read_text(encoding="utf-8"))
