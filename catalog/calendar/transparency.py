"""Compliance with the Local Government Transparency Code 2015: what is due, and by when.

The requirements and how a dataset meets one are in `catalog.publishing.requirements`. From
the public versions alone we work out the last period published, the next one due and its
deadline:

- quarterly data is due one month after its quarter ends (quarters follow the financial year:
  Q1 April to June ... Q4 January to March), so Q3 (October to December) is due on 31 January;
- annual data covers a financial year and is due six months after that year ends, on
  30 September (the Code sets no date, so this is our rule, stated on the Transparency page);
- data published once is due once; after that it is kept current.

A requirement met by a document (the Constitution) may be met by a link to where the council
keeps it: the link is to the current document, so it covers the latest period ended; a file
uploaded instead covers the period its version records, as data does.

Status follows the clock: missing (nothing public yet), overdue (the deadline has passed), due
soon (within 14 days) or up to date.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.clock import utcnow
from catalog.models import Dataset
from catalog.periods import FINANCIAL_YEAR, QUARTER, Period, make_period, parse_period
from catalog.permissions import Actor
from catalog.publishing.requirements import (
    ANNUAL,
    ONCE,
    QUARTERLY,
    REQUIREMENTS,
    Requirement,
)
from catalog.visibility import is_public, public_dataset_clause, version_is_public

MONTHS_AFTER = {QUARTERLY: 1, ANNUAL: 6}
PERIOD_KIND = {QUARTERLY: QUARTER, ANNUAL: FINANCIAL_YEAR}
DUE_SOON_DAYS = 14

UP_TO_DATE, DUE_SOON, OVERDUE, MISSING = "up-to-date", "due-soon", "overdue", "missing"
STATUS_LABELS = {
    UP_TO_DATE: "Up to date",
    DUE_SOON: "Due soon",
    OVERDUE: "Overdue",
    MISSING: "Not yet published",
}


# -- Dates -----------------------------------------------------------------------------------


def month_end_after(day: date, months: int) -> date:
    """The last day of the month `months` after the month of `day` (31 Dec, 1 -> 31 Jan)."""
    years, month = divmod(day.month - 1 + months + 1, 12)
    return date(day.year + years, month + 1, 1) - timedelta(days=1)


def due_date(requirement: Requirement, period: Period) -> date | None:
    """The last day to publish `period` (a quarter or a financial year); None for once-only."""
    if requirement.frequency == ONCE:
        return None
    return _periodic_due_date(requirement, period)


def _periodic_due_date(requirement: Requirement, period: Period) -> date:
    return month_end_after(period.end, MONTHS_AFTER[requirement.frequency])


def covered(requirement: Requirement, period: Period) -> Period:
    """The requirement's period ending when `period` ends: a full-year file covers Q4."""
    if requirement.frequency == QUARTERLY and period.kind == FINANCIAL_YEAR:
        return make_period(QUARTER, period.start.year, 4)
    return period


def latest_ended(requirement: Requirement, today: date) -> Period:
    """The most recent period of the requirement's kind that has ended by `today`."""
    kind = PERIOD_KIND.get(requirement.frequency, FINANCIAL_YEAR)
    year = today.year if today.month >= 4 else today.year - 1
    period = make_period(kind, year, 4 if kind == QUARTER else 1)
    while period.end >= today:
        period = period.previous()
    return period


# -- Status ----------------------------------------------------------------------------------


@dataclass
class Position:
    """Where one requirement stands: what is published, what is due next and by when."""

    requirement: Requirement
    datasets: list[Dataset] = field(default_factory=list)
    last_period: Period | None = None
    next_period: Period | None = None
    next_due: date | None = None
    status: str = MISSING

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def needs_attention(self) -> bool:
        return self.status != UP_TO_DATE


def position(
    requirement: Requirement, datasets: list[Dataset], last: Period | None, today: date
) -> Position:
    """The status of a requirement on `today`, given the last period published."""
    found = Position(requirement, datasets, last_period=last)
    if requirement.frequency == ONCE:
        found.status = UP_TO_DATE if datasets else MISSING
        return found
    if last is None:
        found.next_period = latest_ended(requirement, today)
    else:
        found.next_period = following(covered(requirement, last))
    found.next_due = due = _periodic_due_date(requirement, found.next_period)
    if last is None:
        found.status = MISSING
    elif due < today:
        found.status = OVERDUE
    elif (due - today).days <= DUE_SOON_DAYS:
        found.status = DUE_SOON
    else:
        found.status = UP_TO_DATE
    return found


def following(period: Period) -> Period:
    """The quarter or financial year after `period` (2026/27 Q4 -> 2027/28 Q1)."""
    start = period.end + timedelta(days=1)
    year = start.year if start.month >= 4 else start.year - 1
    if period.kind == FINANCIAL_YEAR:
        return make_period(FINANCIAL_YEAR, year)
    return make_period(QUARTER, year, (start.month - 4) % 12 // 3 + 1)


def public_compliance(session: Session, now: datetime | None = None) -> list[Position]:
    """Every requirement as the public sees it: only public datasets and released versions."""
    moment = now or utcnow()
    query = (
        select(Dataset)
        .where(Dataset.transparency_requirement.is_not(None), public_dataset_clause(moment))
        .order_by(Dataset.title)
    )
    marked = _by_requirement(session.scalars(query))
    positions = []
    for requirement in REQUIREMENTS:
        datasets = marked.get(requirement.key, [])
        periods = [p for d in datasets for p in public_periods(d, moment)]
        if not requirement.tabular and any(_links(d) for d in datasets):
            periods.append(latest_ended(requirement, moment.date()))
        last = max(periods, key=lambda p: p.end, default=None)
        positions.append(position(requirement, datasets, last, moment.date()))
    return positions


def public_periods(dataset: Dataset, now: datetime) -> list[Period]:
    """The periods covered by the dataset's released versions (of a public dataset only)."""
    if not is_public(dataset, now):
        return []
    return [
        parse_period(version.period)
        for resource in dataset.resources
        for version in resource.versions
        if version.period and version_is_public(version, now)
    ]


def _links(dataset: Dataset) -> bool:
    """Whether a public dataset lists a link to a file kept elsewhere (shown as it is public)."""
    return any(resource.link_url is not None for resource in dataset.resources)


def unpublished_work(session: Session, actor: Actor) -> dict[str, list[Dataset]]:
    """Datasets marked with a requirement that are not public yet, for staff who may see
    them (members of their organisation, or site administrators), by requirement."""
    query = select(Dataset).where(Dataset.transparency_requirement.is_not(None))
    if not actor.sysadmin:
        query = query.where(Dataset.organisation_id.in_(list(actor.roles)))
    datasets = session.scalars(query.order_by(Dataset.title))
    return _by_requirement(dataset for dataset in datasets if not is_public(dataset))


def _by_requirement(datasets: Iterable[Dataset]) -> dict[str, list[Dataset]]:
    """Datasets grouped by the transparency requirement they are marked with."""
    grouped: dict[str, list[Dataset]] = {}
    for dataset in datasets:
        if dataset.transparency_requirement is not None:
            grouped.setdefault(dataset.transparency_requirement, []).append(dataset)
    return grouped
