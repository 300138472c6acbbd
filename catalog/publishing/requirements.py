"""What the Local Government Transparency Code 2015 asks of a dataset that meets it.

Each requirement of Part 2 of the Code names its frequency and, for data, the Table Schema in
`schemas/` that a dataset meeting it follows. A dataset is marked with the requirement it
meets, its tables are checked against that schema, and each version records the period it
covers, read in a form the requirement accepts (a quarter or a financial year). The
Constitution is a document, not data: it has no schema, and a file of any kind or a link to
it meets it. Compliance, worked out from what is public, is in `catalog.calendar.transparency`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from catalog import activity
from catalog.errors import Invalid
from catalog.models import Dataset, ResourceVersion
from catalog.periods import FINANCIAL_YEAR, QUARTER, Period, parse_period
from catalog.permissions import EDITOR, Actor, require
from catalog.publishing.datasets import claim_for_change
from catalog.tables.schemas import load_schema

QUARTERLY, ANNUAL, ONCE = "quarterly", "annual", "once"
CODE_URL = "https://www.gov.uk/government/publications/local-government-transparency-code-2015"


@dataclass(frozen=True)
class Requirement:
    """One dataset Part 2 of the Code requires. `key` is also the name of its schema, unless
    it is met by a document (`tabular` False), which has none."""

    key: str
    title: str
    frequency: str
    summary: str
    tabular: bool = True

    @property
    def schema(self) -> str | None:
        return self.key if self.tabular else None


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
        "constitution",
        "Constitution",
        ANNUAL,
        "The council's current constitution, as a document or a link to where it is kept.",
        tabular=False,
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
    if requirement is None or requirement.schema is None:
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


# -- Marking ---------------------------------------------------------------------------------


def requirement_set(session: Session, *, actor: Actor, dataset: Dataset, key: str | None) -> None:
    """Mark a dataset as meeting a requirement (or none); its tables then follow its schema."""
    require(actor, dataset.organisation_id, EDITOR, "edit this dataset")
    key = key or None
    if key == dataset.transparency_requirement:
        return
    claim_for_change(session, actor=actor, dataset=dataset)
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
    session.flush()


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
    session.flush()
