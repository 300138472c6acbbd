"""Organisations, topics and tags get a UUID, the id CKAN clients expect; existing rows are
given one each, and it never changes afterwards.

Revision ID: 0012
Revises: 0011
"""

from uuid import uuid4

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

TABLES = ("organisation", "topic", "tag")


def upgrade() -> None:
    connection = op.get_bind()
    for name in TABLES:
        with op.batch_alter_table(name) as batch_op:
            batch_op.add_column(sa.Column("uuid", sa.String(length=36), nullable=True))
        table = sa.table(name, sa.column("id", sa.Integer), sa.column("uuid", sa.String))
        for (key,) in connection.execute(sa.select(table.c.id)).all():
            connection.execute(table.update().where(table.c.id == key).values(uuid=str(uuid4())))
        with op.batch_alter_table(name) as batch_op:
            batch_op.alter_column("uuid", existing_type=sa.String(length=36), nullable=False)
            batch_op.create_index(batch_op.f(f"ix_{name}_uuid"), ["uuid"], unique=True)


def downgrade() -> None:
    for name in TABLES:
        with op.batch_alter_table(name) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{name}_uuid"))
            batch_op.drop_column("uuid")
