"""Who publishes, under what licence, and how datasets are grouped.

Organisations, topics and tags are keyed by a number, and also carry a `uuid`: the id CKAN
clients see, as CKAN gives every group and tag a UUID. The number still finds the row, so
links made before the UUIDs keep working.
"""

from __future__ import annotations

from uuid import uuid4

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from catalog.db import Base


def new_uuid() -> str:
    return str(uuid4())


class Organisation(Base):
    """A publisher: a council directorate or service."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, index=True, default=new_uuid)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")


class Topic(Base):
    """A Council Plan theme that datasets are browsed by."""

    __tablename__ = "topic"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, index=True, default=new_uuid)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")


class Tag(Base):
    __tablename__ = "tag"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, index=True, default=new_uuid)
    name: Mapped[str] = mapped_column(String(100), unique=True)


class Licence(Base):
    """A licence with the attribution statement reusers must give."""

    __tablename__ = "licence"

    id: Mapped[str] = mapped_column(String(50), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(500))
    attribution: Mapped[str] = mapped_column(Text, default="")
