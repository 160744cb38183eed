"""official records keep the units they were recorded under when a reorganisation moves them

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("former_province_id", "former_district_id", "former_commune_id", "former_village_id")
INDEXED = ("former_district_id", "former_commune_id", "former_village_id")


def upgrade() -> None:
    # Nullable columns without a default: a cheap change on a large table on both databases.
    for column in COLUMNS:
        op.add_column("official_records", sa.Column(column, sa.Integer(), nullable=True))
    for column in INDEXED:
        name = column.removesuffix("_id")
        op.create_index(
            f"ix_official_records_{name}_year", "official_records", [column, "year"], unique=False
        )


def downgrade() -> None:
    for column in INDEXED:
        op.drop_index(f"ix_official_records_{column.removesuffix('_id')}_year", "official_records")
    with op.batch_alter_table("official_records", schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.drop_column(column)
