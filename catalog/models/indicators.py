"""KPI series: an indicator and its observations, one per reporting period.

An indicator is public exactly when the catalogue dataset it is published as is public, so the
one visibility rule covers indicators too.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.db import Base
from catalog.models.datasets import Dataset
from catalog.models.publishers import Organisation, Topic


class Indicator(Base):
    __tablename__ = "indicator"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    definition: Mapped[str] = mapped_column(Text, default="")
    method: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(300), default="")
    unit: Mapped[str] = mapped_column(String(40))
    decimals: Mapped[int] = mapped_column(Integer, default=0)
    polarity: Mapped[str] = mapped_column(String(20))
    collection_type: Mapped[str] = mapped_column(String(30))
    frequency: Mapped[str] = mapped_column(String(30))
    seasonal: Mapped[bool] = mapped_column(Boolean, default=False)
    tolerance: Mapped[float] = mapped_column(Float, default=0.0)
    # False: the tolerance is an amount in the indicator's unit; True: a percentage of the target.
    tolerance_relative: Mapped[bool] = mapped_column(Boolean, default=False)
    theme_id: Mapped[int] = mapped_column(ForeignKey("topic.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    responsible_role: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    dataset_id: Mapped[str | None] = mapped_column(ForeignKey("dataset.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    modified_at: Mapped[datetime] = mapped_column(DateTime)

    theme: Mapped[Topic] = relationship(lazy="joined")
    organisation: Mapped[Organisation] = relationship(lazy="joined")
    dataset: Mapped[Dataset | None] = relationship()
    observations: Mapped[list[Observation]] = relationship(
        back_populates="indicator",
        order_by="Observation.period_start, Observation.period_end",
        cascade="all, delete-orphan",
        lazy="selectin",
    )


class Observation(Base):
    """One period's figure, or the GSS symbol that stands in for it."""

    __tablename__ = "observation"
    __table_args__ = (UniqueConstraint("indicator_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(20))
    period_kind: Mapped[str] = mapped_column(String(20))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    value: Mapped[float | None] = mapped_column(Float)
    symbol: Mapped[str | None] = mapped_column(String(5))
    numerator: Mapped[float | None] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float)
    target: Mapped[float | None] = mapped_column(Float)
    benchmark_england: Mapped[float | None] = mapped_column(Float)
    benchmark_region: Mapped[float | None] = mapped_column(Float)
    benchmark_neighbours: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(12), default="final")
    note: Mapped[str] = mapped_column(Text, default="")

    indicator: Mapped[Indicator] = relationship(back_populates="observations")
