"""Changes to a public dataset's files waiting for a second person, and the cells of a file
that an admin confirmed are not private individuals."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.db import Base
from catalog.models.datasets import Dataset, Resource, ResourceVersion


class ChangeKind(StrEnum):
    VERSION = "version"
    LINK = "link"


class ChangeState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    SENT_BACK = "sent_back"
    CANCELLED = "cancelled"


class ResourceChange(Base):
    """A new file version, or a new address of a linked file, of a dataset the public already
    sees. It waits in the review queue until an admin who did not make it approves it with a
    release time; what was approved is released at that second."""

    __tablename__ = "resource_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[str] = mapped_column(
        ForeignKey("dataset.id", ondelete="CASCADE"), index=True
    )
    resource_id: Mapped[str] = mapped_column(ForeignKey("resource.id", ondelete="CASCADE"))
    version_id: Mapped[int | None] = mapped_column(
        ForeignKey("resource_version.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(20))
    link_url: Mapped[str | None] = mapped_column(String(2000))
    link_format: Mapped[str | None] = mapped_column(String(20))
    made_by: Mapped[str] = mapped_column(String(200))
    made_by_id: Mapped[int | None] = mapped_column(Integer)
    made_at: Mapped[datetime] = mapped_column(DateTime)
    state: Mapped[str] = mapped_column(String(20), default=ChangeState.PENDING, index=True)
    reviewed_by: Mapped[str | None] = mapped_column(String(200))
    reviewed_by_id: Mapped[int | None] = mapped_column(Integer)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime)
    comment: Mapped[str | None] = mapped_column(Text)
    release_at: Mapped[datetime | None] = mapped_column(DateTime)

    dataset: Mapped[Dataset] = relationship()
    resource: Mapped[Resource] = relationship()
    version: Mapped[ResourceVersion | None] = relationship()


class RedactionConfirmation(Base):
    """An admin's word that one flagged cell (by row number and field name) names no private
    individual, such as a company called "Mr Kipling Ltd"."""

    __tablename__ = "redaction_confirmation"
    __table_args__ = (UniqueConstraint("version_id", "row_number", "field_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("resource_version.id", ondelete="CASCADE"), index=True
    )
    row_number: Mapped[int] = mapped_column(Integer)
    field_name: Mapped[str] = mapped_column(String(200))
    cell: Mapped[str] = mapped_column(Text)
    confirmed_by: Mapped[str] = mapped_column(String(200))
    confirmed_by_id: Mapped[int | None] = mapped_column(Integer)
    confirmed_at: Mapped[datetime] = mapped_column(DateTime)
