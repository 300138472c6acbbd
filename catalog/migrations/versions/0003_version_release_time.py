"""Each file version has its own release time, so a new version can be scheduled.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("resource_version") as batch_op:
        batch_op.add_column(sa.Column("published_at", sa.DateTime(), nullable=True))
    op.execute("UPDATE resource_version SET published_at = created_at")


def downgrade() -> None:
    with op.batch_alter_table("resource_version") as batch_op:
        batch_op.drop_column("published_at")
