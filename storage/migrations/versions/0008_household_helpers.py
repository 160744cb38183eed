"""households helping a poor household beside its mentor ("2 better-off households help 1")

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "household_helpers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("organisation", sa.String(length=40), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_household_helpers_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household_helpers")),
    )
    with op.batch_alter_table("household_helpers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_household_helpers_household_id"), ["household_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("household_helpers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_household_helpers_household_id"))
    op.drop_table("household_helpers")
