"""Zalo first: outbox rows record the channel a message went out on and its cost class;
an invite may name the invited person's phone number; photos sent during a household check

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("sent_via", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("cost_class", sa.String(length=16), nullable=True))
    with op.batch_alter_table("invites") as batch:
        batch.add_column(sa.Column("phone", sa.String(length=20), nullable=True))
        batch.create_index("ix_invites_phone", ["phone"], unique=False)
    op.create_table(
        "check_photos",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.BigInteger(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("file_ref", sa.String(length=1000), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_check_photos_assessment_id_assessments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_check_photos_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_check_photos_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_photos")),
    )
    op.create_index("ix_check_photos_household_id", "check_photos", ["household_id"])
    op.create_index("ix_check_photos_assessment_id", "check_photos", ["assessment_id"])


def downgrade() -> None:
    op.drop_index("ix_check_photos_assessment_id", table_name="check_photos")
    op.drop_index("ix_check_photos_household_id", table_name="check_photos")
    op.drop_table("check_photos")
    with op.batch_alter_table("invites") as batch:
        batch.drop_index("ix_invites_phone")
        batch.drop_column("phone")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("cost_class")
        batch.drop_column("sent_via")
