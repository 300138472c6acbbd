"""Timing helpers: run a callable many times and summarise the latencies in milliseconds."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Stats:
    """Latencies of one benchmark in milliseconds (nearest-rank percentiles).

    Wall-clock time is what a visitor waits. CPU time is this thread's own work, which other
    processes competing for the same cores do not inflate: when wall p95 is far above CPU p95,
    the machine was busy with something else.
    """

    runs: int
    p50: float
    p95: float
    max: float
    mean: float
    cpu_p50: float | None = None
    cpu_p95: float | None = None

    @classmethod
    def of(cls, wall: Sequence[float], cpu: Sequence[float] | None = None) -> Stats:
        ordered = sorted(wall)
        cpu_ordered = sorted(cpu) if cpu else None
        return cls(
            runs=len(ordered),
            p50=percentile(ordered, 50),
            p95=percentile(ordered, 95),
            max=ordered[-1],
            mean=sum(ordered) / len(ordered),
            cpu_p50=percentile(cpu_ordered, 50) if cpu_ordered else None,
            cpu_p95=percentile(cpu_ordered, 95) if cpu_ordered else None,
        )


def percentile(ordered: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted sequence."""
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def measure(call: Callable[[int], object], *, runs: int, warmup: int) -> Stats:
    """Time `call(i)` for i in range(runs) after `warmup` untimed calls; the GC stays on.

    As in `opendata.wsgi`, the app was built and `gc.freeze()` called before any of this (see
    `instance.served_app`)."""
    for i in range(warmup):
        call(i)
    wall, cpu = [], []
    clock, cpu_clock = time.perf_counter, time.thread_time
    for i in range(runs):
        started, cpu_started = clock(), cpu_clock()
        call(i)
        cpu.append((cpu_clock() - cpu_started) * 1000)
        wall.append((clock() - started) * 1000)
    return Stats.of(wall, cpu)


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain text table: first column left-aligned, the rest right-aligned."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        first, *rest = values
        parts = [first.ljust(widths[0])]
        parts += [v.rjust(w) for v, w in zip(rest, widths[1:], strict=True)]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(list(headers)), rule, *(line(r) for r in cells)])


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
