"""The demo KPI series: York's 2018 children's services Table 3.3 and Council Plan 2023-27
indicators, read from the CSV files of the demo data packages and published as indicators."""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.indicators.series import (
    IndicatorInput,
    ObservationInput,
    indicator_create,
    indicator_publish,
    observations_record,
)
from catalog.models import Indicator, Topic
from catalog.permissions import Actor
from catalog.storage import FileStore

PACKAGES = Path(__file__).parent / "packages"
CHILDREN = PACKAGES / "childrens-specialist-services-kpis-2018"
COUNCIL_PLAN = PACKAGES / "council-plan-indicators-2023-27"
RELEASED = datetime(2026, 11, 2, 9, 30)

THEME_OWNERS = {
    "health-and-wellbeing": "health-housing-and-adult-social-care",
    "education-and-skills": "children-education-and-communities",
    "economy-and-good-employment": "economy-and-place",
    "transport": "economy-and-place",
    "housing": "health-housing-and-adult-social-care",
    "sustainability": "economy-and-place",
    "how-the-council-will-operate": "customer-and-corporate-services",
}
FREQUENCIES = {
    "quarterly": "quarterly",
    "annual (financial year)": "annual",
    "annual (calendar year)": "calendar_year",
    "annual (academic year)": "academic_year",
}


def load_demo_indicators(session: Session, *, store: FileStore, actor: Actor) -> int:
    """Create and publish each demo indicator not yet present; return how many were added.

    Where the Council Plan reuses a Table 3.3 reference, its newer series is the one kept."""
    present = set(session.scalars(select(Indicator.ref)))
    themes = {t.title.lower(): t.name for t in session.scalars(select(Topic))}
    definitions = [*_council_plan_indicators(themes), *_children_indicators()]
    observations = _observations(CHILDREN / "annual-results.csv")
    observations |= _observations(COUNCIL_PLAN / "observations.csv")
    added = 0
    for data in definitions:
        if data.ref in present:
            continue
        present.add(data.ref)
        rows = observations.get(data.ref, [])
        data.decimals = _decimals(rows)
        indicator = indicator_create(session, actor=actor, data=data, created_at=RELEASED)
        observations_record(session, actor=actor, indicator=indicator, rows=rows)
        indicator_publish(session, store=store, actor=actor, indicator=indicator, at=RELEASED)
        added += 1
    return added


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _children_indicators() -> list[IndicatorInput]:
    return [
        IndicatorInput(
            ref=row["reference_id"],
            title=row["title"],
            unit=_unit(row["unit"]),
            polarity=row["polarity"],
            collection_type=row["collection_type"],
            frequency="annual",
            theme="education-and-skills",
            organisation="children-education-and-communities",
            definition=f"{row['title']}. From the {row['section'].lower()} measures of the "
            "Children's Specialist Services improvement plan (2018, Table 3.3).",
            source="City of York Council, Children's Specialist Services",
            responsible_role=row["responsible_officer"],
            notes=row["note"],
        )
        for row in _read(CHILDREN / "indicators.csv")
        if row["include"] == "true"
    ]


def _council_plan_indicators(themes: dict[str, str]) -> list[IndicatorInput]:
    indicators = []
    for row in _read(COUNCIL_PLAN / "indicators.csv"):
        theme = themes[row["theme"].lower()]
        indicators.append(
            IndicatorInput(
                ref=row["reference_id"],
                title=row["title"],
                unit=_unit(row["unit"]),
                polarity=row["polarity"],
                collection_type=row["collection_type"],
                frequency=FREQUENCIES[row["frequency"]],
                theme=theme,
                organisation=THEME_OWNERS[theme],
                definition=f"{row['title']}: a Council Plan 2023 to 2027 measure for the "
                f"{row['theme']} theme.",
                source="City of York Council, Business Intelligence Hub",
                seasonal=False,
                tolerance=0.5 if row["unit"] == "%" else 0.0,
            )
        )
    return indicators


def _unit(unit: str) -> str:
    return "%" if unit in ("%", "percentage points") else unit


def _observations(path: Path) -> dict[str, list[ObservationInput]]:
    found: dict[str, list[ObservationInput]] = defaultdict(list)
    for row in _read(path):
        period = row["period"]
        if row["period_type"] == "academic year" and not period.upper().startswith("AY"):
            period = f"AY{period}"
        found[row["reference_id"]].append(
            ObservationInput(
                period=period,
                value=float(row["value"]) if row["value"] else None,
                symbol=row["symbol"] or None,
                target=float(row["target"]) if row["target"] else None,
                status=row["status"] or "final",
                note=row["note"],
            )
        )
    return found


def _decimals(rows: list[ObservationInput]) -> int:
    places = [len(f"{row.value:g}".partition(".")[2]) for row in rows if row.value is not None]
    return min(max(places, default=0), 2)
