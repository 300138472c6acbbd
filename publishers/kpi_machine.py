"""The built-in KPI Machine source: approved, included figures from the internal store.

Only what may leave the store is read: indicators flagged Include and not marked not for
publication, and values that are approved by a named role. Everything else (unapproved
figures, excluded indicators, anything not for publication) never enters a batch, so no later
step can publish it by mistake. Rows are mapped onto the catalogue's own IndicatorInput and
ObservationInput, translating the store's wording ("YTD", "Up is Good", "Q3 2017/18").
"""

from __future__ import annotations

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from catalog.indicators.series import IndicatorInput, ObservationInput
from catalog.names import slugify
from publishers.batches import Batch, Series
from publishers.hookspecs import hookimpl
from publishers.kpi_store import KpiIndicator, KpiValue, sqlite_file, store_url
from publishers.sources import Source, SourceConfig, SourceUnavailable

COLLECTION_TYPES = {
    "ytd": "year_to_date",
    "year to date": "year_to_date",
    "rolling 12 month": "rolling_12_months",
    "rolling 12 months": "rolling_12_months",
}
FREQUENCIES = {
    "annual": "annual",
    "annual (financial year)": "annual",
    "financial year": "annual",
    "academic year": "academic_year",
    "calendar year": "calendar_year",
}
NOT_AVAILABLE = "[x]"


class KpiMachineSource(Source):
    name = "kpi-machine"
    title = "KPI Machine"
    description = "Approved figures of included indicators from the council's internal KPI store."

    def __init__(self, url: str) -> None:
        self.url = url

    def read(self) -> Batch:
        path = sqlite_file(self.url)
        if path is not None and not path.is_file():
            raise SourceUnavailable(
                f"There is no KPI Machine database at {path}. Run `opendata demo` to build the "
                "demo one, or set OPENDATA_KPI_MACHINE_URL."
            )
        engine = create_engine(self.url)
        try:
            with Session(engine) as store:
                return Batch(series=list(_series(store)))
        finally:
            engine.dispose()


@hookimpl
def opendata_sources(config: SourceConfig):
    return [KpiMachineSource(store_url(config.instance, config.environ))]


def _series(store: Session):
    publishable = select(KpiIndicator).where(
        KpiIndicator.include.is_(True), KpiIndicator.not_for_publication.is_(False)
    )
    for row in store.scalars(publishable.order_by(KpiIndicator.ref)):
        values = store.scalars(
            select(KpiValue)
            .where(KpiValue.ref == row.ref, KpiValue.approved.is_(True))
            .where(KpiValue.approved_by.is_not(None), KpiValue.approved_by != "")
            .order_by(KpiValue.id)
        ).all()
        if not values:
            continue  # nothing approved yet: nothing to publish
        yield Series(
            indicator=_indicator(row),
            observations=[_observation(row, value) for value in values],
            counts_people=row.counts_people,
            part_of=row.total_ref or None,
        )


def _indicator(row: KpiIndicator) -> IndicatorInput:
    return IndicatorInput(
        ref=row.ref,
        title=row.title,
        unit=row.unit,
        polarity=row.polarity,
        collection_type=_worded(row.collection_type, COLLECTION_TYPES),
        frequency=_worded(row.frequency, FREQUENCIES).replace(" ", "_"),
        theme=slugify(row.theme),
        organisation=slugify(row.directorate),
        definition=row.definition,
        method=row.method,
        source=row.source,
        decimals=row.decimals,
        responsible_role=row.responsible_officer,
        notes=row.public_note,
    )


def _observation(indicator: KpiIndicator, row: KpiValue) -> ObservationInput:
    period = row.period.strip()
    academic = _worded(indicator.frequency, FREQUENCIES) == "academic_year"
    if academic and not period.upper().startswith("AY"):
        period = f"AY{period}"
    return ObservationInput(
        period=period,
        value=row.value,
        symbol=NOT_AVAILABLE if row.value is None else None,
        target=row.target,
        numerator=row.numerator,
        denominator=row.denominator,
        status=(row.status or "final").strip().lower(),
        note=row.public_note,
    )


def _worded(text: str, known: dict[str, str]) -> str:
    """The catalogue's word for the store's; anything unknown passes on for the catalogue to
    refuse with its own message."""
    key = " ".join((text or "").lower().replace("-", " ").split())
    return known.get(key, key)
