"""Totals past the exact threshold on the spend file, where matches are spread through it and
where they bunch (issue 22, item 2: an estimate within 1%).

For each filter, on the loaded table: the total the data API gives (and how long its first
count took), the exact count, the estimate the first 100,001 matches alone give (how totals
were estimated before: their count times the table's rows over the rows they span), and the
estimate `catalog.tables.datastore.totals` makes from its stratified blocks when allowed to
stop after 100,000 rows of the whole table (the API waits for two million, so on this table
it always counts), with the share of rows it read. The transaction number rises through the
file, so a range of it with a second condition bunches the matches, as a date range does in a
file sorted by date.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

from sqlalchemy import func, select

from benchmarks import instance
from benchmarks.timing import table
from catalog.tables.datastore import query as data_query
from catalog.tables.datastore import totals
from catalog.tables.datastore.engine import datastore_for
from catalog.tables.datastore.serving import served_table
from catalog.tables.datastore.tables import ROW

FILTERS = (
    ("spread", "supplier contains care", {"supplier__contains": "care"}),
    ("spread", "expense_type starts with R", {"expense_type__startswith": "R"}),
    ("bunched", "invoice contains 1", {"invoice__contains": "1"}),
    (
        "bunched",
        "transaction_id > 400,000 and expense_type starts with R",
        {"transaction_id__gt": "400000", "expense_type__startswith": "R"},
    ),
    (
        "bunched",
        "transaction_id <= 600,000 and expense_type starts with R",
        {"transaction_id__lte": "600000", "expense_type__startswith": "R"},
    ),
)
SAMPLE_FROM_ROWS = 100_000


def run(folder: Path, resource_id: str, engine: str) -> list[dict]:
    print(f"\n  {engine}: totals past {data_query.EXACT_TOTAL_UP_TO:,} matches")
    app = instance.served_app(folder)
    found = []
    with app.extensions["catalog"]["sessions"]() as session:
        _resource, _version, loaded = served_table(session, resource_id)
        datastore = datastore_for(session)
        for spread, label, params in FILTERS:
            found.append(_one(datastore, loaded, spread, label, params))
    instance.close(app)
    print(_table(found))
    return found


def _one(datastore, loaded, spread: str, label: str, params: dict[str, str]) -> dict:
    asked = {name: [value] for name, value in params.items()}
    query = data_query.parse_query(loaded, asked)
    started = time.perf_counter()
    page = data_query.run_query(datastore, loaded, query)
    seconds = time.perf_counter() - started
    exact_query = data_query.parse_query(loaded, {**asked, "_count": ["exact"]})
    exact = data_query.run_query(datastore, loaded, exact_query).total
    sql = data_query.sql_table_of(datastore, loaded)
    where = data_query.conditions(sql, query)
    row = sql.c[ROW]
    with datastore.engine.connect() as connection:
        first = select(row).where(*where).order_by(row).limit(100_001).subquery()
        counted, reached = connection.execute(select(func.count(), func.max(first.c[ROW]))).one()
        last = connection.execute(select(func.max(row))).scalar_one()
        blocks = totals.Blocks(after=0, last=last, size=totals.BLOCK_ROWS)
        read: list[int] = []

        def matches_in(block: int) -> int:
            read.append(block)
            low, high = blocks.bounds(block)
            counting = select(func.count()).where(row >= low, row <= high, *where)
            return connection.execute(counting).scalar_one()

        sampled = totals.sampled_total(
            blocks, matches_in, 0, 0, random.Random(label), estimate_from_rows=SAMPLE_FROM_ROWS
        )
    before = round(counted * loaded.row_count / reached) if reached else 0
    return {
        "matches": spread,
        "filter": label,
        "exact": exact,
        "api_total": page.total,
        "api_total_is_exact": page.total_is_exact,
        "api_first_count_seconds": seconds,
        "before_estimate": before,
        "before_error_percent": _error(before, exact),
        "sampled_estimate": sampled.matches,
        "sampled_is_exact": sampled.exact,
        "sampled_bound": sampled.bound,
        "sampled_error_percent": _error(sampled.matches, exact),
        "sampled_rows_read_percent": 100 * len(read) / blocks.count,
    }


def _error(estimate: int, exact: int) -> float:
    """How far off, in per cent of the exact count (none off when nothing matches)."""
    return 100 * (estimate - exact) / exact if exact else 0.0


def _table(found: list[dict]) -> str:
    rows = [
        (
            f"{item['filter']} ({item['matches']})",
            item["exact"],
            f"{item['api_total']:,}{'' if item['api_total_is_exact'] else ' (est.)'}",
            f"{item['api_first_count_seconds'] * 1000:.0f}",
            f"{item['before_error_percent']:+.2f}%",
            f"{item['sampled_error_percent']:+.2f}%"
            + (" (exact)" if item["sampled_is_exact"] else f" ±{item['sampled_bound']:,}"),
            f"{item['sampled_rows_read_percent']:.0f}%",
        )
        for item in found
    ]
    headers = (
        "filter",
        "exact",
        "API total",
        "first page ms",
        "first-matches est.",
        "blocks est.",
        "rows read",
    )
    return "\n".join("    " + line for line in table(headers, rows).splitlines())
