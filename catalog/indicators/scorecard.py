"""Reading KPI series as the public sees them: latest value, trend and RAG, all derived.

The public figures are those in the indicator's latest released file, never the working rows
in the database: a quarter scheduled for 09:30 stays out of every page, chart and API until
its file's release time, and what a page shows is exactly what was published. Direction of
travel and RAG are worked out on every read from those figures, the indicator's polarity and
its tolerance, so they can never disagree with the data.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from catalog.errors import Invalid, NotFound
from catalog.indicators.performance import (
    Direction,
    comparison_period,
    comparison_phrase,
    describe_latest,
    direction_of_travel,
    rag_status,
    tolerance_rule,
)
from catalog.models import Dataset, Indicator, Organisation, Topic
from catalog.periods import Period, parse_period
from catalog.storage import FileStore
from catalog.visibility import latest_public, public_dataset_clause, public_versions

RAG_LABELS = {"green": "On target", "amber": "Close to target", "red": "Off target"}
DIRECTION_LABELS = {"better": "Getting better", "worse": "Getting worse", "no_change": "No change"}


@dataclass(frozen=True)
class Figure:
    """One period's figure as published in the indicator's released file."""

    period: str
    period_start: date
    period_end: date
    value: float | None
    symbol: str | None
    numerator: float | None
    denominator: float | None
    target: float | None
    benchmark_england: float | None
    benchmark_region: float | None
    benchmark_neighbours: float | None
    status: str
    note: str


NUMBERS = (
    "value", "numerator", "denominator", "target",
    "benchmark_england", "benchmark_region", "benchmark_neighbours",
)  # fmt: skip


def published_figures(indicator: Indicator, store: FileStore) -> list[Figure]:
    """The figures of the indicator's latest released file, oldest period first."""
    if indicator.dataset is None or not indicator.dataset.resources:
        return []
    version = latest_public(indicator.dataset.resources[0])
    if version is None:
        return []
    return list(_read_figures(store, version.sha256))


def figures_ever_released(indicator: Indicator, store: FileStore) -> dict[str, set[float]]:
    """Every value any released file of the indicator has shown, by period: what a reader who
    kept every old file knows (disclosure control must count it as known)."""
    if indicator.dataset is None or not indicator.dataset.resources:
        return {}
    shown: dict[str, set[float]] = {}
    for version in public_versions(indicator.dataset.resources[0]):
        for figure in _read_figures(store, version.sha256):
            if figure.value is not None:
                shown.setdefault(figure.period, set()).add(figure.value)
    return shown


@lru_cache(maxsize=1024)
def _read_figures(store: FileStore, sha256: str) -> tuple[Figure, ...]:
    """Parsed once per file: released files are content-addressed and never change."""
    with io.TextIOWrapper(store.open(sha256), encoding="utf-8", newline="") as handle:
        return tuple(_figure(row) for row in csv.DictReader(handle))


def _figure(row: dict[str, str]) -> Figure:
    numbers = {name: float(row[name]) if row[name] else None for name in NUMBERS}
    return Figure(
        period=row["period"],
        period_start=date.fromisoformat(row["period_start"]),
        period_end=date.fromisoformat(row["period_end"]),
        symbol=row["symbol"] or None,
        status=row["status"],
        note=_unguarded(row["note"]),
        **numbers,
    )


def _unguarded(text: str) -> str:
    """The note as written, without the apostrophe our CSV writer put before a formula."""
    if text[:1] == "'" and text[1:2] and text[1:2] in "=+-@\t\r":
        return text[1:]
    return text


@dataclass(frozen=True)
class Summary:
    indicator: Indicator
    figures: list[Figure]
    latest: Figure | None
    period: Period | None
    direction: Direction | None
    comparison: str
    rag: str | None
    sentence: str

    @property
    def rag_label(self) -> str:
        return RAG_LABELS.get(self.rag or "", "No target")

    @property
    def amber_rule(self) -> str:
        """What "close to target" means for this indicator, for its page."""
        indicator = self.indicator
        return tolerance_rule(
            indicator.tolerance,
            relative=indicator.tolerance_relative,
            unit=indicator.unit,
            decimals=indicator.decimals,
        )

    @property
    def direction_label(self) -> str:
        if self.direction is None or not self.direction.comparable:
            return "Not comparable"
        if self.direction.judgement is None:
            return {"up": "Increased", "down": "Decreased"}.get(
                self.direction.movement, "No change"
            )
        return DIRECTION_LABELS[self.direction.judgement]


def summarise(indicator: Indicator, figures: list[Figure]) -> Summary:
    observations = figures
    latest = observations[-1] if observations else None
    if latest is None:
        return Summary(indicator, [], None, None, None, "", None, "No figures published yet.")
    period = parse_period(latest.period)
    by_code = {o.period: o for o in observations}
    wanted = comparison_period(by_code, period, seasonal=indicator.seasonal)
    previous = by_code.get(wanted.code) if wanted else None
    comparison = comparison_phrase(period, seasonal=indicator.seasonal)
    direction = direction_of_travel(
        latest.value,
        previous.value if previous else None,
        polarity=indicator.polarity,
        tolerance=indicator.tolerance,
        relative=indicator.tolerance_relative,
    )
    rag = rag_status(
        latest.value,
        latest.target,
        polarity=indicator.polarity,
        tolerance=indicator.tolerance,
        relative=indicator.tolerance_relative,
    )
    sentence = describe_latest(
        latest.value,
        unit=indicator.unit,
        decimals=indicator.decimals,
        period_label=latest.period,
        direction=direction if len(observations) > 1 else None,
        comparison=comparison,
        target=latest.target,
        polarity=indicator.polarity,
        symbol=latest.symbol,
    )
    return Summary(indicator, figures, latest, period, direction, comparison, rag, sentence)


def public_indicators_query(now: datetime | None = None) -> Select[Indicator]:
    return (
        select(Indicator)
        .join(Dataset, Dataset.id == Indicator.dataset_id)
        .where(public_dataset_clause(now))
    )


def find_indicators(
    session: Session,
    *,
    text: str = "",
    theme: str | None = None,
    organisation: str | None = None,
    frequency: str | None = None,
    now: datetime | None = None,
) -> list[Indicator]:
    query = public_indicators_query(now)
    if theme:
        query = query.join(Topic, Topic.id == Indicator.theme_id).where(Topic.name == theme)
    if organisation:
        query = query.join(Organisation, Organisation.id == Indicator.organisation_id).where(
            Organisation.name == organisation
        )
    if frequency:
        query = query.where(Indicator.frequency == frequency)
    for word in text.split()[:10]:
        pattern = f"%{word.lower()}%"
        query = query.where(or_(Indicator.ref.ilike(pattern), Indicator.title.ilike(pattern)))
    return list(session.scalars(query.order_by(Indicator.ref)))


def get_public_indicator(session: Session, ref: str, now: datetime | None = None) -> Indicator:
    indicator = session.scalar(public_indicators_query(now).where(Indicator.ref == ref))
    if indicator is None:
        raise NotFound(f"There is no published indicator with the reference '{ref}'.")
    return indicator


def select_figures(
    figures: list[Figure],
    *,
    start: str | None = None,
    end: str | None = None,
    latest: int | None = None,
) -> list[Figure]:
    """The figures between two periods (inclusive) and/or the latest N of them."""
    chosen = figures
    if start:
        first = _period(start, "from")
        chosen = [o for o in chosen if o.period_start >= first.start]
    if end:
        last = _period(end, "to")
        chosen = [o for o in chosen if o.period_end <= last.end]
    if latest is not None:
        if latest < 1:
            raise Invalid("latest must be a whole number of 1 or more.", field="latest")
        chosen = chosen[-latest:]
    return chosen


def _period(text: str, field: str) -> Period:
    try:
        return parse_period(text)
    except Invalid as error:
        raise Invalid(error.message, field=field) from error


RAG_ORDER = {"red": 0, "amber": 1, "green": 2, None: 3}
SORTS = {
    "ref": lambda s: s.indicator.ref.lower(),
    "title": lambda s: s.indicator.title.lower(),
    "rag": lambda s: (RAG_ORDER[s.rag], s.indicator.ref.lower()),
    "direction": lambda s: (s.direction_label, s.indicator.ref.lower()),
}


def scorecard(
    session: Session,
    store: FileStore,
    *,
    text: str = "",
    theme: str | None = None,
    organisation: str | None = None,
    frequency: str | None = None,
    rag: str | None = None,
    sort: str = "ref",
    now: datetime | None = None,
) -> list[Summary]:
    """Public indicators with their derived status, filtered (RAG too) and sorted."""
    if sort not in SORTS:
        raise Invalid(f"Sort must be one of: {', '.join(SORTS)}.", field="sort")
    if rag and rag not in (*RAG_LABELS, "none"):
        raise Invalid("RAG must be red, amber, green or none.", field="rag")
    found = find_indicators(
        session,
        text=text,
        theme=theme,
        organisation=organisation,
        frequency=frequency,
        now=now,
    )
    summaries = [summarise(i, published_figures(i, store)) for i in found]
    if rag:
        summaries = [s for s in summaries if (s.rag or "none") == rag]
    return sorted(summaries, key=SORTS[sort])


@dataclass(frozen=True)
class SeriesCoverage:
    """What an indicator's dataset covers, read from its released figures (the first period's
    start to the last period's end), and the role that answers for it ("" if none is set)."""

    start: date | None
    end: date | None
    role: str


def series_coverage(
    session: Session, datasets: Iterable[Dataset], store: FileStore
) -> dict[str, SeriesCoverage]:
    """The coverage of each of `datasets` that publishes an indicator, by dataset id; the
    other datasets carry their own coverage."""
    ids = [dataset.id for dataset in datasets]
    indicators = session.scalars(select(Indicator).where(Indicator.dataset_id.in_(ids)))
    found = {}
    for indicator in indicators:
        figures = published_figures(indicator, store)
        found[str(indicator.dataset_id)] = SeriesCoverage(
            start=min((figure.period_start for figure in figures), default=None),
            end=max((figure.period_end for figure in figures), default=None),
            role=indicator.responsible_role,
        )
    return found


def indicator_for_dataset(session: Session, dataset_id: str) -> Indicator | None:
    """The indicator a dataset publishes, if it is one, so its page can point to the chart."""
    return session.scalar(select(Indicator).where(Indicator.dataset_id == dataset_id))
