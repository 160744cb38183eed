"""Suspended conversations: a request served in the middle of a flow keeps the interrupted
conversation (its answers included) to offer it again when the request is done.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conversation_states") as batch:
        batch.add_column(sa.Column("suspended", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("conversation_states") as batch:
        batch.drop_column("suspended")
