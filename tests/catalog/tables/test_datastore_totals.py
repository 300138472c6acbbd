"""Totals past the exact threshold: the rows after the first matches are counted block by
block, and in a large table the count may stop with an estimate, which must be within 1%
however the matches lie in the file (spread out, bunched in a block, at either end, rising,
in stripes)."""

from __future__ import annotations

import random

import pytest

from catalog.tables.datastore import totals
from catalog.tables.datastore.totals import Blocks, sampled_total

ROWS = 300_000
BLOCK = 1024


def spread(share: float) -> float:
    return 0.13


def bunched(share: float) -> float:
    """Most matches in one block of the file, as a date range in a file sorted by date."""
    return 0.8 if 0.4 <= share < 0.6 else 0.01


def at_the_start(share: float) -> float:
    return 0.5 if share < 0.13 else 0.002


def at_the_end(share: float) -> float:
    return 0.6 if share >= 0.83 else 0.0


def rising(share: float) -> float:
    """Like invoice numbers that grow longer through the file."""
    return 0.6 * share


def striped(share: float) -> float:
    """A pattern that repeats through the file, in step with the blocks."""
    return 0.9 if int(share * ROWS / BLOCK) % 8 == 0 else 0.05


PATTERNS = [spread, bunched, at_the_start, at_the_end, rising, striped]


def matches_by_block(chance, seed: int, rows: int = ROWS, block: int = BLOCK) -> list[int]:
    rng = random.Random(seed)
    counts = [0] * -(-rows // block)
    for row in range(rows):
        if rng.random() < chance(row / rows):
            counts[row // block] += 1
    return counts


@pytest.mark.parametrize("chance", PATTERNS, ids=lambda chance: chance.__name__)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_an_estimate_is_within_1_percent_wherever_the_matches_lie(chance, seed, monkeypatch):
    monkeypatch.setattr(totals, "ESTIMATE_FROM_ROWS", 30_000)
    counts = matches_by_block(chance, seed)
    read: list[int] = []

    def matches_in(block: int) -> int:
        read.append(block)
        return counts[block]

    found = sampled_total(Blocks(0, ROWS, BLOCK), matches_in, 0, 0, random.Random(seed))
    exact = sum(counts)
    assert abs(found.matches - exact) <= exact / 100, (found, exact, len(read))
    assert found.exact == (len(read) == len(counts))
    if not found.exact:
        assert found.bound <= found.matches / 100
    assert len(set(read)) == len(read)


def test_a_table_under_the_estimate_threshold_is_counted_exactly():
    counts = matches_by_block(bunched, 4)
    found = sampled_total(
        Blocks(0, ROWS, BLOCK), lambda block: counts[block], 0, 0, random.Random(4)
    )
    assert (found.matches, found.exact) == (sum(counts), True)


def test_the_rows_after_the_first_matches_are_added_to_them():
    counts = [5, 0, 7]
    found = sampled_total(
        Blocks(after=1000, last=1000 + 2 * BLOCK + 10, size=BLOCK),
        lambda block: counts[block],
        1000,
        400,
        random.Random(0),
    )
    assert (found.matches, found.exact) == (412, True)
