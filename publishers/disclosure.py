"""Disclosure control: small counts of people never leave the council.

The rule (kpi.md, "Disclosure control"): in a series marked as counting people, a count below
5 becomes [c], and so does the value computed from it (a percentage and its numerator). Where
a published total would give a withheld figure back (the total for the period minus its other
parts), the next smallest part is withheld too: secondary suppression. Suppression is recorded,
not hidden: the published cell says [c] with a note, and the run summary lists every period.

The transform does the work and runs last of the transforms; the check runs after every
transform and vetoes the run if anything disclosive is left, whoever put it there.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from catalog.errors import Invalid
from catalog.indicators import ObservationInput
from catalog.periods import parse_period
from publishers.batches import Batch, Problem, Series
from publishers.hookspecs import hookimpl

THRESHOLD = 5
SUPPRESSED = "[c]"
COUNT_UNITS = {"count", "number", "people", "children", "adults"}
PRIMARY_NOTE = "Fewer than 5 people: suppressed to protect privacy."
SECONDARY_NOTE = "Suppressed so that a total cannot reveal a figure withheld to protect privacy."

Cell = tuple[Series, ObservationInput]


@hookimpl(trylast=True)
def opendata_transform(source, batch: Batch) -> Batch:
    withheld: dict[tuple[str, str], float] = {}
    for series, observation in _counted(batch):
        if _small_counts(series, observation):
            withheld[(series.ref, _period(observation))] = _size(series, observation)
            _suppress(series, observation, PRIMARY_NOTE)
    for period, cells in _totals_shown(batch):
        _suppress_second(period, cells, withheld)
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
    for period, cells in _totals_shown(batch):
        hidden = [series for series, observation in cells if observation.symbol == SUPPRESSED]
        if len(hidden) == 1 and len(cells) > 1:
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


def _small_counts(series: Series, observation: ObservationInput) -> bool:
    """Whether any figure of the observation that counts people is below the threshold."""
    counts = [observation.numerator, observation.denominator]
    if series.indicator.unit.strip().lower() in COUNT_UNITS:
        counts.append(observation.value)
    return any(count is not None and count < THRESHOLD for count in counts)


def _size(series: Series, observation: ObservationInput) -> float:
    if series.indicator.unit.strip().lower() in COUNT_UNITS and observation.value is not None:
        return observation.value
    return observation.numerator if observation.numerator is not None else 0.0


def _suppress(series: Series, observation: ObservationInput, note: str) -> None:
    observation.value, observation.symbol, observation.note = None, SUPPRESSED, note
    observation.numerator = None
    if observation.denominator is not None and observation.denominator < THRESHOLD:
        observation.denominator = None
    series.suppressed.append(_period(observation))


def _suppress_second(period: str, cells: list[Cell], withheld: dict) -> None:
    """Withhold the smallest shown parts until the withheld ones cannot be worked out: at
    least two of them, adding up (where known) to no fewer than the threshold."""

    def still_revealing() -> bool:
        hidden = [(s, o) for s, o in cells if o.symbol == SUPPRESSED]
        sizes = [withheld.get((s.ref, period)) for s, _ in hidden]
        known_small = None not in sizes and sum(sizes) < THRESHOLD
        return bool(hidden) and (len(hidden) == 1 or known_small)

    while still_revealing():
        shown = [(s, o) for s, o in cells if o.symbol is None and o.value is not None]
        if not shown:
            return
        series, observation = min(shown, key=lambda cell: (cell[1].value, cell[0].ref))
        withheld[(series.ref, period)] = observation.value
        _suppress(series, observation, SECONDARY_NOTE)


def _totals_shown(batch: Batch) -> Iterator[tuple[str, list[Cell]]]:
    """(period, the parts' cells) for every period whose total is published as a figure."""
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
                yield period, cells


def _period(observation: ObservationInput) -> str:
    """The canonical code, so "Q3 2017/18" and "2017/18 Q3" are one period."""
    try:
        return parse_period(observation.period).code
    except Invalid:
        return observation.period
