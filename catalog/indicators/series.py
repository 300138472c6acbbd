"""KPI series: the write path for indicators and their observations, and their publication.

Values arrive as councils write them (periods such as "Q3 2017/18", GSS symbols such as [c]);
they are stored canonically. A changed figure for a period already recorded becomes a revision
with a note, never a silent overwrite. A published indicator is also a catalogue dataset whose
file is its observations as CSV, so search, downloads and the APIs cover it.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog import activity
from catalog.clock import utcnow
from catalog.errors import Conflict, Invalid
from catalog.indicators.performance import parse_polarity
from catalog.models import (
    Dataset,
    DatasetState,
    Indicator,
    Observation,
    Organisation,
    Topic,
)
from catalog.names import slugify
from catalog.periods import parse_period
from catalog.permissions import ADMIN, EDITOR, Actor, require
from catalog.publishing.datasets import DatasetInput, dataset_create, dataset_update
from catalog.publishing.resources import Upload, resource_create, version_add
from catalog.publishing.workflow import dataset_submit, release_without_review
from catalog.storage import FileStore
from catalog.tables.exports import csv_text
from catalog.tables.schemas import load_schema

REF_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,39}$")
COLLECTION_TYPES = ("snapshot", "year_to_date", "rolling_12_months", "cumulative")
FREQUENCIES = {"monthly": "monthly", "quarterly": "quarterly", "annual": "annual"}
FREQUENCIES |= {"academic_year": "annual", "calendar_year": "annual"}
WITHHELD = ("[c]", "[x]", "[z]")
MARKERS = {"[p]": "provisional", "[r]": "revised"}
STATUSES = ("provisional", "final", "revised")
SCHEMA_NAME = "kpi-observations"


@dataclass
class IndicatorInput:
    ref: str
    title: str
    unit: str
    polarity: str
    collection_type: str
    frequency: str
    theme: str
    organisation: str
    definition: str = ""
    method: str = ""
    source: str = ""
    decimals: int = 0
    seasonal: bool = False
    tolerance: float = 0.0
    tolerance_relative: bool = False  # the tolerance is a percentage of the target
    responsible_role: str = ""
    notes: str = ""


@dataclass
class ObservationInput:
    """One period's figure as supplied; `symbol` may be a GSS symbol instead of a value."""

    period: str
    value: float | None = None
    symbol: str | None = None
    target: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    benchmark_england: float | None = None
    benchmark_region: float | None = None
    benchmark_neighbours: float | None = None
    status: str = "final"
    note: str = ""


@dataclass
class RecordSummary:
    added: list[str] = field(default_factory=list)
    revised: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.revised)


def indicator_create(
    session: Session, *, actor: Actor, data: IndicatorInput, created_at: datetime | None = None
) -> Indicator:
    ref = data.ref.strip()
    if not REF_PATTERN.match(ref):
        raise Invalid(
            "A reference is 1 to 40 letters, digits, spaces, dots, hyphens or underscores.",
            field="ref",
        )
    if session.scalar(select(Indicator.id).where(Indicator.ref == ref)) is not None:
        raise Conflict(f"There is already an indicator with the reference '{ref}'.", field="ref")
    moment = created_at or utcnow()
    indicator = Indicator(ref=ref, created_at=moment, modified_at=moment)
    _apply(session, indicator, data)
    require(actor, indicator.organisation.id, EDITOR, "create its indicators")
    session.add(indicator)
    session.flush()
    activity.record(
        session,
        actor=actor,
        action="indicator.create",
        object_type="indicator",
        object_id=ref,
        summary=f"Created indicator {ref}: {indicator.title}",
        after={"ref": ref, "title": indicator.title, "unit": indicator.unit},
    )
    session.flush()
    return indicator


def indicator_update(
    session: Session, *, actor: Actor, indicator: Indicator, data: IndicatorInput
) -> bool:
    """Bring an indicator's definition in line with `data`; return whether anything changed.

    The reference is the indicator's identity (in URLs and in the sources that feed it), so it
    never changes here. Sending the same definition again writes nothing, not even activity.
    """
    require(actor, indicator.organisation_id, EDITOR, "edit this indicator")
    before = _definition(indicator)
    _apply(session, indicator, data)
    require(actor, indicator.organisation.id, EDITOR, "move an indicator to this organisation")
    after = _definition(indicator)
    if after == before:
        return False
    indicator.modified_at = utcnow()
    changed = sorted(key for key in after if after[key] != before[key])
    activity.record(
        session,
        actor=actor,
        action="indicator.update",
        object_type="indicator",
        object_id=indicator.ref,
        dataset_id=indicator.dataset_id,
        summary=f"Changed {', '.join(changed)} of indicator {indicator.ref}",
        before={key: before[key] for key in changed},
        after={key: after[key] for key in changed},
    )
    session.flush()
    return True


def _definition(indicator: Indicator) -> dict:
    """An indicator's definition as plain values, to compare and to log."""
    fields = (
        "title", "unit", "polarity", "collection_type", "frequency", "decimals", "seasonal",
        "tolerance", "tolerance_relative", "definition", "method", "source", "responsible_role",
        "notes",
    )  # fmt: skip
    values = {name: getattr(indicator, name) for name in fields}
    return values | {"theme": indicator.theme.name, "organisation": indicator.organisation.name}


def observations_record(
    session: Session, *, actor: Actor, indicator: Indicator, rows: list[ObservationInput]
) -> RecordSummary:
    """Add or revise observations; the whole batch is checked before anything is written."""
    require(actor, indicator.organisation_id, EDITOR, "record figures for this indicator")
    checked = [_checked(row, index) for index, row in enumerate(rows, start=1)]
    existing = {o.period: o for o in indicator.observations}
    summary = RecordSummary()
    for period, values in checked:
        current = existing.get(period.code)
        if current is None:
            observation = Observation(indicator=indicator, period=period.code, **values)
            observation.period_kind, observation.period_start = period.kind, period.start
            observation.period_end = period.end
            session.add(observation)
            existing[period.code] = observation
            summary.added.append(period.code)
        elif _revise(current, values):
            summary.revised.append(period.code)
        else:
            summary.unchanged.append(period.code)
    if summary.changed:
        indicator.modified_at = utcnow()
        activity.record(
            session,
            actor=actor,
            action="indicator.observations",
            object_type="indicator",
            object_id=indicator.ref,
            dataset_id=indicator.dataset_id,
            summary=f"{len(summary.added)} added, {len(summary.revised)} revised",
            after={"added": summary.added, "revised": summary.revised},
        )
    session.flush()
    session.expire(indicator, ["observations"])
    return summary


def indicator_publish(
    session: Session,
    *,
    store: FileStore,
    actor: Actor,
    indicator: Indicator,
    at: datetime | None = None,
    source: str = "indicators",
) -> Indicator:
    """Publish the indicator as a dataset; a changed series becomes a new file version, public
    from `at` (default now). Pages, charts and the API show the latest released file.
    `source` names where the figures came from in the release record (a publisher source)."""
    require(actor, indicator.organisation_id, ADMIN, "publish this indicator")
    content = observations_csv(indicator).encode("utf-8")
    filename = f"{slugify(indicator.ref)}-observations.csv"
    if indicator.dataset is None:
        dataset = dataset_create(
            session, actor=actor, data=_dataset_input(indicator), created_at=at
        )
        indicator.dataset = dataset
        resource_create(
            session,
            store=store,
            actor=actor,
            dataset=dataset,
            title=f"{indicator.ref} observations",
            description="Every period's figure, target and benchmarks, one row per period.",
            upload=Upload(stream=io.BytesIO(content), filename=filename),
            format="csv",
            table_schema=load_schema(SCHEMA_NAME),
            created_at=at,
        )
    else:
        dataset = indicator.dataset
        dataset_update(session, actor=actor, dataset=dataset, data=_dataset_input(indicator))
        resource = dataset.resources[0]
        latest = resource.latest
        if latest is None or hashlib.sha256(content).hexdigest() != latest.sha256:
            version_add(
                session,
                store=store,
                actor=actor,
                resource=resource,
                upload=Upload(stream=io.BytesIO(content), filename=filename),
                note="Observations updated",
                table_schema=load_schema(SCHEMA_NAME),
                release_at=at,
            )
    if dataset.published_at is None:
        _release_first(session, actor, dataset, at, source)
    return indicator


def find_indicator(session: Session, *, ref: str) -> Indicator | None:
    """The indicator with this reference, published or not, for the runs that keep it."""
    return session.scalar(select(Indicator).where(Indicator.ref == ref.strip()))


def published_dataset(indicator: Indicator) -> Dataset | None:
    """The dataset the indicator is published as, if it is published (not draft or withdrawn)."""
    dataset = indicator.dataset
    return dataset if dataset is not None and dataset.state == DatasetState.PUBLISHED else None


def _release_first(session: Session, actor: Actor, dataset, at: datetime | None, source) -> None:
    """A trusted process releases a new indicator at once; a person sends it for review."""
    if actor.sysadmin and actor.account_id is None:
        release_without_review(session, actor=actor, dataset=dataset, at=at, source=source)
    elif dataset.state == DatasetState.DRAFT:
        dataset_submit(session, actor=actor, dataset=dataset)


OBSERVATION_COLUMNS = [f["name"] for f in load_schema(SCHEMA_NAME)["fields"]]


def observation_row(indicator: Indicator, observation: Observation) -> list:
    return [
        indicator.ref,
        observation.period,
        observation.period_start.isoformat(),
        observation.period_end.isoformat(),
        observation.value,
        observation.symbol,
        indicator.unit,
        observation.numerator,
        observation.denominator,
        observation.target,
        observation.benchmark_england,
        observation.benchmark_region,
        observation.benchmark_neighbours,
        observation.status,
        observation.note,
    ]


def observations_csv(indicator: Indicator, observations: list[Observation] | None = None) -> str:
    chosen = indicator.observations if observations is None else observations
    return csv_text(OBSERVATION_COLUMNS, (observation_row(indicator, o) for o in chosen))


def _apply(session: Session, indicator: Indicator, data: IndicatorInput) -> None:
    title = data.title.strip()
    if not title:
        raise Invalid("Enter a title.", field="title")
    if not data.unit.strip():
        raise Invalid("Enter a unit, such as %, count or £.", field="unit")
    collection = "_".join(data.collection_type.lower().replace("-", " ").split())
    if collection not in COLLECTION_TYPES:
        raise Invalid(
            "Collection type must be snapshot, year to date, rolling 12 months or cumulative.",
            field="collection_type",
        )
    if data.frequency not in FREQUENCIES:
        raise Invalid(f"Frequency must be one of: {', '.join(FREQUENCIES)}.", field="frequency")
    if not 0 <= data.decimals <= 6:
        raise Invalid("Decimals must be from 0 to 6.", field="decimals")
    if data.tolerance < 0:
        raise Invalid("The tolerance cannot be negative.", field="tolerance")
    indicator.theme = _named(session, Topic, data.theme, "theme")
    indicator.organisation = _named(session, Organisation, data.organisation, "organisation")
    indicator.title = title
    indicator.unit = data.unit.strip()
    indicator.polarity = parse_polarity(data.polarity)
    indicator.collection_type = collection
    indicator.frequency = data.frequency
    indicator.decimals = data.decimals
    indicator.seasonal = data.seasonal
    indicator.tolerance = data.tolerance
    indicator.tolerance_relative = data.tolerance_relative
    indicator.definition = data.definition
    indicator.method = data.method
    indicator.source = data.source
    indicator.responsible_role = data.responsible_role
    indicator.notes = data.notes


def _named(session: Session, model, name: str, field_name: str):
    found = session.scalar(select(model).where(model.name == name))
    if found is None:
        raise Invalid(f"There is no {field_name} called '{name}'.", field=field_name)
    return found


def _checked(row: ObservationInput, index: int):
    where = f"row {index}"
    try:
        period = parse_period(row.period)
    except Invalid as error:
        raise Invalid(f"{where}: {error.message}", field="period") from error
    symbol = (row.symbol or "").strip().lower() or None
    status = row.status
    if symbol in MARKERS:
        status, symbol = MARKERS[symbol], None
    if symbol is not None and symbol not in WITHHELD:
        raise Invalid(f"{where}: '{row.symbol}' is not a GSS symbol ([c], [x], [z], [p], [r]).")
    if symbol is not None and row.value is not None:
        raise Invalid(f"{where}: give a value or a symbol such as [c], not both.", field="value")
    if symbol is None and row.value is None:
        raise Invalid(f"{where}: give a value, or [x] if it is not available.", field="value")
    if status not in STATUSES:
        raise Invalid(f"{where}: status must be provisional, final or revised.", field="status")
    values = {
        "value": row.value,
        "symbol": symbol,
        "target": row.target,
        "numerator": row.numerator,
        "denominator": row.denominator,
        "benchmark_england": row.benchmark_england,
        "benchmark_region": row.benchmark_region,
        "benchmark_neighbours": row.benchmark_neighbours,
        "status": status,
        "note": row.note,
    }
    return period, values


def _revise(current: Observation, values: dict) -> bool:
    """Apply new values to a recorded period. A changed figure that had been final becomes
    "revised" with a note; sending the same figure again changes nothing, and a revised figure
    stays revised, with its note."""
    figure_changed = (values["value"], values["symbol"]) != (current.value, current.symbol)
    status, note = values["status"], values["note"]
    if not figure_changed and status == "final" and current.status == "revised":
        status = "revised"
    if figure_changed and current.status != "provisional" and status != "provisional":
        status = "revised"
        note = note or _revision_note(current.symbol or current.value, values)
    wanted = {**values, "status": status, "note": note or ("" if figure_changed else current.note)}
    if all(getattr(current, key) == value for key, value in wanted.items()):
        return False
    for key, value in wanted.items():
        setattr(current, key, value)
    return True


def _revision_note(old: float | str | None, new: dict) -> str:
    """What changed; a figure now withheld is never repeated, or the withholding is undone."""
    when = f"{utcnow():%d %B %Y}"
    if new["symbol"] in WITHHELD:
        return f"Withheld as {new['symbol']} on {when}."
    return f"Revised from {old} to {new['value']} on {when}."


def _dataset_input(indicator: Indicator) -> DatasetInput:
    description = indicator.definition or indicator.title
    if indicator.method:
        description += f"\n\n**How it is calculated:** {indicator.method}"
    return DatasetInput(
        name=f"indicator-{slugify(indicator.ref)}",
        title=f"{indicator.ref}: {indicator.title}",
        organisation=indicator.organisation.name,
        description=description,
        topics=[indicator.theme.name],
        tags=["performance indicators", "kpi"],
        frequency=FREQUENCIES[indicator.frequency],
    )
