"""Disclosure control: small counts of people never leave the council.

The rules (kpi.md, "Disclosure control") for a series marked as counting people, whose counts
are its value (when its unit is a count), its numerator and its denominator:

1. Small counts. A count of 1 to 4 people is small: it becomes [c], and so does the value
   computed from it (a percentage and its numerator). Zero is not a small count: it identifies
   nobody, so a true 0 is published as 0.
2. Running totals. In a year-to-date series each period's figure adds up from the start of the
   financial year (in a cumulative series, from the start of the series), so the change from
   one period to the next is itself a count of people. Where that change is small, the later
   period is withheld (primary). A reader can still subtract the published figures either side
   of a withheld period, so where that difference is small the later figure is withheld too
   (secondary), until no pair of published neighbours differs by a small count.
3. Totals and their parts. A reader sees the total and the parts published as figures, so the
   total minus those parts gives away the sum of everything else. A part that is not published
   at all (its figure not approved, the part not for publication or not included, or no figure
   for the period) counts as zero: it may be published later, or be nothing, so it never hides
   a withheld part. The withheld parts are safe only when there are at least two of them and
   together they are not a small count; until then the smallest published part above zero is
   withheld too (secondary), and when no such part is left, the total is.

The rules are applied again until none of them withholds anything more, since a figure withheld
by one can expose another. Suppression is recorded, not hidden: the published cell says [c]
with a note, and the run summary lists every period. The transform does the work and runs last
of the transforms; the check runs after every transform and vetoes the run if anything
disclosive is left, whoever put it there. Figures already published in an earlier file stay in
that file: withholding them later cannot take them back, so that is a person's decision.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from catalog.errors import Invalid
from catalog.indicators.series import ObservationInput
from catalog.periods import Period, parse_period
from publishers.batches import Batch, Problem, Series
from publishers.hookspecs import hookimpl

THRESHOLD = 5
SUPPRESSED = "[c]"
COUNT_UNITS = {"count", "number", "people", "children", "adults"}
RUNNING_TOTALS = {"year_to_date", "cumulative"}
PRIMARY_NOTE = "Fewer than 5 people: suppressed to protect privacy."
CHANGE_NOTE = (
    "The change since the period before counts fewer than 5 people: suppressed to protect privacy."
)
NEIGHBOUR_NOTE = (
    "Suppressed so that the figures either side cannot reveal a change withheld to protect privacy."
)
SECONDARY_NOTE = "Suppressed so that a total cannot reveal a figure withheld to protect privacy."
TOTAL_NOTE = "Suppressed so that the total cannot reveal a part withheld to protect privacy."

Cell = tuple[Series, ObservationInput]
Counts = dict[str, float]


def is_small_count(count: float | None) -> bool:
    """1 to 4 people, enough to identify someone; zero and no figure at all are not."""
    return count is not None and 0 < abs(count) < THRESHOLD


@hookimpl(trylast=True)
def opendata_transform(source, batch: Batch) -> Batch:
    truth = {id(o): _counts(s, o) for s, o in _counted(batch)}
    for series, observation in _counted(batch):
        if _small_counts(series, observation):
            _suppress(series, observation, PRIMARY_NOTE)
    while _withhold_changes(batch, truth) | _withhold_parts(batch, truth):
        pass
    return batch


@hookimpl
def opendata_check(source, batch: Batch) -> list[Problem]:
    problems = [
        Problem(
            "disclosure-small-count",
            f"{series.ref} {observation.period}: a count of fewer than {THRESHOLD} people "
            "would be published.",
            ref=series.ref,
            period=observation.period,
        )
        for series, observation in _counted(batch)
        if _small_counts(series, observation)
    ]
    for series, observation in _small_changes_shown(batch):
        problems.append(
            Problem(
                "disclosure-small-change",
                f"{series.ref} {observation.period}: the change from the figure published before "
                f"it would be a count of fewer than {THRESHOLD} people.",
                ref=series.ref,
                period=observation.period,
            )
        )
    for _total, _figure, period, cells in _totals_shown(batch):
        hidden = [series for series, observation in cells if observation.symbol == SUPPRESSED]
        if len(hidden) == 1:
            problems.append(
                Problem(
                    "disclosure-total-reveals",
                    f"{hidden[0].ref} {period}: the published total and the other parts "
                    "would reveal the withheld figure.",
                    ref=hidden[0].ref,
                    period=period,
                )
            )
    return problems


def _counted(batch: Batch) -> Iterator[Cell]:
    """Every observation of the series that count people."""
    for series in batch.series:
        if series.counts_people:
            for observation in series.observations:
                yield series, observation


def _fields(series: Series) -> tuple[str, ...]:
    """The figures of the series that count people."""
    if series.indicator.unit.strip().lower() in COUNT_UNITS:
        return ("value", "numerator", "denominator")
    return ("numerator", "denominator")


def _counts(series: Series, observation: ObservationInput) -> Counts:
    """The observation's counts of people as they are now, by field."""
    found = {name: getattr(observation, name) for name in _fields(series)}
    return {name: count for name, count in found.items() if count is not None}


def _small_counts(series: Series, observation: ObservationInput) -> bool:
    return any(is_small_count(count) for count in _counts(series, observation).values())


def _suppress(series: Series, observation: ObservationInput, note: str) -> None:
    observation.value, observation.symbol, observation.note = None, SUPPRESSED, note
    observation.numerator = None
    if is_small_count(observation.denominator):
        observation.denominator = None
    series.suppressed.append(_period(observation))


def _withhold_changes(batch: Batch, truth: dict[int, Counts]) -> bool:
    """Rule 2 over every running total; whether anything more was withheld."""
    changed = False
    for series in batch.series:
        if series.counts_people and series.indicator.collection_type in RUNNING_TOTALS:
            for stretch in _stretches(series):
                changed |= _withhold_stretch(series, stretch, truth)
    return changed


def _withhold_stretch(series: Series, stretch: list[ObservationInput], truth) -> bool:
    """Walk a stretch in order, comparing each figure still shown with the true figures of the
    period before (primary) and with the last figures shown (secondary)."""
    changed = False
    before: Counts = dict.fromkeys(_fields(series), 0.0)
    shown: Counts = dict(before)
    for observation in stretch:
        figures = truth.get(id(observation))
        if not figures:
            continue
        visible = _counts(series, observation)
        if _differs_little(visible, before):
            changed |= _withhold(series, observation, CHANGE_NOTE)
        elif _differs_little(visible, shown):
            changed |= _withhold(series, observation, NEIGHBOUR_NOTE)
        shown |= {name: figures[name] for name in _counts(series, observation)}
        before = figures
    return changed


def _differs_little(figures: Counts, base: Counts) -> bool:
    return any(
        is_small_count(count - base[name]) for name, count in figures.items() if name in base
    )


def _withhold(series: Series, observation: ObservationInput, note: str) -> bool:
    """Withhold a figure; one already withheld loses the denominator it kept."""
    if observation.symbol != SUPPRESSED:
        _suppress(series, observation, note)
    else:
        observation.denominator = None
    return True


def _stretches(series: Series) -> Iterator[list[ObservationInput]]:
    """The observations in period order, one list per stretch that keeps adding up: each
    financial year of a year-to-date series, the whole of a cumulative one (each kind of
    period apart, as a year's figure is not the next step after its last quarter)."""
    yearly = series.indicator.collection_type == "year_to_date"
    groups: dict[tuple, list[tuple[Period, ObservationInput]]] = defaultdict(list)
    for observation in series.observations:
        period = _parsed(observation)
        if period is not None:
            groups[(period.kind, _financial_year(period) if yearly else 0)].append(
                (period, observation)
            )
    for members in groups.values():
        yield [observation for _, observation in sorted(members, key=lambda pair: pair[0])]


def _financial_year(period: Period) -> int:
    start = period.start
    return start.year if start.month >= 4 else start.year - 1


def _small_changes_shown(batch: Batch) -> Iterator[Cell]:
    """Figures of a running total that differ from the last one shown by a small count."""
    for series in batch.series:
        if not series.counts_people or series.indicator.collection_type not in RUNNING_TOTALS:
            continue
        for stretch in _stretches(series):
            shown: Counts = {}
            for observation in stretch:
                visible = _counts(series, observation)
                if _differs_little(visible, shown):
                    yield series, observation
                shown |= visible


def _withhold_parts(batch: Batch, truth: dict[int, Counts]) -> bool:
    """Rule 3 for every total published as a figure; whether anything more was withheld."""
    changed = False
    for total, figure, _period_code, cells in list(_totals_shown(batch)):
        while _parts_revealed(cells, truth):
            shown = [(s, o) for s, o in cells if o.symbol is None and o.value]
            if not shown:
                _suppress(total, figure, TOTAL_NOTE)
                changed = True
                break
            series, observation = min(shown, key=lambda cell: (cell[1].value, cell[0].ref))
            _suppress(series, observation, SECONDARY_NOTE)
            changed = True
    return changed


def _parts_revealed(cells: list[Cell], truth: dict[int, Counts]) -> bool:
    """Whether total minus the published parts gives back a withheld part: there is only one,
    or together they are known to be a small count."""
    hidden = [(s, o) for s, o in cells if o.symbol == SUPPRESSED]
    sizes = [_size(s, truth.get(id(o), {})) for s, o in hidden]
    known = [size for size in sizes if size is not None]
    known_small = len(known) == len(sizes) and sum(known) < THRESHOLD
    return bool(hidden) and (len(hidden) == 1 or known_small)


def _size(series: Series, figures: Counts) -> float | None:
    """How many people a part counts, if known (a part can arrive already withheld)."""
    if "value" in _fields(series):
        return figures.get("value")
    return figures.get("numerator")


def _totals_shown(batch: Batch) -> Iterator[tuple[Series, ObservationInput, str, list[Cell]]]:
    """(total, its observation, period, the published parts' cells) for every period whose
    total is published as a figure. Parts not in the batch are not published: they count as
    zero (rule 3), so they are simply not among the cells."""
    parts: dict[str, list[Series]] = defaultdict(list)
    for series in batch.series:
        if series.part_of:
            parts[series.part_of].append(series)
    for total_ref, members in parts.items():
        total = batch.find(total_ref)
        if total is None:
            continue
        for observation in total.observations:
            if observation.value is None:
                continue
            period = _period(observation)
            cells = [
                (member, found)
                for member in members
                for found in member.observations
                if _period(found) == period
            ]
            if cells:
                yield total, observation, period, cells


def _parsed(observation: ObservationInput) -> Period | None:
    try:
        return parse_period(observation.period)
    except Invalid:
        return None


def _period(observation: ObservationInput) -> str:
    """The canonical code, so "Q3 2017/18" and "2017/18 Q3" are one period."""
    parsed = _parsed(observation)
    return parsed.code if parsed else observation.period
