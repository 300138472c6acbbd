"""The public-change stamp (one row, seeded here) and an index on the file versions' release
times, so the next release to come is found without reading every version.

Revision ID: 0014
Revises: 0013
"""

import secrets
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_resource_version_published_at", "resource_version", ["published_at"])
    stamps = op.create_table(
        "public_change",
        sa.Column("id", sa.SmallInteger(), nullable=False),
        sa.Column("stamp", sa.String(length=32), nullable=False),
        sa.Column("next_release", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_change")),
    )
    # A release time long past: the first reader looks for the releases still to come.
    seed = {"id": 1, "stamp": secrets.token_hex(16), "next_release": datetime(1970, 1, 1)}
    op.bulk_insert(stamps, [seed])


def downgrade() -> None:
    op.drop_table("public_change")
    op.drop_index("ix_resource_version_published_at", table_name="resource_version")
