"""indexes for the appendix reports

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23

Phụ lục 2 and the poor-household checks read only the poor records of a unit and year (about one
in twenty-five), so partial indexes ``WHERE status = 'ngheo'`` hold everything those queries read
and serve them without touching the table. The check "official status differs from the latest
assessment" reads only the assessed households of the unit, found by partial indexes per unit
level ``WHERE latest_class IS NOT NULL`` that carry the id and class.

PostgreSQL gets covering indexes (``INCLUDE``); SQLite, which has no ``INCLUDE``, gets the same
partial indexes with the read columns appended to the key.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POOR = "status = 'ngheo'"
ASSESSED = "latest_class IS NOT NULL"
POOR_COLUMNS = ["poor_group", "deprived_mask", "area", "income_per_person"]
INDEXES: dict[str, tuple[str, list[str], list[str], str]] = {
    "ix_official_records_poor_province": (
        "official_records",
        ["province_id", "year"],
        ["district_id", "commune_id", "village_id", *POOR_COLUMNS],
        POOR,
    ),
    "ix_official_records_poor_district": (
        "official_records",
        ["district_id", "year"],
        ["commune_id", *POOR_COLUMNS],
        POOR,
    ),
    "ix_official_records_poor_commune": (
        "official_records",
        ["commune_id", "year"],
        ["village_id", *POOR_COLUMNS],
        POOR,
    ),
    **{
        f"ix_households_assessed_{level}": (
            "households",
            [f"{level}_id"],
            ["id", "latest_class"],
            ASSESSED,
        )
        for level in ("province", "district", "commune", "village")
    },
}


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name, (table, keys, read, where) in INDEXES.items():
        if postgresql:
            op.create_index(
                name, table, keys, postgresql_include=read, postgresql_where=sa.text(where)
            )
        else:
            op.create_index(name, table, keys + read, sqlite_where=sa.text(where))


def downgrade() -> None:
    for name, (table, *_rest) in reversed(INDEXES.items()):
        op.drop_index(name, table_name=table)
