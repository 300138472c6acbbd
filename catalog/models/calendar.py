"""The release calendar: announced future publications and every change to their dates."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.db import Base


class CalendarEntry(Base):
    """A publication announced in advance (FOI Act s.22): a provisional month until a date
    and time is confirmed."""

    __tablename__ = "calendar_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    dataset_id: Mapped[str | None] = mapped_column(
        ForeignKey("dataset.id", ondelete="SET NULL"), index=True
    )
    requirement: Mapped[str | None] = mapped_column(String(40))
    period: Mapped[str | None] = mapped_column(String(20))
    provisional_month: Mapped[str | None] = mapped_column(String(7))
    release_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    state: Mapped[str] = mapped_column(String(20), default="announced", index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    changes: Mapped[list[CalendarChange]] = relationship(
        back_populates="entry",
        order_by="CalendarChange.id",
        cascade="all, delete-orphan",
        lazy="selectin",
    )


class CalendarChange(Base):
    """A moved date, kept with its reason: the calendar never forgets what it said."""

    __tablename__ = "calendar_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("calendar_entry.id", ondelete="CASCADE"), index=True
    )
    changed_at: Mapped[datetime] = mapped_column(DateTime)
    changed_by: Mapped[str] = mapped_column(String(200))
    old_month: Mapped[str | None] = mapped_column(String(7))
    old_release_at: Mapped[datetime | None] = mapped_column(DateTime)
    new_month: Mapped[str | None] = mapped_column(String(7))
    new_release_at: Mapped[datetime | None] = mapped_column(DateTime)
    reason: Mapped[str] = mapped_column(Text, default="")

    entry: Mapped[CalendarEntry] = relationship(back_populates="changes")
