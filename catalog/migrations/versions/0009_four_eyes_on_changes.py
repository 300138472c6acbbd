"""Four eyes on changes to public datasets: changes waiting for review, who uploaded each
version and who noted its known issues, and confirmations of cells flagged for redaction.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("resource_version") as batch_op:
        batch_op.add_column(sa.Column("created_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("issues_noted_by_id", sa.Integer(), nullable=True))
    op.create_table(
        "resource_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.String(length=36), nullable=False),
        sa.Column("resource_id", sa.String(length=36), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("link_url", sa.String(length=2000), nullable=True),
        sa.Column("link_format", sa.String(length=20), nullable=True),
        sa.Column("made_by", sa.String(length=200), nullable=False),
        sa.Column("made_by_id", sa.Integer(), nullable=True),
        sa.Column("made_at", sa.DateTime(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("reviewed_by", sa.String(length=200), nullable=True),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("release_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["dataset.id"],
            name=op.f("fk_resource_change_dataset_id_dataset"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["resource.id"],
            name=op.f("fk_resource_change_resource_id_resource"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["resource_version.id"],
            name=op.f("fk_resource_change_version_id_resource_version"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resource_change")),
    )
    op.create_index(op.f("ix_resource_change_dataset_id"), "resource_change", ["dataset_id"])
    op.create_index(op.f("ix_resource_change_state"), "resource_change", ["state"])
    op.create_table(
        "redaction_confirmation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("field_name", sa.String(length=200), nullable=False),
        sa.Column("cell", sa.Text(), nullable=False),
        sa.Column("confirmed_by", sa.String(length=200), nullable=False),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["resource_version.id"],
            name=op.f("fk_redaction_confirmation_version_id_resource_version"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_redaction_confirmation")),
        sa.UniqueConstraint(
            "version_id",
            "row_number",
            "field_name",
            name=op.f("uq_redaction_confirmation_version_id"),
        ),
    )
    op.create_index(
        op.f("ix_redaction_confirmation_version_id"), "redaction_confirmation", ["version_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_redaction_confirmation_version_id"), "redaction_confirmation")
    op.drop_table("redaction_confirmation")
    op.drop_index(op.f("ix_resource_change_state"), "resource_change")
    op.drop_index(op.f("ix_resource_change_dataset_id"), "resource_change")
    op.drop_table("resource_change")
    with op.batch_alter_table("resource_version") as batch_op:
        batch_op.drop_column("issues_noted_by_id")
        batch_op.drop_column("created_by_id")
