"""invite codes kept as hashes; per-identity message rate for the flood limit

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # No invite was ever created before this revision (nothing wrote the table), so the plain
    # code column is replaced rather than converted.
    with op.batch_alter_table("invites", schema=None) as batch_op:
        batch_op.drop_constraint("uq_invites_code", type_="unique")
        batch_op.drop_column("code")
        batch_op.add_column(sa.Column("code_hash", sa.String(length=64), nullable=False))
        batch_op.create_unique_constraint("uq_invites_code_hash", ["code_hash"])

    op.create_table(
        "message_rates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_rates")),
        sa.UniqueConstraint("channel", "external_id", name="uq_message_rates_identity"),
    )


def downgrade() -> None:
    op.drop_table("message_rates")
    with op.batch_alter_table("invites", schema=None) as batch_op:
        batch_op.drop_constraint("uq_invites_code_hash", type_="unique")
        batch_op.drop_column("code_hash")
        batch_op.add_column(sa.Column("code", sa.String(length=32), nullable=False))
        batch_op.create_unique_constraint("uq_invites_code", ["code"])
