"""KPI series: indicators and their observations.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 13:10:46.943987
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "indicator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("method", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("decimals", sa.Integer(), nullable=False),
        sa.Column("polarity", sa.String(length=20), nullable=False),
        sa.Column("collection_type", sa.String(length=30), nullable=False),
        sa.Column("frequency", sa.String(length=30), nullable=False),
        sa.Column("seasonal", sa.Boolean(), nullable=False),
        sa.Column("tolerance", sa.Float(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("responsible_role", sa.String(length=200), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("dataset_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("modified_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"], ["dataset.id"], name=op.f("fk_indicator_dataset_id_dataset")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_indicator_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"], ["topic.id"], name=op.f("fk_indicator_theme_id_topic")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator")),
        sa.UniqueConstraint("dataset_id", name=op.f("uq_indicator_dataset_id")),
        sa.UniqueConstraint("ref", name=op.f("uq_indicator_ref")),
    )
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_indicator_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_indicator_theme_id"), ["theme_id"], unique=False)

    op.create_table(
        "observation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=20), nullable=False),
        sa.Column("period_kind", sa.String(length=20), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("symbol", sa.String(length=5), nullable=True),
        sa.Column("numerator", sa.Float(), nullable=True),
        sa.Column("denominator", sa.Float(), nullable=True),
        sa.Column("target", sa.Float(), nullable=True),
        sa.Column("benchmark_england", sa.Float(), nullable=True),
        sa.Column("benchmark_region", sa.Float(), nullable=True),
        sa.Column("benchmark_neighbours", sa.Float(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["indicator.id"],
            name=op.f("fk_observation_indicator_id_indicator"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_observation")),
        sa.UniqueConstraint("indicator_id", "period", name=op.f("uq_observation_indicator_id")),
    )


def downgrade() -> None:
    op.drop_table("observation")
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_indicator_theme_id"))
        batch_op.drop_index(batch_op.f("ix_indicator_organisation_id"))

    op.drop_table("indicator")
