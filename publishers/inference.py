"""What a reader can work out about withheld counts from the figures that are published.

Disclosure control asks this of every withheld count: from everything published (totals and
their parts, the other periods of a running total, the year's figure beside its quarters), how
many values could it still have? The published figures and the relations between them are
linear constraints on whole numbers; each withheld count is an unknown of at least 1 (a true
0 is always published, so a reader knows a withheld cell is not 0). The smallest and largest
value a withheld count (or the change a withheld running-total figure makes) can take is found
by search: constraint propagation narrows every unknown's range, and splitting a range in two
explores what is left, so the answer is exact, not an estimate. The search has a budget; when
it runs out the quantity counts as narrowed, so the answer errs towards withholding more.

This module knows nothing of batches or series: `System` holds unknown cells, constraints and
quantities, and `spread` says how far a quantity can move.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Key = tuple[str, str]  # a cell: (indicator reference, period)
Terms = dict[Key, int]  # unknown -> coefficient
Ranges = dict[Key, tuple[int, int]]
BUDGET = 20_000  # search nodes per question; beyond it the answer is "narrowed"


@dataclass
class Constraint:
    """sum(coefficient * value) >= bound, or == bound when `equal`."""

    terms: Terms
    bound: int
    equal: bool = False


@dataclass
class System:
    """Unknowns (withheld counts) with their ranges, and the constraints between them that
    remain once the published figures are put in."""

    ranges: Ranges = field(default_factory=dict)
    constraints: list[Constraint] = field(default_factory=list)

    def add(self, terms: dict[Key, int], known: dict[Key, int], bound: int, *, equal: bool):
        """A constraint over cells, some published (`known`), the rest unknowns."""
        left = {key: c for key, c in terms.items() if key not in known and c}
        rest = bound - sum(c * known[key] for key, c in terms.items() if key in known)
        if left:
            self.constraints.append(Constraint(left, rest, equal))

    def component(self, keys: set[Key]) -> System:
        """The part of the system the given unknowns are linked to."""
        linked, reached = set(keys), True
        while reached:
            reached = False
            for constraint in self.constraints:
                if linked & constraint.terms.keys() and not constraint.terms.keys() <= linked:
                    linked |= constraint.terms.keys()
                    reached = True
        chosen = [c for c in self.constraints if linked & c.terms.keys()]
        return System({key: self.ranges[key] for key in linked}, chosen)


def spread(system: System, quantity: Terms, needed: int) -> int:
    """How far apart two values of `quantity` (a sum of cells; the published ones only move it
    by a constant) can be, counted up to `needed`: `needed` means at least that far, so it
    cannot be narrowed to fewer than `needed` + 1 values."""
    quantity = {key: c for key, c in quantity.items() if key in system.ranges}
    if not quantity:
        return 0  # every figure in it is published
    part = system.component(set(quantity))
    point = _solve(part.constraints, dict(part.ranges), [BUDGET])
    if point is None:
        return needed  # nothing published fits together: nothing can be pinned
    at = _value(quantity, point)
    highest = at
    for step in range(needed, 0, -1):
        if _solve(
            [*part.constraints, Constraint(quantity, at + step)], dict(part.ranges), [BUDGET]
        ):
            highest = at + step
            break
    if highest - at >= needed:
        return needed
    lowest_needed = at - (needed - (highest - at))
    below = {key: -c for key, c in quantity.items()}
    if _solve([*part.constraints, Constraint(below, -lowest_needed)], dict(part.ranges), [BUDGET]):
        return needed
    return highest - at  # an underestimate is enough: it is below what is needed


def _value(terms: Terms, point: dict[Key, int]) -> int:
    return sum(c * point[key] for key, c in terms.items())


def _solve(constraints: list[Constraint], ranges: Ranges, budget: list[int]):
    """A whole-number point meeting every constraint within the ranges, or None."""
    budget[0] -= 1
    if budget[0] < 0:
        return None
    narrowed = _propagate(constraints, ranges)
    if narrowed is None:
        return None
    open_ = [key for key, (lo, hi) in narrowed.items() if lo < hi]
    if not open_:
        point = {key: lo for key, (lo, _) in narrowed.items()}
        return point if all(_holds(c, point) for c in constraints) else None
    key = min(open_, key=lambda k: (narrowed[k][1] - narrowed[k][0], str(k)))
    lo, hi = narrowed[key]
    middle = (lo + hi) // 2
    for half in ((lo, middle), (middle + 1, hi)):
        found = _solve(constraints, narrowed | {key: half}, budget)
        if found is not None:
            return found
    return None


def _holds(constraint: Constraint, point: dict[Key, int]) -> bool:
    total = _value(constraint.terms, point)
    return total == constraint.bound if constraint.equal else total >= constraint.bound


def _propagate(constraints: list[Constraint], ranges: Ranges) -> Ranges | None:
    """Narrow every range by what each constraint allows given the others, until nothing
    changes; None when a range becomes empty."""
    ranges = dict(ranges)
    changed = True
    while changed:
        changed = False
        for constraint in constraints:
            sides = [(constraint.terms, constraint.bound)]
            if constraint.equal:
                sides.append(({k: -c for k, c in constraint.terms.items()}, -constraint.bound))
            for terms, bound in sides:
                result = _narrow(terms, bound, ranges)
                if result is None:
                    return None
                changed |= result
    return ranges


def _narrow(terms: Terms, bound: int, ranges: Ranges) -> bool | None:
    """Apply sum(c * x) >= bound to each x's range; whether any range moved (None if empty)."""
    highs = {key: max(c * ranges[key][0], c * ranges[key][1]) for key, c in terms.items()}
    most = sum(highs.values())
    if most < bound:
        return None
    moved = False
    for key, c in terms.items():
        need = bound - (most - highs[key])  # c * x must reach this
        lo, hi = ranges[key]
        if c > 0:
            lo = max(lo, -(-need // c))
        else:
            hi = min(hi, need // c)
        if lo > hi:
            return None
        if (lo, hi) != ranges[key]:
            ranges[key] = (lo, hi)
            moved = True
    return moved
