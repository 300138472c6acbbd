"""The check of a tabular version: its validation report and its table in the datastore."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.db import Base

if TYPE_CHECKING:
    from catalog.models.datasets import ResourceVersion


class TableStatus(StrEnum):
    QUEUED = "queued"
    LOADING = "loading"
    LOADED = "loaded"
    FAILED = "failed"


class DataTable(Base):
    """One version's pass through validation and loading; the API serves only LOADED ones."""

    __tablename__ = "data_table"

    version_id: Mapped[int] = mapped_column(
        ForeignKey("resource_version.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[str] = mapped_column(String(20), default=TableStatus.QUEUED)
    table_name: Mapped[str] = mapped_column(String(64))
    columns: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    rows_read: Mapped[int] = mapped_column(BigInteger, default=0)
    row_count: Mapped[int] = mapped_column(BigInteger, default=0)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    warning_count: Mapped[int] = mapped_column(Integer, default=0)
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON, deferred=True)
    failure: Mapped[str] = mapped_column(Text, default="")
    queued_at: Mapped[datetime] = mapped_column(DateTime)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)

    version: Mapped[ResourceVersion] = relationship(back_populates="data_table")

    @property
    def valid(self) -> bool:
        return self.status == TableStatus.LOADED and self.error_count == 0
