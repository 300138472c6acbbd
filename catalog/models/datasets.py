"""Datasets, their resources, and the immutable versions of each resource."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.db import Base
from catalog.models.datastore import DataTable
from catalog.models.publishers import Licence, Organisation, Tag, Topic, new_uuid


class DatasetState(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


dataset_topic = Table(
    "dataset_topic",
    Base.metadata,
    Column("dataset_id", ForeignKey("dataset.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", ForeignKey("topic.id", ondelete="CASCADE"), primary_key=True),
)

dataset_tag = Table(
    "dataset_tag",
    Base.metadata,
    Column("dataset_id", ForeignKey("dataset.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True),
)


class Dataset(Base):
    __tablename__ = "dataset"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    licence_id: Mapped[str] = mapped_column(ForeignKey("licence.id"))
    frequency: Mapped[str | None] = mapped_column(String(30))
    temporal_start: Mapped[date | None] = mapped_column(Date)
    temporal_end: Mapped[date | None] = mapped_column(Date)
    spatial: Mapped[str | None] = mapped_column(String(200))
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(20), default=DatasetState.DRAFT, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    modified_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    published_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime)
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    submitted_by: Mapped[str | None] = mapped_column(String(200))
    approved_by: Mapped[str | None] = mapped_column(String(200))
    review_comment: Mapped[str | None] = mapped_column(Text)
    transparency_requirement: Mapped[str | None] = mapped_column(String(40), index=True)

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    licence: Mapped[Licence] = relationship(lazy="joined")
    topics: Mapped[list[Topic]] = relationship(
        secondary=dataset_topic, order_by="Topic.title", lazy="selectin"
    )
    tags: Mapped[list[Tag]] = relationship(
        secondary=dataset_tag, order_by="Tag.name", lazy="selectin"
    )
    resources: Mapped[list[Resource]] = relationship(
        back_populates="dataset",
        order_by="Resource.position",
        cascade="all, delete-orphan",
        lazy="selectin",
    )


class DatasetRedirect(Base):
    """An old URL name that still leads to the renamed dataset."""

    __tablename__ = "dataset_redirect"

    old_name: Mapped[str] = mapped_column(String(100), primary_key=True)
    dataset_id: Mapped[str] = mapped_column(ForeignKey("dataset.id", ondelete="CASCADE"))


class Resource(Base):
    """A file in a dataset; its content lives in versions, newest last."""

    __tablename__ = "resource"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    dataset_id: Mapped[str] = mapped_column(
        ForeignKey("dataset.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    format: Mapped[str] = mapped_column(String(20))
    link_url: Mapped[str | None] = mapped_column(String(2000))
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    modified_at: Mapped[datetime] = mapped_column(DateTime)

    dataset: Mapped[Dataset] = relationship(back_populates="resources")
    versions: Mapped[list[ResourceVersion]] = relationship(
        back_populates="resource",
        order_by="ResourceVersion.number",
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    @property
    def latest(self) -> ResourceVersion | None:
        """The newest version, released or not: for staff and the write path only (the public's
        is `catalog.visibility.latest_public`)."""
        return self.versions[-1] if self.versions else None


class ResourceVersion(Base):
    """One immutable upload: the file is found in the store by its SHA-256."""

    __tablename__ = "resource_version"
    __table_args__ = (UniqueConstraint("resource_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[str] = mapped_column(ForeignKey("resource.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(100))
    filename: Mapped[str] = mapped_column(String(255))
    table_schema: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # How to read the file (header rows, notes, delimiter, sheet): a Frictionless dialect,
    # None for a plain table (`catalog.tables.dialects`).
    dialect: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(Integer)
    published_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    cleared: Mapped[bool] = mapped_column(Boolean, default=True)
    issues_note: Mapped[str] = mapped_column(Text, default="")
    issues_noted_by_id: Mapped[int | None] = mapped_column(Integer)
    period: Mapped[str | None] = mapped_column(String(20))

    resource: Mapped[Resource] = relationship(back_populates="versions")
    data_table: Mapped[DataTable | None] = relationship(
        back_populates="version", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def column_names(self) -> list[str]:
        fields = (self.table_schema or {}).get("fields", [])
        return [field["name"] for field in fields]
