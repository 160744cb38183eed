"""A province's own support policies and local top-ups (``giamngheo policies import``).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "local_policies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("province_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.String(length=1000), nullable=False),
        sa.Column("eligible", sa.JSON(), nullable=False),
        sa.Column("legal_basis", sa.JSON(), nullable=False),
        sa.Column("how_to", sa.String(length=1000), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("indicators", sa.JSON(), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("top_up_of", sa.String(length=40), nullable=True),
        sa.Column("loan_ceiling", sa.String(length=300), nullable=True),
        sa.Column("loan_rate", sa.String(length=300), nullable=True),
        sa.Column("loan_term", sa.String(length=300), nullable=True),
        sa.Column("checked_on", sa.Date(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["province_id"],
            ["admin_units.id"],
            name=op.f("fk_local_policies_province_id_admin_units"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_local_policies")),
        sa.UniqueConstraint("province_id", "code", name="uq_local_policies_province_code"),
    )
    op.create_index(
        op.f("ix_local_policies_province_id"), "local_policies", ["province_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_local_policies_province_id"), table_name="local_policies")
    op.drop_table("local_policies")
