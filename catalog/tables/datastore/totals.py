"""How many of a table's rows past a given one match a filter: counted in blocks of rows, or,
once two million rows have been read, estimated from the blocks read so far when the estimate
is shown to be within 1%.

The rows are read in blocks of `BLOCK_ROWS` consecutive row numbers (`_row`, SQLite's rowid
and an indexed column on PostgreSQL, so a block is one range read). The blocks are visited
in rounds: the first is one block picked at random; each round then halves every stratum
(run of blocks) of the round before and reads one block, at random, in the half not read yet.
After a round the blocks read form a stratified random sample with one block a stratum, and
the matches of stratum h (W[h] rows, its block d[h] matches a row) are estimated as
W[h] * d[h]. The variance of the sum is estimated from neighbouring strata, as if each pair
were one stratum of two (the successive-difference estimator; Wolter, *Introduction to
Variance Estimation*, 2nd ed., chapter 8):

    v = n / (n - 1) * sum over h < n of W[h]^2 * (1 - f[h]) * (d[h+1] - d[h])^2 / 2

with n strata and f[h] the share of stratum h read (a stratum of one block, read whole,
adds nothing). The count stops with an estimate only when 3.29 * sqrt(v) (99.9% confidence
under the normal approximation) is at most 1% of the whole total, at least
`ESTIMATE_FROM_ROWS` rows of the table having been read (so a table of up to two million
rows is always counted exactly) and the sample having at least `MIN_STRATA` strata;
otherwise every block is read and the total is exact. Where matches bunch, a stratum
holding the edge of a bunch differs from its neighbour by about as much as it can be wrong,
so the bound widens with it and the count goes on (or ends exact); the random block within
each stratum keeps a pattern that repeats through the file from lining up with the sample.
What no sample can promise: a dense bunch narrower than a stratum that no block read touches
is not seen, and nothing widens the bound for it (docs/performance.md gives simulated odds),
which is why no estimate is made before two million rows are read. The random choices are
seeded by the table and filter, so the same question gets the same answer.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Connection, Table, func, select

from catalog.tables.datastore.tables import ROW

BLOCK_ROWS = 8192
ESTIMATE_FROM_ROWS = 2_000_000  # a table of up to this many rows is always counted exactly
MIN_STRATA = 64
WITHIN = 0.01
Z = 3.29  # the normal distribution's two-sided 99.9% point


@dataclass(frozen=True)
class Stratum:
    """Blocks `first` to `end - 1`, of which `block` was read and held `matches`."""

    first: int
    end: int
    block: int
    matches: int


@dataclass(frozen=True)
class Blocks:
    """The rows after `after` up to `last`, as blocks of `size` row numbers."""

    after: int
    last: int
    size: int

    @property
    def count(self) -> int:
        return max(0, -(-(self.last - self.after) // self.size))

    def bounds(self, block: int) -> tuple[int, int]:
        low = self.after + 1 + block * self.size
        return low, min(low + self.size - 1, self.last)

    def rows(self, first: int, end: int) -> int:
        """The row numbers in blocks `first` to `end - 1`."""
        return self.bounds(end - 1)[1] - self.bounds(first)[0] + 1


@dataclass(frozen=True)
class Total:
    matches: int
    exact: bool
    bound: int = 0  # an estimate's bound on its error (99.9% confidence)


def total_from_first_matches(
    connection: Connection,
    sql: Table,
    where: list[ColumnElement[bool]],
    *,
    counted: int,
    reached: int,
    seed: str,
) -> Total:
    """The matches of `where` in the whole table, given that its first `counted` matches end
    at row `reached`: those, and the matches of the rows after it, counted or estimated."""
    row = sql.c[ROW]
    # apart, as SQLite reads each of min() and max() from an end of the table only alone
    first = connection.execute(select(func.min(row))).scalar_one()
    last = connection.execute(select(func.max(row))).scalar_one()
    if last - first + 1 <= ESTIMATE_FROM_ROWS:  # counted whole anyway: one statement is quicker
        rest = select(func.count()).where(row > reached, *where)
        return Total(counted + connection.execute(rest).scalar_one(), exact=True)
    blocks = Blocks(after=reached, last=last, size=BLOCK_ROWS)

    def matches_in(block: int) -> int:
        low, high = blocks.bounds(block)
        counting = select(func.count()).where(row >= low, row <= high, *where)
        return connection.execute(counting).scalar_one()

    read = reached - first + 1
    return sampled_total(blocks, matches_in, read, counted, random.Random(seed))


def sampled_total(
    blocks: Blocks,
    matches_in: Callable[[int], int],
    already_read: int,
    already_matched: int,
    rng: random.Random,
    *,
    estimate_from_rows: int | None = None,
) -> Total:
    """The rounds of the module docstring, reading blocks through `matches_in`; an estimate
    may stop them once `estimate_from_rows` rows are read (ESTIMATE_FROM_ROWS unless told)."""
    least = ESTIMATE_FROM_ROWS if estimate_from_rows is None else estimate_from_rows
    if blocks.count == 0:
        return Total(already_matched, exact=True)
    first = rng.randrange(blocks.count)
    strata = [Stratum(0, blocks.count, first, matches_in(first))]
    read = already_read + blocks.rows(first, first + 1)
    while any(stratum.end - stratum.first > 1 for stratum in strata):
        if len(strata) >= MIN_STRATA and read >= least:
            estimate, bound = _estimate(blocks, strata)
            whole = already_matched + estimate
            if bound <= WITHIN * whole:
                return Total(round(whole), exact=False, bound=math.ceil(bound))
        halved = []
        for stratum in strata:
            halves, added = _halved(stratum, matches_in, rng)
            halved += halves
            if added is not None:
                read += blocks.rows(added, added + 1)
        strata = halved
    return Total(already_matched + sum(stratum.matches for stratum in strata), exact=True)


def _halved(
    stratum: Stratum, matches_in: Callable[[int], int], rng: random.Random
) -> tuple[list[Stratum], int | None]:
    """The stratum's two halves, the one without a block read getting one; and that block."""
    if stratum.end - stratum.first == 1:
        return [stratum], None
    middle = (stratum.first + stratum.end) // 2
    if stratum.block < middle:
        block = rng.randrange(middle, stratum.end)
        other = Stratum(middle, stratum.end, block, matches_in(block))
        return [Stratum(stratum.first, middle, stratum.block, stratum.matches), other], block
    block = rng.randrange(stratum.first, middle)
    other = Stratum(stratum.first, middle, block, matches_in(block))
    return [other, Stratum(middle, stratum.end, stratum.block, stratum.matches)], block


def _estimate(blocks: Blocks, strata: list[Stratum]) -> tuple[float, float]:
    """The estimated matches of every block, and the bound of its error (99.9% confidence)."""
    rows = [blocks.rows(stratum.first, stratum.end) for stratum in strata]
    read = [blocks.rows(stratum.block, stratum.block + 1) for stratum in strata]
    density = [stratum.matches / size for stratum, size in zip(strata, read, strict=True)]
    terms = [
        size * (size - block) * (later - earlier) ** 2 / 2  # W² (1 - f) (d' - d)² / 2
        for size, block, earlier, later in zip(rows, read, density, density[1:], strict=False)
    ]
    variance = len(strata) / (len(strata) - 1) * sum(terms)
    estimate = sum(share * size for share, size in zip(density, rows, strict=True))
    return estimate, Z * math.sqrt(variance)
