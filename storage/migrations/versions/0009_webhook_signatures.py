"""signatures of webhook requests seen within their timestamp window (replay cache)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "webhook_signatures",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_signatures")),
        sa.UniqueConstraint("channel", "digest", name=op.f("uq_webhook_signatures_channel_digest")),
    )
    op.create_index(
        "ix_webhook_signatures_expires_at", "webhook_signatures", ["expires_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_webhook_signatures_expires_at", table_name="webhook_signatures")
    op.drop_table("webhook_signatures")
