"""The demo KPI Machine: a small internal store shaped like York's Table 3.3 scorecards.

It holds what a real store holds and the open data platform must never show: figures not yet
approved, an indicator not included in the published set, one marked not for publication, and
counts of children small enough to identify someone. `opendata publish kpi-machine` then shows
the hooks at work: only approved, included figures leave, small counts as [c].
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from publishers.kpi_store import KpiIndicator, KpiValue, StoreBase, sqlite_file

CHILDREN = {"directorate": "Children, Education and Communities", "theme": "Education and skills"}
CORPORATE = {
    "directorate": "Customer and Corporate Services",
    "theme": "How the Council will operate",
}
AD = "Assistant Director Children's Specialist Services"
QUARTERS = ("Q1 2017/18", "Q2 2017/18", "Q3 2017/18", "Q4 2017/18")
NEXT = "Q1 2018/19"
APPROVED_AT = datetime(2018, 7, 11, 9, 0)


def _count(ref, title, *, total=None, **more) -> KpiIndicator:
    return KpiIndicator(
        ref=ref,
        title=title,
        unit="count",
        polarity="Neutral",
        collection_type="Snapshot",
        frequency="Quarterly",
        responsible_officer=AD,
        counts_people=True,
        total_ref=total,
        source="City of York Council, KPI Machine",
        **CHILDREN | more,
    )


def _indicators() -> list[KpiIndicator]:
    """Fresh rows each time: an ORM object belongs to one session, and so to one database."""
    return [
        _count("CLA01", "Number of children looked after at the end of the quarter"),
        _count(
            "CLA01a", "Children looked after who are unaccompanied asylum seekers", total="CLA01"
        ),
        _count("CLA01b", "Children looked after who are placed with their parents", total="CLA01"),
        _count("CLA01c", "Children looked after in other placements", total="CLA01"),
        KpiIndicator(
            ref="RAA01",
            title="% of children adopted who waited less than 16 months from entering care to "
            "moving in with their adoptive family",
            unit="%",
            decimals=1,
            polarity="Up is Good",
            collection_type="YTD",
            frequency="Quarterly",
            responsible_officer="Head of Regional Adoption Agency",
            counts_people=True,
            source="City of York Council, KPI Machine",
            **CHILDREN,
        ),
        _count("EH02", "Number of Early Help Assessments closed with needs met", include=False),
        _count(
            "LADO1",
            "Allegations against people who work with children referred to the LADO",
            not_for_publication=True,
        ),
        KpiIndicator(
            ref="COMP03",
            title="Complaints escalated to the Local Government and Social Care Ombudsman",
            unit="count",
            polarity="Up is Bad",
            collection_type="YTD",
            frequency="Quarterly",
            responsible_officer="Organisational Health Check",
            source="City of York Council, KPI Machine",
            **CORPORATE,
        ),
    ]


# ref -> figures for the four 2017/18 quarters (value, or (numerator, denominator)).
APPROVED = {
    "CLA01": (204, 210, 214, 197),
    "CLA01a": (6, 3, 7, 4),
    "CLA01b": (12, 14, 15, 11),
    "CLA01c": (186, 193, 192, 182),
    "RAA01": ((4, 5), (9, 12), (14, 18), (19, 24)),
    "EH02": (41, 38, 45, 52),
    "LADO1": (2, 4, 1, 3),
    "COMP03": (2, 3, 5, 6),
}
# Entered for the next quarter but not yet approved: they stay in the store.
AWAITING = {"CLA01": 208, "CLA01a": 5, "CLA01b": 13, "CLA01c": 190, "RAA01": (3, 4)}


def build_demo_store(url: str) -> int:
    """Create the demo store at `url` unless it already has indicators; return how many
    indicators were added (0 the second time, so `opendata demo` can run again)."""
    path = sqlite_file(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    try:
        StoreBase.metadata.create_all(engine)
        with Session(engine) as store:
            if store.scalar(select(func.count()).select_from(KpiIndicator)):
                return 0
            indicators = _indicators()
            store.add_all(indicators)
            store.flush()
            store.add_all(_values())
            store.commit()
            return len(indicators)
    finally:
        engine.dispose()


def _values() -> list[KpiValue]:
    rows = []
    for ref, figures in APPROVED.items():
        for period, figure in zip(QUARTERS, figures, strict=True):
            rows.append(_value(ref, period, figure, approved=True))
    for ref, figure in AWAITING.items():
        rows.append(_value(ref, NEXT, figure, approved=False))
    return rows


def _value(ref: str, period: str, figure, *, approved: bool) -> KpiValue:
    value, numerator, denominator = figure, None, None
    if isinstance(figure, tuple):
        numerator, denominator = figure
        value = round(100 * numerator / denominator, 1)
    return KpiValue(
        ref=ref,
        period=period,
        value=value,
        target=70.0 if ref == "RAA01" else None,
        numerator=numerator,
        denominator=denominator,
        status="Final" if approved else "Provisional",
        approved=approved,
        approved_by=AD if approved else None,
        approved_at=APPROVED_AT if approved else None,
    )
