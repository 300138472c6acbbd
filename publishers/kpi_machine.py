"""The built-in KPI Machine source: approved, included figures from the internal store.

Only what may leave the store is read: indicators flagged Include and not marked not for
publication, and values that are approved by a named role. Everything else (unapproved
figures, excluded indicators, anything not for publication) never enters a batch, so no later
step can publish it by mistake. Every approved row is checked (`publishers.row_checks`); one
that fails is a problem in the batch, which vetoes the run. Rows are mapped onto the
catalogue's own IndicatorInput and ObservationInput, translating the store's wording ("YTD",
"Up is Good", "Q3 2017/18" becomes 2017/18 Q3). The store's layout is docs/kpi-store.md.
"""

from __future__ import annotations

import math
from collections import defaultdict

from sqlalchemy import create_engine, inspect, select
from sqlalchemy.orm import Session

from catalog.indicators.series import IndicatorInput, ObservationInput
from catalog.names import slugify
from publishers.batches import Batch, Problem, Series
from publishers.hookspecs import hookimpl
from publishers.kpi_store import KpiIndicator, KpiValue, StoreBase, sqlite_file, store_url
from publishers.row_checks import (
    KINDS_ALLOWED,
    CheckedRow,
    check_rows,
    missing_total,
    names_people,
    unknown_references,
)
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
    "yearly": "annual",
    "academic year": "academic_year",
    "calendar year": "calendar_year",
}
NOT_AVAILABLE = "[x]"
# The council's stated rule where an indicator's row leaves its tolerance empty: a figure that
# misses its target by no more than 5% of the target is amber. OPENDATA_KPI_TOLERANCE changes it.
TOLERANCE_SETTING = "OPENDATA_KPI_TOLERANCE"
DEFAULT_TOLERANCE = "5%"


class KpiMachineSource(Source):
    name = "kpi-machine"
    title = "KPI Machine"
    description = "Approved figures of included indicators from the council's internal KPI store."

    def __init__(self, url: str, default_tolerance: str = DEFAULT_TOLERANCE) -> None:
        self.url = url
        self.default_tolerance = default_tolerance

    def read(self) -> Batch:
        path = sqlite_file(self.url)
        if path is not None and not path.is_file():
            raise SourceUnavailable(
                f"There is no KPI Machine database at {path}. Run `opendata demo` to build the "
                "demo one, or set OPENDATA_KPI_MACHINE_URL."
            )
        engine = create_engine(self.url)
        try:
            _check_layout(engine)
            with Session(engine) as store:
                return _read(store, self.default_tolerance)
        finally:
            engine.dispose()


@hookimpl
def opendata_sources(config: SourceConfig):
    tolerance = config.environ.get(TOLERANCE_SETTING) or DEFAULT_TOLERANCE
    return [KpiMachineSource(store_url(config.instance, config.environ), tolerance)]


def _check_layout(engine) -> None:
    """Refuse, in words, a store whose tables lack a column of the contract."""
    found = inspect(engine)
    for table in StoreBase.metadata.sorted_tables:
        if not found.has_table(table.name):
            raise SourceUnavailable(
                f"The KPI Machine has no table '{table.name}'; its layout is in docs/kpi-store.md."
            )
        present = {column["name"] for column in found.get_columns(table.name)}
        missing = [column.name for column in table.columns if column.name not in present]
        if missing:
            raise SourceUnavailable(
                f"The KPI Machine's table '{table.name}' has no column "
                f"{', '.join(repr(name) for name in missing)}; its layout is in "
                "docs/kpi-store.md."
            )


def _read(store: Session, default_tolerance: str) -> Batch:
    """The publishable series, every approved row checked; rows that fail are problems."""
    indicators = list(store.scalars(select(KpiIndicator).order_by(KpiIndicator.ref)))
    known = {row.ref for row in indicators}
    approved = store.scalars(
        select(KpiValue)
        .where(KpiValue.approved.is_(True))
        .where(KpiValue.approved_by.is_not(None), KpiValue.approved_by != "")
        .order_by(KpiValue.ref, KpiValue.id)
    ).all()
    by_ref: dict[str, list[KpiValue]] = defaultdict(list)
    for value in approved:
        by_ref[value.ref].append(value)
    batch = Batch(problems=unknown_references(list(approved), known))
    for row in indicators:
        if not row.include or row.not_for_publication or not by_ref[row.ref]:
            continue  # never leaves the store, or nothing approved yet
        batch.problems += missing_total(row, known)
        series = _series(row, by_ref[row.ref], default_tolerance, batch.problems)
        if series is not None:
            batch.series.append(series)
    supplied = {series.ref for series in batch.series}
    for series in batch.series:
        parts = {row.ref for row in indicators if row.total_ref == series.ref}
        series.other_parts = not parts <= supplied
    return batch


def _series(
    row: KpiIndicator, values: list[KpiValue], default_tolerance: str, problems: list[Problem]
) -> Series | None:
    indicator = _indicator(row)
    try:
        indicator.tolerance, indicator.tolerance_relative = read_tolerance(
            row.tolerance or default_tolerance
        )
    except ValueError as error:
        problems.append(Problem("row-tolerance", str(error), ref=row.ref))
    if indicator.frequency not in KINDS_ALLOWED:
        problems.append(
            Problem(
                "row-frequency",
                f"'{row.frequency}' is not a frequency: use Monthly, Quarterly, Annual, "
                "Academic year or Calendar year.",
                ref=row.ref,
            )
        )
        return None
    checked, found = check_rows(row, indicator.frequency, values)
    problems.extend(found)
    return Series(
        indicator=indicator,
        observations=[_observation(row, passed) for passed in checked],
        counts_people=row.counts_people or names_people(row.unit, row.title),
        part_of=row.total_ref or None,
    )


def read_tolerance(written: str) -> tuple[float, bool]:
    """(amount, relative): "0.5" is 0.5 in the indicator's unit, "5%" is 5% of the target."""
    text = (written or "").strip()
    relative = text.endswith("%")
    try:
        amount = float(text.removesuffix("%").strip())
    except ValueError:
        amount = -1.0
    if amount < 0 or not math.isfinite(amount):
        raise ValueError(
            f"The tolerance '{written}' is not one we can read: write an amount in the "
            "indicator's unit (0.5) or a percentage of the target (5%), or leave it empty for "
            "the council's rule."
        )
    return amount, relative


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


def _observation(indicator: KpiIndicator, checked: CheckedRow) -> ObservationInput:
    """The row in the catalogue's terms, its period in the canonical form it was read as."""
    row, figures = checked.row, checked.figures
    return ObservationInput(
        period=checked.period.code,
        value=figures["value"],
        symbol=NOT_AVAILABLE if figures["value"] is None else None,
        target=figures["target"],
        numerator=figures["numerator"],
        denominator=figures["denominator"],
        status=(row.status or "final").strip().lower(),
        note=row.public_note,
    )


def _worded(text: str, known: dict[str, str]) -> str:
    """The catalogue's word for the store's; anything unknown passes on for the catalogue to
    refuse with its own message."""
    key = " ".join((text or "").lower().replace("-", " ").split())
    return known.get(key, key)
