"""Release policies of publisher sources, set by an administrator (replacing the
OPENDATA_AUTO_APPROVE_SOURCES setting): a source_policy row per source.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "source_policy",
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("auto_approve", sa.Boolean(), nullable=False),
        sa.Column("set_by", sa.String(length=200), nullable=False),
        sa.Column("set_by_account_id", sa.Integer(), nullable=True),
        sa.Column("set_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("source", name=op.f("pk_source_policy")),
    )


def downgrade() -> None:
    op.drop_table("source_policy")
