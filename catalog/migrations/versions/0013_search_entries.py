"""Search documents in the catalogue's database, for the PostgreSQL search backend, written in
the transaction of the change they index. On SQLite the tables are made and stay empty.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

TEXTS = sa.JSON().with_variant(postgresql.ARRAY(sa.Text()), "postgresql")
WORDS = sa.Text().with_variant(postgresql.TSVECTOR(), "postgresql")
TIMES = ("released_at", "updated_at", "holds_from", "holds_until")  # indexed to filter or sort
ORDER = "search_entry_order"  # numbers documents as they are written, to order ties


def upgrade() -> None:
    on_postgres = op.get_bind().dialect.name == "postgresql"
    if on_postgres:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(f"CREATE SEQUENCE IF NOT EXISTS {ORDER}")
    op.create_table(
        "search_entry",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("title_key", sa.Text(), nullable=False),
        sa.Column("released_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("holds_from", sa.DateTime(), nullable=True),
        sa.Column("holds_until", sa.DateTime(), nullable=True),
        sa.Column("facets", TEXTS, nullable=False),
        sa.Column("text", WORDS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_entry")),
    )
    op.create_index("ix_search_entry_text", "search_entry", ["text"], postgresql_using="gin")
    op.create_index("ix_search_entry_facets", "search_entry", ["facets"], postgresql_using="gin")
    for column in TIMES:
        op.create_index(f"ix_search_entry_{column}", "search_entry", [column])
    op.create_table(
        "search_word",
        sa.Column("word", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("word", name=op.f("pk_search_word")),
    )
    op.create_table(
        "search_generation",
        sa.Column("id", sa.SmallInteger(), nullable=False),
        sa.Column("token", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_generation")),
    )
    op.create_index(
        "ix_search_word_trigrams",
        "search_word",
        ["word"],
        postgresql_using="gist",
        postgresql_ops={"word": "gist_trgm_ops"},
    )


def downgrade() -> None:
    op.drop_table("search_generation")
    op.drop_index("ix_search_word_trigrams", table_name="search_word")
    op.drop_table("search_word")
    for name in ("text", "facets", *TIMES):
        op.drop_index(f"ix_search_entry_{name}", table_name="search_entry")
    op.drop_table("search_entry")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP SEQUENCE IF EXISTS {ORDER}")
