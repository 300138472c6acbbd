"""Transparency Code requirements on datasets, the period a version covers, linked
resources, and the release calendar with its history of changes.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dataset") as batch_op:
        batch_op.add_column(sa.Column("transparency_requirement", sa.String(length=40)))
        batch_op.create_index(
            batch_op.f("ix_dataset_transparency_requirement"), ["transparency_requirement"]
        )
    with op.batch_alter_table("resource") as batch_op:
        batch_op.add_column(sa.Column("link_url", sa.String(length=2000)))
    with op.batch_alter_table("resource_version") as batch_op:
        batch_op.add_column(sa.Column("period", sa.String(length=20)))
    op.create_table(
        "calendar_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.String(length=36), nullable=True),
        sa.Column("requirement", sa.String(length=40), nullable=True),
        sa.Column("period", sa.String(length=20), nullable=True),
        sa.Column("provisional_month", sa.String(length=7), nullable=True),
        sa.Column("release_at", sa.DateTime(), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_calendar_entry_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["dataset.id"],
            name=op.f("fk_calendar_entry_dataset_id_dataset"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_entry")),
    )
    op.create_index(
        op.f("ix_calendar_entry_organisation_id"), "calendar_entry", ["organisation_id"]
    )
    op.create_index(op.f("ix_calendar_entry_dataset_id"), "calendar_entry", ["dataset_id"])
    op.create_index(op.f("ix_calendar_entry_release_at"), "calendar_entry", ["release_at"])
    op.create_index(op.f("ix_calendar_entry_state"), "calendar_entry", ["state"])
    op.create_table(
        "calendar_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("changed_by", sa.String(length=200), nullable=False),
        sa.Column("old_month", sa.String(length=7), nullable=True),
        sa.Column("old_release_at", sa.DateTime(), nullable=True),
        sa.Column("new_month", sa.String(length=7), nullable=True),
        sa.Column("new_release_at", sa.DateTime(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["calendar_entry.id"],
            name=op.f("fk_calendar_change_entry_id_calendar_entry"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_change")),
    )
    op.create_index(op.f("ix_calendar_change_entry_id"), "calendar_change", ["entry_id"])


def downgrade() -> None:
    op.drop_table("calendar_change")
    op.drop_table("calendar_entry")
    with op.batch_alter_table("resource_version") as batch_op:
        batch_op.drop_column("period")
    with op.batch_alter_table("resource") as batch_op:
        batch_op.drop_column("link_url")
    with op.batch_alter_table("dataset") as batch_op:
        batch_op.drop_index(batch_op.f("ix_dataset_transparency_requirement"))
        batch_op.drop_column("transparency_requirement")
