"""A version keeps its Frictionless dialect: where its header is, which rows are notes, its
delimiter and quotes, the sheet of a workbook.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("resource_version") as batch_op:
        batch_op.add_column(sa.Column("dialect", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("resource_version") as batch_op:
        batch_op.drop_column("dialect")
