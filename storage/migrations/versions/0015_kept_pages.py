"""Kept pages: the rest of an SMS reply longer than the parts allowed (sent on ``TIEP``) and the
options of a Telegram keyboard paged with ◀ ▶

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "kept_pages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("ref", sa.String(length=32), nullable=False),
        sa.Column("pages", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kept_pages")),
        sa.UniqueConstraint("channel", "external_id", "ref", name="uq_kept_pages_identity_ref"),
    )
    op.create_index("ix_kept_pages_expires_at", "kept_pages", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_kept_pages_expires_at", table_name="kept_pages")
    op.drop_table("kept_pages")
