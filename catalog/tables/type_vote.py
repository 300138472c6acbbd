"""Choosing a column's type by a vote of its cells, so a few bad cells are reported, not hidden.

frictionless's Detector settles each column on the first candidate type whose running score
reaches `field_confidence` of the sample. Text reads every cell, so it gets there first as soon
as one cell of a money or date column is not money or a date: the column becomes text and the
file passes its check with the bad cell in it. Here each column frictionless calls text, a
number or a date is voted on again over the whole sample: the candidate reading the most of its
non-blank cells wins (the most specific one on a tie) if it reads at least CONFIDENCE of them.
The cells it cannot read are then errors in the check's report, as `frictionless validate`
finds them given the same schema; the publisher can still call the column text.

Money is read as the standard schemas in `schemas/` describe it: a number that may carry a £
sign and thousands commas (`bareNumber: false`, `groupChar: ","`). Dates may be ISO or
written day first, as in 31/03/2026.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from catalog.tables.fields import CAST_ERRORS, field_reader

CONFIDENCE = 0.9
MISSING = [""]
REVOTED = {"string", "any", "integer", "number", "date"}
# Money as people write it: £1,234.50, -£20, 1234.5; the cast itself is laxer (it would read
# "INV123" as 123), so the vote holds a cell to this before counting it as money.
MONEY = re.compile(r"-?£?-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?")

# Candidates, the most specific first: a tie goes to the earlier one.
CANDIDATES: list[dict[str, Any]] = [
    {"type": "integer"},
    {"type": "number"},
    {"type": "number", "bareNumber": False, "groupChar": ","},
    {"type": "date"},
    {"type": "date", "format": "%d/%m/%Y"},
]


def _reader(candidate: dict[str, Any]) -> Callable[[str], bool]:
    """Whether one cell reads as the candidate type."""
    cast = field_reader({"name": "vote", **candidate}, MISSING).cast
    money = candidate.get("bareNumber") is False

    def reads(cell: str) -> bool:
        if money and MONEY.fullmatch(cell.strip()) is None:
            return False
        try:
            cast(cell)
        except CAST_ERRORS:
            return False
        return True

    return reads


READERS = [(candidate, _reader(candidate)) for candidate in CANDIDATES]


def voted_fields(
    fields: list[dict[str, Any]], rows: Sequence[Sequence[str]]
) -> list[dict[str, Any]]:
    """The fields frictionless inferred, each text, number or date column typed by the vote."""
    voted = []
    for index, field in enumerate(fields):
        if field.get("type", "any") not in REVOTED:
            voted.append(field)
            continue
        cells = [row[index] for row in rows if index < len(row) and row[index] not in MISSING]
        winner = vote(cells)
        if winner is None:
            voted.append(field)
        else:
            kept = {k: v for k, v in field.items() if k not in {"type", "format"}}
            voted.append({**kept, **winner})
    return voted


def vote(cells: list[str]) -> dict[str, Any] | None:
    """The candidate reading the most cells, if it reads at least CONFIDENCE of them. Each
    candidate stops counting once it has missed more than the vote allows."""
    if not cells:
        return None
    allowed = int(len(cells) * (1 - CONFIDENCE) + 1e-9)
    best: tuple[int, dict[str, Any]] | None = None
    for candidate, reads in READERS:
        misses = 0
        for cell in cells:
            if not reads(cell):
                misses += 1
                if misses > allowed:
                    break
        else:
            if best is None or len(cells) - misses > best[0]:
                best = (len(cells) - misses, candidate)
    return None if best is None else dict(best[1])
