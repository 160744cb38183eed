"""Zalo first: outbox rows record the channel a message went out on and its cost class;
an invite may name the invited person's phone number

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("sent_via", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("cost_class", sa.String(length=16), nullable=True))
    with op.batch_alter_table("invites") as batch:
        batch.add_column(sa.Column("phone", sa.String(length=20), nullable=True))
        batch.create_index("ix_invites_phone", ["phone"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("invites") as batch:
        batch.drop_index("ix_invites_phone")
        batch.drop_column("phone")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("cost_class")
        batch.drop_column("sent_via")
