"""A generated council spend file for the datastore benchmark: 1,000,000 payments, 10 columns.

Shaped like the "spend over £500" files councils publish: a transaction number (the primary
key), the payment date, the service (an enum), the expense type, the supplier (required), the
invoice number, the amount and VAT (numbers), the cost centre and whether it was capital
spend. The same seed always gives the same bytes.

`write_planted` writes the same file with a few hundred known problems planted in it (type
errors, enum violations, missing required values, duplicate keys, duplicate rows, blank rows),
for checking that our report and `frictionless validate` find the same errors.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

SEED = 20240401
ROWS = 1_000_000
LINES_PER_WRITE = 10_000

SERVICES = (
    "Adult Care",
    "Children",
    "Housing",
    "Waste",
    "Highways",
    "Planning",
    "Libraries",
    "Parks",
    "Corporate",
    "Public Health",
)
EXPENSE_TYPES = (
    "Agency", "Repairs", "Care", "Consultancy", "Equipment", "Fuel", "Grounds", "Software",
    "Printing", "Rents", "Residential", "Materials", "Security", "Training", "Utilities", "Hire",
)  # fmt: skip
SUPPLIER_WORDS = (
    "Acorn", "Minster", "Ouse", "Vale", "Rose", "Northern", "Castle", "Foss",
    "Ridings", "Pennine", "Walmgate", "Dales", "Abbey", "Moor", "Shambles", "Valley",
)  # fmt: skip
SUPPLIER_KINDS = ("Care", "Ltd", "Build", "Supplies", "Homes", "Fleet", "Energy", "Print")
FIRST_DAY = date(2019, 4, 1)
DAYS = 5 * 365
HEADER = (
    "transaction_id,paid_on,service,expense_type,supplier,invoice,amount,vat,cost_centre,capital"
)

SCHEMA = {
    "fields": [
        {
            "name": "transaction_id",
            "type": "integer",
            "title": "Transaction number",
            "constraints": {"required": True},
        },
        {"name": "paid_on", "type": "date", "title": "Date paid"},
        {
            "name": "service",
            "type": "string",
            "title": "Service area",
            "constraints": {"enum": list(SERVICES)},
        },
        {"name": "expense_type", "type": "string", "title": "Expense type"},
        {
            "name": "supplier",
            "type": "string",
            "title": "Supplier",
            "constraints": {"required": True},
        },
        {"name": "invoice", "type": "string", "title": "Invoice number"},
        {"name": "amount", "type": "number", "title": "Amount (£, excluding VAT)"},
        {"name": "vat", "type": "number", "title": "VAT (£)"},
        {"name": "cost_centre", "type": "string", "title": "Cost centre"},
        {"name": "capital", "type": "boolean", "title": "Capital spend"},
    ],
    "primaryKey": ["transaction_id"],
}
HEADER = ",".join(field["name"] for field in SCHEMA["fields"])


@dataclass(frozen=True)
class Planted:
    """How many of each problem `write_planted` put in the file, and where."""

    type_errors: int = 240
    enum_errors: int = 120
    missing_required: int = 40
    duplicate_keys: int = 60
    duplicate_rows: int = 12
    blank_rows: int = 25

    def within(self, rows: int) -> Planted:
        """The same mix scaled down to fit a small file (a quick try, or the tests), at least
        one of each kind; the full mix fits any file of a few thousand rows."""
        counts = vars(self)
        room = max(rows - 100, 0) // 2
        total = sum(counts.values())
        if total <= room:
            return self
        if room < len(counts):
            raise ValueError(f"A planted file needs at least {100 + 2 * len(counts)} rows.")
        return Planted(**{kind: max(1, count * room // total) for kind, count in counts.items()})


def write_schema(path: Path) -> Path:
    path.write_text(json.dumps(SCHEMA, indent=2), encoding="utf-8")
    return path


def write_clean(path: Path, rows: int = ROWS, seed: int = SEED) -> Path:
    _write(path, _lines(rows, seed))
    return path


def write_planted(
    path: Path, rows: int = ROWS, seed: int = SEED, planted: Planted = Planted()
) -> Path:
    """The clean file's rows with `planted` problems at fixed, seeded places."""
    _write(path, _with_problems(_lines(rows, seed), rows, seed, planted.within(rows)))
    return path


def _write(path: Path, lines: Iterator[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(HEADER + "\n")
        chunk: list[str] = []
        for line in lines:
            chunk.append(line)
            if len(chunk) == LINES_PER_WRITE:
                handle.write("\n".join(chunk) + "\n")
                chunk = []
        if chunk:
            handle.write("\n".join(chunk) + "\n")


def _lines(rows: int, seed: int) -> Iterator[str]:
    rng = random.Random(seed)
    suppliers = [
        f"{rng.choice(SUPPLIER_WORDS)} {rng.choice(SUPPLIER_KINDS)} {n}" for n in range(1, 2001)
    ]
    days = [(FIRST_DAY + timedelta(days=n)).isoformat() for n in range(DAYS)]
    centres = [f"CC{n:03d}" for n in range(100, 700)]
    choice, random_ = rng.choice, rng.random
    for number in range(1, rows + 1):
        amount = round(500 + random_() ** 4 * 100_000, 2)
        vat = round(amount * 0.2, 2) if random_() < 0.7 else 0
        yield (
            f"{number},{choice(days)},{choice(SERVICES)},{choice(EXPENSE_TYPES)},"
            f"{choice(suppliers)},{number * 7 % 9_999_991:07d},{amount:.2f},{vat:.2f},"
            f"{choice(centres)},{'true' if random_() < 0.1 else 'false'}"
        )


def _with_problems(lines: Iterator[str], rows: int, seed: int, planted: Planted):
    rng = random.Random(seed + 1)
    places = iter(rng.sample(range(100, rows), sum(vars(planted).values())))
    plans: dict[int, str] = {}
    for kind, count in vars(planted).items():
        for _ in range(count):
            plans[next(places)] = kind
    earlier = ""
    for number, line in enumerate(lines, start=1):
        kind = plans.get(number)
        if kind is None:
            earlier = line
            yield line
            continue
        cells = line.split(",")
        if kind == "type_errors":
            column, text = rng.choice(((6, "TBC"), (1, "31/02/2024"), (7, "n/a"), (9, "maybe")))
            cells[column] = text
        elif kind == "enum_errors":
            cells[2] = cells[2].lower()
        elif kind == "missing_required":
            cells[4] = ""
        elif kind == "duplicate_keys":
            cells[0] = earlier.split(",", 1)[0]
        elif kind == "duplicate_rows":
            cells = earlier.split(",")
        elif kind == "blank_rows":
            yield ""
        earlier = line
        yield ",".join(cells)
