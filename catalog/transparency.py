"""The Local Government Transparency Code 2015: what a council must publish, and by when.

Each requirement of Part 2 of the Code names its frequency and the Table Schema in `schemas/`
a dataset meeting it follows. A dataset is marked with the requirement it meets; each version
records the period it covers. From the public versions alone we work out the last period
published, the next one due and its deadline:

- quarterly data is due one month after its quarter ends (quarters follow the financial year:
  Q1 April to June ... Q4 January to March), so Q3 (October to December) is due on 31 January;
- annual data covers a financial year and is due six months after that year ends, on
  30 September (the Code sets no date, so this is our rule, stated on the Transparency page);
- data published once is due once; after that it is kept current.

Status follows the clock: missing (nothing public yet), overdue (the deadline has passed), due
soon (within 14 days) or up to date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog import activity
from catalog.clock import utcnow
from catalog.datasets import check_editable
from catalog.errors import Invalid
from catalog.models import Dataset, ResourceVersion
from catalog.periods import FINANCIAL_YEAR, QUARTER, Period, make_period, parse_period
from catalog.permissions import EDITOR, Actor, require
from catalog.schemas import load_schema
from catalog.visibility import is_public, public_dataset_clause, version_is_public

QUARTERLY, ANNUAL, ONCE = "quarterly", "annual", "once"
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
CODE_URL = "https://www.gov.uk/government/publications/local-government-transparency-code-2015"


@dataclass(frozen=True)
class Requirement:
    """One dataset Part 2 of the Code requires. `key` is also the name of its schema."""

    key: str
    title: str
    frequency: str
    summary: str

    @property
    def schema(self) -> str:
        return self.key


REQUIREMENTS = (
    Requirement(
        "spend-over-500",
        "Expenditure exceeding £500",
        QUARTERLY,
        "Every payment over £500: date, department, beneficiary, purpose, amount, irrecoverable "
        "VAT and merchant category.",
    ),
    Requirement(
        "procurement-card-transactions",
        "Government Procurement Card transactions",
        QUARTERLY,
        "Every card transaction, of any value, with the same details as spend over £500.",
    ),
    Requirement(
        "invitations-to-tender",
        "Invitations to tender over £5,000",
        QUARTERLY,
        "Reference, title, description, start, end and review dates, and responsible department.",
    ),
    Requirement(
        "contracts-over-5000",
        "Contracts over £5,000",
        QUARTERLY,
        "Every contract over £5,000: supplier and registration number, value, dates, how it "
        "was let, and whether the supplier is an SME or voluntary organisation.",
    ),
    Requirement(
        "land-and-building-assets",
        "Local authority land and building assets",
        ANNUAL,
        "Every property: reference, name, address, map reference, tenure and whether land or "
        "building.",
    ),
    Requirement(
        "grants-to-voluntary-organisations",
        "Grants to voluntary, community and social enterprise organisations",
        ANNUAL,
        "Every grant: recipient, registration number, amount, purpose and date.",
    ),
    Requirement(
        "organisation-chart",
        "Organisation chart",
        ANNUAL,
        "The top three levels of the organisation: post, salary band, reporting line, "
        "responsibilities and contact.",
    ),
    Requirement(
        "trade-union-facility-time",
        "Trade union facility time",
        ANNUAL,
        "Representatives, full-time equivalents, cost and share of the pay bill.",
    ),
    Requirement(
        "parking-account",
        "Parking account",
        ANNUAL,
        "Income and spending on parking, and how any surplus is spent.",
    ),
    Requirement(
        "parking-spaces",
        "Parking spaces",
        ANNUAL,
        "The number of parking spaces per car park, on and off the street.",
    ),
    Requirement(
        "senior-salaries",
        "Senior salaries",
        ANNUAL,
        "Posts paid over £50,000 in £5,000 bands, naming those over £150,000 only with consent.",
    ),
    Requirement(
        "pay-multiple",
        "Pay multiple",
        ANNUAL,
        "The ratio of the highest salary to the median salary.",
    ),
    Requirement(
        "counter-fraud",
        "Fraud",
        ANNUAL,
        "Counter-fraud work: investigations, staff, cost and amount recovered.",
    ),
    Requirement(
        "waste-contracts",
        "Waste contracts",
        ONCE,
        "The council's existing waste collection contracts, kept current.",
    ),
)
BY_KEY = {requirement.key: requirement for requirement in REQUIREMENTS}


def get_requirement(key: str) -> Requirement:
    """The requirement with this key; Invalid (on field `transparency_requirement`) if none."""
    if key not in BY_KEY:
        raise Invalid(
            f"'{key}' is not a Transparency Code requirement. Choose one of the listed ones.",
            field="transparency_requirement",
        )
    return BY_KEY[key]


def requirement_key(text: str | None) -> str | None:
    """A requirement chosen on a form: blank for none, else a key we know."""
    key = (text or "").strip()
    return get_requirement(key).key if key else None


def requirement_of(dataset: Dataset) -> Requirement | None:
    return BY_KEY.get(dataset.transparency_requirement or "")


def required_schema(dataset: Dataset, chosen: object = None) -> dict[str, Any] | None:
    """The schema a dataset's tables must follow under its requirement (None without one).

    Choosing a schema with other columns is refused, so a file cannot dodge the Code's check.
    """
    requirement = requirement_of(dataset)
    if requirement is None:
        return None
    schema = load_schema(requirement.schema)
    if isinstance(chosen, dict) and chosen.get("fields") != schema["fields"]:
        raise Invalid(
            f"This dataset meets the Transparency Code requirement '{requirement.title}', so "
            f"its tables are checked against the {schema['title']} schema. Choose that schema, "
            "or mark the dataset as meeting no requirement first.",
            field="schema",
        )
    return schema


# -- Dates -----------------------------------------------------------------------------------


def month_end_after(day: date, months: int) -> date:
    """The last day of the month `months` after the month of `day` (31 Dec, 1 -> 31 Jan)."""
    years, month = divmod(day.month - 1 + months + 1, 12)
    return date(day.year + years, month + 1, 1) - timedelta(days=1)


def due_date(requirement: Requirement, period: Period) -> date | None:
    """The last day to publish `period` (a quarter or a financial year); None for once-only."""
    if requirement.frequency == ONCE:
        return None
    return month_end_after(period.end, MONTHS_AFTER[requirement.frequency])


def covered(requirement: Requirement, period: Period) -> Period:
    """The requirement's period ending when `period` ends: a full-year file covers Q4."""
    if requirement.frequency == QUARTERLY and period.kind == FINANCIAL_YEAR:
        return make_period(QUARTER, period.start.year, 4)
    return period


def check_period(requirement: Requirement | None, text: str) -> Period:
    """Read the period a version covers, in a form the requirement (if any) accepts."""
    period = parse_period(text)
    if requirement is None:
        return period
    kinds = {QUARTERLY: (QUARTER, FINANCIAL_YEAR), ANNUAL: (FINANCIAL_YEAR,)}
    allowed = kinds.get(requirement.frequency)
    if allowed is not None and period.kind not in allowed:
        how = (
            "a quarter of the financial year, such as 2026/27 Q2, or a whole financial year"
            if requirement.frequency == QUARTERLY
            else "a financial year, such as 2025/26"
        )
        raise Invalid(
            f"{requirement.title} is published {requirement.frequency}: give the period as {how}.",
            field="period",
        )
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
    found.next_due = due_date(requirement, found.next_period)
    if last is None:
        found.status = MISSING
    elif found.next_due < today:
        found.status = OVERDUE
    elif (found.next_due - today).days <= DUE_SOON_DAYS:
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
    marked: dict[str, list[Dataset]] = {}
    for dataset in session.scalars(query):
        marked.setdefault(dataset.transparency_requirement, []).append(dataset)
    positions = []
    for requirement in REQUIREMENTS:
        datasets = marked.get(requirement.key, [])
        periods = [p for d in datasets for p in public_periods(d, moment)]
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


def unpublished_work(session: Session, actor: Actor) -> dict[str, list[Dataset]]:
    """Datasets marked with a requirement that are not public yet, for staff who may see
    them (members of their organisation, or site administrators), by requirement."""
    query = select(Dataset).where(Dataset.transparency_requirement.is_not(None))
    if not actor.sysadmin:
        query = query.where(Dataset.organisation_id.in_(list(actor.roles)))
    work: dict[str, list[Dataset]] = {}
    for dataset in session.scalars(query.order_by(Dataset.title)):
        if not is_public(dataset):
            work.setdefault(dataset.transparency_requirement, []).append(dataset)
    return work


# -- Marking ---------------------------------------------------------------------------------


def requirement_set(session: Session, *, actor: Actor, dataset: Dataset, key: str | None) -> None:
    """Mark a dataset as meeting a requirement (or none); its tables then follow its schema."""
    require(actor, dataset.organisation_id, EDITOR, "edit this dataset")
    key = key or None
    if key == dataset.transparency_requirement:
        return
    check_editable(dataset)
    if key is not None:
        get_requirement(key)
    before = dataset.transparency_requirement
    dataset.transparency_requirement = key
    activity.record(
        session,
        actor=actor,
        action="dataset.requirement",
        object_type="dataset",
        object_id=dataset.id,
        dataset_id=dataset.id,
        summary=f"Marked {dataset.title} as meeting "
        + (f"the Transparency Code requirement {BY_KEY[key].title}" if key else "no requirement"),
        before={"transparency_requirement": before},
        after={"transparency_requirement": key},
    )
    session.commit()


def upload_period(dataset: Dataset, text: str | None) -> Period | None:
    """The period an upload covers, read before the file is stored. A dataset meeting a
    quarterly or annual requirement must say which period, or its deadline could never be met."""
    text = " ".join((text or "").split())
    requirement = requirement_of(dataset)
    if not text and requirement is not None and requirement.frequency != ONCE:
        example = "2026/27 Q3" if requirement.frequency == QUARTERLY else "2025/26"
        raise Invalid(
            f"Enter the period this file covers, such as {example}: {dataset.title} meets "
            f"the {requirement.frequency} Transparency Code requirement '{requirement.title}'.",
            field="period",
        )
    return check_period(requirement, text) if text else None


def period_set(
    session: Session, *, actor: Actor, version: ResourceVersion, period: Period | None
) -> None:
    """Record the period a version covers (checked by `upload_period`)."""
    if period is None:
        return
    dataset = version.resource.dataset
    require(actor, dataset.organisation_id, EDITOR, "describe this file")
    version.period = period.code
    activity.record(
        session,
        actor=actor,
        action="resource.period",
        object_type="resource",
        object_id=version.resource_id,
        dataset_id=dataset.id,
        summary=f"Version {version.number} of {version.resource.title} covers {period.label}",
        after={"version": version.number, "period": period.code},
    )
    session.commit()
