"""The search documents of the PostgreSQL search backend (`catalog.search.postgres_backend`).

They live in the catalogue's own database, so they are written in the transaction of the
change they index. On SQLite the tables exist but stay empty: the embedded Whoosh index is
used there. `text` holds every searchable word with its stem at the same position, weighted
by where it is (title A; name, tags, topics, publisher B; description C; columns and file
texts D); `word` is every word ever indexed, for "did you mean" to look near spellings up in;
`search_generation` is given a new token by every write, so a search can tell whether what it
remembers of an earlier answer still holds.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, DateTime, Index, SmallInteger, String, Text
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from catalog.db import Base

_TEXTS = JSON().with_variant(ARRAY(Text), "postgresql")
_WORDS = Text().with_variant(TSVECTOR(), "postgresql")


class SearchEntry(Base):
    """One dataset as the public will see it (a `catalog.search.SearchDocument`); `seq` orders
    ties in the order the documents were last written, as the Whoosh backend does."""

    __tablename__ = "search_entry"
    __table_args__ = (
        Index("ix_search_entry_text", "text", postgresql_using="gin"),
        Index("ix_search_entry_facets", "facets", postgresql_using="gin"),
        Index("ix_search_entry_released_at", "released_at"),
        Index("ix_search_entry_updated_at", "updated_at"),
        Index("ix_search_entry_holds_from", "holds_from"),
        Index("ix_search_entry_holds_until", "holds_until"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    title_key: Mapped[str] = mapped_column(Text)
    released_at: Mapped[datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    holds_from: Mapped[datetime | None] = mapped_column(DateTime)
    holds_until: Mapped[datetime | None] = mapped_column(DateTime)
    facets: Mapped[list[str]] = mapped_column(_TEXTS)  # "tag:roads", one a facet value
    text: Mapped[str] = mapped_column(_WORDS)


class SearchWord(Base):
    """A word some document held, found by trigrams; whether it is public is counted live."""

    __tablename__ = "search_word"
    __table_args__ = (
        Index(
            "ix_search_word_trigrams",
            "word",
            postgresql_using="gist",
            postgresql_ops={"word": "gist_trgm_ops"},
        ),
    )

    word: Mapped[str] = mapped_column(Text, primary_key=True)


class SearchGeneration(Base):
    """One row: a token that changes, in the writing transaction, whenever the entries do."""

    __tablename__ = "search_generation"

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    token: Mapped[str] = mapped_column(String(36))
