"""Release policies of publisher sources: which may publish without review, and who said so."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from catalog.db import Base


class SourcePolicy(Base):
    """An administrator's decision for one publisher source (by its name, such as
    `kpi-machine`). No row means the source's new indicators go for review."""

    __tablename__ = "source_policy"

    source: Mapped[str] = mapped_column(String(64), primary_key=True)
    auto_approve: Mapped[bool] = mapped_column(Boolean, default=False)
    set_by: Mapped[str] = mapped_column(String(200))
    set_by_account_id: Mapped[int | None] = mapped_column()
    set_at: Mapped[datetime] = mapped_column(DateTime)
    reason: Mapped[str] = mapped_column(Text, default="")
