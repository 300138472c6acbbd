"""Disclosure control: small counts of people never leave the council, nor can they be worked
back from what does.

The rules, with their reasons (ONS and GSS practice for tables of counts; docs/disclosure.md
says the same for the council's KPI team). They apply to every series that counts people: one
the store marks so, one whose unit or title names people (children, adults, households...),
and the total of parts that count people. A series whose unit is a count has its values
protected as counts; any other (a percentage, a rate) is a rate, protected by rule 4.

1. One symbol, one note. Every withheld figure is published as [c] with the same neutral note,
   whatever the reason. A note that said "fewer than 5" here and "to protect another figure"
   there would tell a reader which withheld figures are small, and so their range.
2. Small counts (primary suppression). A count of 1 to 4 people can identify someone, so it is
   withheld. A true 0 identifies nobody and is published; so a reader knows every withheld
   count is at least 1, and the protection below allows for that.
3. Running totals. In a year-to-date series the change from one period to the next (in a
   cumulative series, from the start of the series) is itself a count of people, so a period
   whose change is 1 to 4 is withheld. The year's figure of a year-to-date series is its last
   quarter's figure under another name, so it is published only when every quarter of that
   year is (and it is drawn apart from the quarters on the chart).
4. Rates on small bases. A percentage or rate of people whose denominator is below the
   minimum base (10 unless OPENDATA_DISCLOSURE_MIN_BASE says otherwise), or whose numerator or
   complement (denominator less numerator: the people it did not happen to) is 1 to 4, is
   withheld: "75% of 8" says 2 children did not. Numerators and denominators are published
   beside a rate only where that is safe: never for a running total (their differences would
   be counts), and never beside a withheld rate.
5. Differencing (secondary suppression). A reader has every published figure and knows how
   they relate: a total is the sum of its parts in each period (its parts are the series
   that name it as their total, so series sharing a total are read together); in a running
   total each figure is at least the one before, and figures that end on the same day (the
   fourth quarter and the year) are equal. No withheld count, nor the change a withheld
   running-total figure makes, may be narrowed by those relations to fewer than 5 possible
   values (`publishers.inference` works this out exactly, as a reader solving the equations
   would). Until none is, the smallest published count that would widen the narrowest range
   is withheld too, a part, a total or a neighbouring period (fewest people hidden, as ONS's
   cell-suppression heuristics prefer). A reader keeps old files, so a figure an earlier
   released file showed counts as known, and withholding it now protects nothing. Where every
   part is supplied the total is their exact sum (any gap between them counted as known); a
   part with no figure, or one the source holds back, makes the total only a ceiling on the
   parts shown. A later run that supplies it sees the same relations, with the old files, and
   withholds what it must then.

The transform does the work and runs last of the transforms; the check runs after every
transform and vetoes the run if anything disclosive is left, whoever put it there. What was
withheld is kept on the series in memory only, for the check (`Series.withheld`), and is never
written anywhere. Figures already published in an earlier file stay in that file: withholding
them later cannot take them back, so that is a person's decision (the run warns).
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from catalog.errors import Invalid
from catalog.indicators.series import ObservationInput
from catalog.periods import FINANCIAL_YEAR, MONTH, QUARTER, Period, parse_period
from publishers.batches import Batch, Problem, Series
from publishers.hookspecs import hookimpl
from publishers.inference import Key, System, Terms, spread
from publishers.row_checks import is_count, names_people

THRESHOLD = 5  # counts from 1 to THRESHOLD - 1 are small
RANGE = THRESHOLD - 1  # a withheld count keeps at least THRESHOLD possible values
MIN_BASE_SETTING = "OPENDATA_DISCLOSURE_MIN_BASE"
MIN_BASE = 10
SUPPRESSED = "[c]"
NOTE = "Withheld to protect privacy: the numbers involved are small enough to identify people."
RUNNING_TOTALS = {"year_to_date", "cumulative"}
PER_YEAR = {QUARTER: 4, MONTH: 12}


def is_small_count(count: float | None) -> bool:
    """1 to 4 people, enough to identify someone; zero and no figure at all are not."""
    return count is not None and 0 < abs(count) < THRESHOLD


def minimum_base() -> int:
    """The smallest denominator a rate of people is published on."""
    return int(os.environ.get(MIN_BASE_SETTING) or MIN_BASE)


@hookimpl(trylast=True)
def opendata_transform(source, batch: Batch) -> Batch:
    base = minimum_base()
    for series in _people(batch):
        for observation in series.observations:
            if _counted(series):
                if is_small_count(observation.value):
                    _withhold(series, observation)
            elif _rate_unsafe(observation, base):
                _withhold(series, observation)
    for series, observation in _small_changes(batch, shown_only=False):
        _withhold(series, observation)
    while _withhold_years(batch) | _withhold_to_protect(batch):
        pass
    for series in _people(batch):
        if not _counted(series):
            _hide_rate_parts(series, base)
    return batch


@hookimpl
def opendata_check(source, batch: Batch) -> list[Problem]:
    base = minimum_base()
    found = []
    for series in _people(batch):
        for observation in series.observations:
            period = _period(observation)
            if _shows_small_count(series, observation):
                found.append(
                    _problem(
                        "disclosure-small-count",
                        series,
                        period,
                        f"a count of fewer than {THRESHOLD} people would be published.",
                    )
                )
            elif (
                not _counted(series)
                and observation.symbol is None
                and _rate_unsafe(observation, base)
            ):
                found.append(
                    _problem(
                        "disclosure-small-base",
                        series,
                        period,
                        "a rate on "
                        f"fewer than {base} people, or with fewer than "
                        f"{THRESHOLD} on either side, would be published.",
                    )
                )
            elif not _counted(series) and _rate_parts_shown(series, observation, base):
                found.append(
                    _problem(
                        "disclosure-rate-parts",
                        series,
                        period,
                        "the numerator and denominator would be published beside the rate.",
                    )
                )
    for series, observation in _small_changes(batch, shown_only=True):
        found.append(
            _problem(
                "disclosure-small-change",
                series,
                _period(observation),
                "the "
                "change from the figure before it would be a count of fewer "
                f"than {THRESHOLD} people.",
            )
        )
    for series, observation in _years_ahead_of_quarters(batch):
        found.append(
            _problem(
                "disclosure-year-figure",
                series,
                _period(observation),
                "the year's figure would be published while a quarter of it is not.",
            )
        )
    relations = Relations.of(batch)
    for ref, period in relations.narrowed():
        found.append(
            _problem(
                "disclosure-narrowed",
                batch.find(ref),
                period,
                f"a withheld figure could be worked out to fewer than {THRESHOLD} possible "
                "values from the published figures.",
            )
        )
    return found


def _problem(code: str, series: Series | None, period: str, what: str) -> Problem:
    ref = series.ref if series is not None else ""
    return Problem(code, f"{ref} {period}: {what}", ref=ref, period=period)


# -- Which series and figures ------------------------------------------------------------------


def _people(batch: Batch) -> Iterator[Series]:
    """The series that count people: marked so, named so, the total of parts that do, and the
    parts of a total that does."""
    people = {
        s.ref
        for s in batch.series
        if s.counts_people or names_people(s.indicator.unit, s.indicator.title)
    }
    people |= {s.part_of for s in batch.series if s.part_of and s.ref in people}
    people |= {s.ref for s in batch.series if s.part_of in people}
    for series in batch.series:
        if series.ref in people:
            yield series


def _counted(series: Series) -> bool:
    """Whether the series' values are counts (else they are rates of people)."""
    return is_count(series.indicator.unit)


def _withhold(series: Series, observation: ObservationInput) -> bool:
    """Withhold a figure (rule 1: one symbol, one note), keeping it in memory for the check;
    whether it was shown until now."""
    if observation.symbol == SUPPRESSED:
        return False
    period = _period(observation)
    if observation.value is not None and _counted(series):
        series.withheld[period] = observation.value
    observation.value, observation.symbol, observation.note = None, SUPPRESSED, NOTE
    observation.numerator = observation.denominator = None
    series.suppressed.append(period)
    return True


def _shows_small_count(series: Series, observation: ObservationInput) -> bool:
    shown = [observation.numerator, observation.denominator]
    if _counted(series) and observation.symbol is None:
        shown.append(observation.value)
    return any(is_small_count(count) for count in shown)


# -- Rule 4: rates ---------------------------------------------------------------------------


def _rate_unsafe(observation: ObservationInput, base: int) -> bool:
    numerator, denominator = observation.numerator, observation.denominator
    if denominator is not None and denominator < base:
        return True
    if numerator is None:
        return False
    rest = denominator - numerator if denominator is not None else None
    return is_small_count(numerator) or is_small_count(rest)


def _rate_parts_shown(series: Series, observation: ObservationInput, base: int) -> bool:
    shown = observation.numerator is not None or observation.denominator is not None
    if not shown:
        return False
    running = series.indicator.collection_type in RUNNING_TOTALS
    return running or observation.symbol is not None or _rate_unsafe(observation, base)


def _hide_rate_parts(series: Series, base: int) -> None:
    for observation in series.observations:
        if _rate_parts_shown(series, observation, base):
            observation.numerator = observation.denominator = None


# -- Rule 3: running totals --------------------------------------------------------------------


def _running(batch: Batch) -> Iterator[Series]:
    for series in _people(batch):
        if _counted(series) and series.indicator.collection_type in RUNNING_TOTALS:
            yield series


def _stretches(series: Series) -> Iterator[list[tuple[Period, ObservationInput]]]:
    """The figures that add up together, in order of the day they end: each year of a
    year-to-date series (financial, or academic for an academic-year series), the whole of a
    cumulative one."""
    yearly = series.indicator.collection_type == "year_to_date"
    first_month = 9 if series.indicator.frequency == "academic_year" else 4
    groups: dict[int, list[tuple[Period, ObservationInput]]] = defaultdict(list)
    for observation in series.observations:
        period = _parsed(observation)
        if period is not None:
            start = period.start
            year = start.year - (start.month < first_month) if yearly else 0
            groups[year].append((period, observation))
    for members in groups.values():
        yield sorted(members, key=lambda pair: (pair[0].end, -pair[0].start.toordinal()))


def _steps(stretch) -> Iterator[tuple[ObservationInput | None, ObservationInput]]:
    """(the figure before, the figure) for each figure of the stretch, among its own kind."""
    last: dict[str, ObservationInput] = {}
    for period, observation in stretch:
        yield last.get(period.kind), observation
        last[period.kind] = observation


def _small_changes(batch: Batch, *, shown_only: bool) -> Iterator[tuple[Series, ObservationInput]]:
    """Figures of running totals whose change from the figure before is small: between the true
    figures (to withhold), or between figures both shown (for the check)."""
    for series in _running(batch):
        for stretch in _stretches(series):
            for before, observation in _steps(stretch):
                now = _truth(series, observation) if not shown_only else observation.value
                if shown_only and observation.symbol is not None:
                    continue
                was = (
                    0.0
                    if before is None
                    else (before.value if shown_only else _truth(series, before))
                )
                if now is not None and was is not None and is_small_count(now - was):
                    yield series, observation


def _years_ahead_of_quarters(batch: Batch) -> Iterator[tuple[Series, ObservationInput]]:
    """Year figures of year-to-date series shown while a quarter (or month) of the year with
    figures of that kind is not."""
    for series in _people(batch):
        if series.indicator.collection_type != "year_to_date":
            continue
        for stretch in _stretches(series):
            kinds: dict[str, list[ObservationInput]] = defaultdict(list)
            for period, observation in stretch:
                kinds[period.kind].append(observation)
            finer = [kind for kind in PER_YEAR if kinds[kind]]
            complete = all(
                len(kinds[kind]) == PER_YEAR[kind] and all(o.symbol is None for o in kinds[kind])
                for kind in finer
            )
            if finer and not complete:
                yield from ((series, o) for o in kinds[FINANCIAL_YEAR] if o.symbol is None)


def _withhold_years(batch: Batch) -> bool:
    withheld = False
    for series, observation in list(_years_ahead_of_quarters(batch)):
        withheld |= _withhold(series, observation)
    return withheld


# -- Rule 5: differencing ----------------------------------------------------------------------


@dataclass
class Relations:
    """What a reader knows: every count cell (published or withheld), its true value where
    known, and the equations and inequalities between cells."""

    cells: dict[Key, tuple[Series, ObservationInput]]
    truth: dict[Key, int]
    released: set[Key]  # withheld now, but an earlier released file shows the true figure
    relations: list[tuple[dict[Key, int], int, bool]]  # (terms, bound, equal)
    quantities: list[tuple[Key, Terms]]  # what must keep its range, by the cell it protects

    @classmethod
    def of(cls, batch: Batch) -> Relations:
        cells: dict[Key, tuple[Series, ObservationInput]] = {}
        truth: dict[Key, int] = {}
        for series in _people(batch):
            if not _counted(series):
                continue
            for observation in series.observations:
                key = (series.ref, _period(observation))
                found = _truth(series, observation)
                if found is not None or observation.symbol == SUPPRESSED:
                    cells[key] = (series, observation)
                if found is not None:
                    truth[key] = round(found)
        released = {key for key in cells if truth.get(key) in batch.released.get(key, set())}
        made = cls(cells, truth, released, [], [])
        made._totals(batch)
        made._chains(batch)
        return made

    def _residual(self, terms: dict[Key, int]) -> int:
        """What the cells add up to in truth (0 when a cell's truth is unknown): a reader is
        taken to know it (a total whose parts, all supplied, do not quite add up to it)."""
        if any(key not in self.truth for key in terms):
            return 0
        return sum(c * self.truth[key] for key, c in terms.items())

    def _relate(self, terms: dict[Key, int], *, equal: bool) -> None:
        bound = self._residual(terms)
        self.relations.append((terms, bound if equal else min(0, bound), equal))

    def _totals(self, batch: Batch) -> None:
        """Each total is the sum of its parts, period by period; where a part has no figure
        (or the source holds parts it does not supply) it is at least the parts shown."""
        parts: dict[str, list[Series]] = defaultdict(list)
        for series in batch.series:
            if series.part_of:
                parts[series.part_of].append(series)
        for total_ref, members in parts.items():
            total = batch.find(total_ref)
            for ref, period in [key for key in self.cells if key[0] == total_ref]:
                terms = {(ref, period): 1}
                terms |= {(m.ref, period): -1 for m in members if (m.ref, period) in self.cells}
                complete = len(terms) == len(members) + 1 and not (total and total.other_parts)
                if len(terms) > 1:
                    self._relate(terms, equal=complete)

    def _chains(self, batch: Batch) -> None:
        for series in _running(batch):
            for stretch in _stretches(series):
                keys = [(series.ref, period.code) for period, _ in stretch]
                ends = [period.end for period, _ in stretch]
                present = [(k, e) for k, e in zip(keys, ends, strict=True) if k in self.cells]
                for (earlier, end_a), (later, end_b) in zip(present, present[1:], strict=False):
                    self._relate({later: 1, earlier: -1}, equal=end_a == end_b)
                for before, observation in _steps(stretch):
                    key = (series.ref, _period(observation))
                    if observation.symbol == SUPPRESSED and key in self.cells:
                        self.quantities.append((key, {key: 1}))
                        previous = (series.ref, _period(before)) if before else None
                        if previous in self.cells:
                            self.quantities.append((key, {key: 1, previous: -1}))

    def withheld(self) -> list[Key]:
        """The cells a reader does not know: withheld now and in every earlier file."""
        return [
            key
            for key, (_, o) in self.cells.items()
            if o.symbol == SUPPRESSED and key not in self.released
        ]

    def system(self, also: Key | None = None) -> System:
        """The reader's equations, with `also` withheld as well."""
        hidden = set(self.withheld()) | ({also} if also else set())
        known = {key: value for key, value in self.truth.items() if key not in hidden}
        cap = 2 * max([*self.truth.values(), 0]) + 10 * (len(hidden) + 1) + 100
        system = System(ranges={key: (1, cap) for key in hidden})
        for terms, bound, equal in self.relations:
            system.add(terms, known, bound, equal=equal)
        return system

    def all_quantities(self) -> list[tuple[Key, Terms]]:
        """What must keep its range: each withheld count, and the change each withheld
        running-total figure makes (by the cell it protects); none that is already public."""
        unknown = set(self.withheld())
        chained = {key for key, _ in self.quantities}
        alone = [(key, {key: 1}) for key in unknown if key not in chained]
        return alone + [(key, terms) for key, terms in self.quantities if key in unknown]

    def narrowed(self) -> list[Key]:
        """The withheld cells a reader could narrow to too few values."""
        system = self.system()
        return sorted(
            {key for key, terms in self.all_quantities() if spread(system, terms, RANGE) < RANGE}
        )

    def candidates(self, terms: Terms) -> list[Key]:
        """Published cells linked to the quantity, smallest first: never a true 0 (a reader knows
        withheld cells are not 0), nor one an earlier file already shows."""
        system = self.system()
        linked = set(system.component({key for key in terms if key in system.ranges}).ranges)
        found = {
            key
            for relation, _, _ in self.relations
            if linked & relation.keys()
            for key in relation
            if key not in linked
            and key not in self.released
            and self.truth.get(key, 0) > 0
            and self.cells[key][1].symbol is None
        }
        return sorted(found, key=lambda key: (self.truth[key], key))


def _withhold_to_protect(batch: Batch) -> bool:
    """Rule 5, one cell at a time; whether anything more was withheld."""
    withheld = False
    while True:
        relations = Relations.of(batch)
        system = relations.system()
        failing = next(
            (
                terms
                for _, terms in relations.all_quantities()
                if spread(system, terms, RANGE) < RANGE
            ),
            None,
        )
        if failing is None:
            return withheld
        choice = _best_cover(relations, failing)
        if choice is None:
            return withheld  # nothing left to withhold: the check will veto the run
        series, observation = relations.cells[choice]
        withheld |= _withhold(series, observation)


def _best_cover(relations: Relations, failing: Terms) -> Key | None:
    """The smallest linked cell whose withholding gives the quantity its range, or else the
    one that widens it most."""
    best, widest = None, -1
    for key in relations.candidates(failing):
        reach = spread(relations.system(also=key), failing, RANGE)
        if reach >= RANGE:
            return key
        if reach > widest:
            best, widest = key, reach
    return best


# -- Periods and figures ---------------------------------------------------------------------


def _truth(series: Series, observation: ObservationInput) -> float | None:
    """The figure as it really is: shown, or kept in memory when withheld."""
    if observation.value is not None:
        return observation.value
    return series.withheld.get(_period(observation))


def _parsed(observation: ObservationInput) -> Period | None:
    try:
        return parse_period(observation.period)
    except Invalid:
        return None


def _period(observation: ObservationInput) -> str:
    """The canonical code, so "Q3 2017/18" and "2017/18 Q3" are one period."""
    parsed = _parsed(observation)
    return parsed.code if parsed else observation.period
