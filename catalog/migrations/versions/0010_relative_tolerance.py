"""An indicator's tolerance may be relative: a percentage of the target rather than an amount.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("indicator") as batch_op:
        batch_op.add_column(
            sa.Column("tolerance_relative", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("indicator") as batch_op:
        batch_op.drop_column("tolerance_relative")
