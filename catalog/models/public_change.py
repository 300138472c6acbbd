"""The public-change stamp: one row that names the state of everything the public may see."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from catalog.db import Base

STAMP_ROW = 1


class PublicChange(Base):
    """A new random `stamp` is written in the transaction of every change that public pages
    may show (`catalog.public_changes`), with `next_release`, the earliest release time of a
    dataset or file version still to come then: an embargo lifts with no write, so a reader
    knows from this one row when to look again."""

    __tablename__ = "public_change"

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True, default=STAMP_ROW)
    stamp: Mapped[str] = mapped_column(String(32))
    next_release: Mapped[datetime | None] = mapped_column(DateTime)
