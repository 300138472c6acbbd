"""The schema of the KPI Machine: the council's internal performance store, as this platform
reads it (the contract, column by column, is docs/kpi-store.md).

The KPI Machine is a separate database the open data platform never writes to (only the demo
builds one). Its tables are shaped like York's scorecards (Table 3.3 of the 2018 service plan):
an indicator with its reference, polarity, collection type, responsible officer by role and an
"Include" flag, and values entered per period as officers write them, each approved (or not)
by a role. In production, point OPENDATA_KPI_MACHINE_URL at a read-only view of this shape.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    make_url,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

URL_SETTING = "OPENDATA_KPI_MACHINE_URL"
DEFAULT_FILE = "kpi_machine.sqlite"


class AsWritten(TypeDecorator):
    """A figure as the store holds it: a number, or whatever text an officer typed ("n/a",
    "45%"). Nothing is converted on the way in or out, so the source can say which row is wrong
    instead of failing inside the database driver."""

    impl = Float
    cache_ok = True

    def bind_processor(self, dialect):
        return None

    def result_processor(self, dialect, coltype):
        return None


Written = float | str | None


class StoreBase(DeclarativeBase):
    """Its own metadata: these tables live in the KPI Machine, never in the catalogue."""

    metadata = MetaData()


class KpiIndicator(StoreBase):
    __tablename__ = "kpi_indicator"

    ref: Mapped[str] = mapped_column(String(40), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    definition: Mapped[str] = mapped_column(Text, default="")
    method: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(300), default="")
    unit: Mapped[str] = mapped_column(String(40))
    decimals: Mapped[int] = mapped_column(Integer, default=0)
    polarity: Mapped[str] = mapped_column(String(20))  # "Up is Good", "Up is Bad", "Neutral"
    collection_type: Mapped[str] = mapped_column(String(30))  # "Snapshot", "YTD", ...
    frequency: Mapped[str] = mapped_column(String(30))  # "Quarterly", "Annual", ...
    theme: Mapped[str] = mapped_column(String(200))  # Council Plan theme, as titled
    directorate: Mapped[str] = mapped_column(String(200))  # the owning organisation's title
    responsible_officer: Mapped[str] = mapped_column(String(200), default="")  # a role
    include: Mapped[bool] = mapped_column(Boolean, default=True)  # Table 3.3 "Include Y/N"
    not_for_publication: Mapped[bool] = mapped_column(Boolean, default=False)
    counts_people: Mapped[bool] = mapped_column(Boolean, default=False)
    total_ref: Mapped[str | None] = mapped_column(String(40))  # the total this is part of
    minimum: Mapped[float | None] = mapped_column(Float)  # lowest possible value, if any
    maximum: Mapped[float | None] = mapped_column(Float)  # highest possible value, if any
    tolerance: Mapped[str] = mapped_column(String(20), default="")  # "0.5" or "5%"; "" default
    public_note: Mapped[str] = mapped_column(Text, default="")


class KpiValue(StoreBase):
    __tablename__ = "kpi_value"
    __table_args__ = (UniqueConstraint("ref", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(ForeignKey("kpi_indicator.ref"), index=True)
    period: Mapped[str] = mapped_column(String(30))  # "Q3 2017/18", "2017/18", "Jan 2018"
    value: Mapped[Written] = mapped_column(AsWritten)
    target: Mapped[Written] = mapped_column(AsWritten)
    numerator: Mapped[Written] = mapped_column(AsWritten)
    denominator: Mapped[Written] = mapped_column(AsWritten)
    status: Mapped[str] = mapped_column(String(20), default="Final")  # or "Provisional"
    approved: Mapped[bool] = mapped_column(Boolean, default=False)
    approved_by: Mapped[str | None] = mapped_column(String(200))  # a role, never a name
    approved_at: Mapped[datetime | None] = mapped_column(DateTime)
    public_note: Mapped[str] = mapped_column(Text, default="")


def store_url(instance: Path, environ=None) -> str:
    """OPENDATA_KPI_MACHINE_URL, or a SQLite file in the instance folder."""
    env = os.environ if environ is None else environ
    return env.get(URL_SETTING) or f"sqlite:///{Path(instance) / DEFAULT_FILE}"


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for other databases and in-memory SQLite)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)
