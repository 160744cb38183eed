"""household support plans, the support ledger, checks of newly escaped households; the kind
and organisation of a mentor

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "household_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("group_code", sa.String(length=16), nullable=True),
        sa.Column("causes", sa.JSON(), nullable=False),
        sa.Column("cause_note", sa.String(length=300), nullable=True),
        sa.Column("target_year", sa.Integer(), nullable=True),
        sa.Column("ethnic_group", sa.String(length=60), nullable=True),
        sa.Column("merit_categories", sa.JSON(), nullable=False),
        sa.Column("updated_by_user_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_household_plans_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_user_id"],
            ["users.id"],
            name=op.f("fk_household_plans_updated_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household_plans")),
        sa.UniqueConstraint("household_id", name=op.f("uq_household_plans_household_id")),
    )
    op.create_index(op.f("ix_household_plans_ethnic_group"), "household_plans", ["ethnic_group"])

    op.create_table(
        "support_records",
        sa.Column("id", _BIG_ID, nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("policy_code", sa.String(length=40), nullable=True),
        sa.Column("description", sa.String(length=200), nullable=True),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("quantity", sa.String(length=120), nullable=True),
        sa.Column("provider", sa.String(length=120), nullable=True),
        sa.Column("followup_id", _BIG_ID, nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "policy_code IS NOT NULL OR description IS NOT NULL",
            name=op.f("ck_support_records_policy_or_description"),
        ),
        sa.CheckConstraint("amount IS NULL OR amount >= 0", name=op.f("ck_support_records_amount")),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_support_records_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["followup_id"],
            ["followups.id"],
            name=op.f("fk_support_records_followup_id_followups"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_support_records_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_records")),
    )
    op.create_index(
        "ix_support_records_household_given", "support_records", ["household_id", "given_on"]
    )
    op.create_index(op.f("ix_support_records_policy_code"), "support_records", ["policy_code"])

    op.create_table(
        "escape_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("deprivation_back", sa.Boolean(), nullable=False),
        sa.Column("income_fell", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_escape_checks_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_escape_checks_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escape_checks")),
        sa.UniqueConstraint(
            "household_id", "period_start", name="uq_escape_checks_household_period"
        ),
    )

    with op.batch_alter_table("mentor_assignments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mentor_kind", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("organisation", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("mentor_assignments", schema=None) as batch_op:
        batch_op.drop_column("organisation")
        batch_op.drop_column("mentor_kind")
    op.drop_table("escape_checks")
    op.drop_index(op.f("ix_support_records_policy_code"), table_name="support_records")
    op.drop_index("ix_support_records_household_given", table_name="support_records")
    op.drop_table("support_records")
    op.drop_index(op.f("ix_household_plans_ethnic_group"), table_name="household_plans")
    op.drop_table("household_plans")
