"""admin units carry their kind (xã, phường, huyện…) and official code; one name per kind

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07

A district, its seat town and the commune that replaced both may share a name under one parent
(Huyện Cam Lộ, Thị trấn Cam Lộ, Xã Cam Lộ), so the unique name of a unit among its siblings
becomes (parent, level, kind, name). The kind of existing units is read from the level word
their name starts with, where it has one.

On SQLite the table is rebuilt (batch mode); ``storage.db.upgrade`` turns foreign keys off for
that, as the SQLite manual asks for a table rebuild, and checks them afterwards.
"""

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Folded level words at the start of a name and the kind they give (as of this revision).
_PREFIXES = (
    ("thanh pho ", "thanh_pho"),
    ("thi tran ", "thi_tran"),
    ("thi xa ", "thi_xa"),
    ("to dan pho ", "to_dan_pho"),
    ("khu pho ", "khu_pho"),
    ("dac khu ", "dac_khu"),
    ("tinh ", "tinh"),
    ("huyen ", "huyen"),
    ("quan ", "quan"),
    ("phuong ", "phuong"),
    ("xa ", "xa"),
    ("thon ", "thon"),
    ("ban ", "ban"),
    ("ap ", "ap"),
)


def _kind(name: str) -> str:
    decomposed = unicodedata.normalize("NFD", name.casefold().replace("đ", "d"))
    bare = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    folded = " ".join(bare.split()) + " "
    for prefix, kind in _PREFIXES:
        if folded.startswith(prefix) and len(folded) > len(prefix) + 1:
            return kind
    return ""


def upgrade() -> None:
    with op.batch_alter_table("admin_units", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=16), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("official_code", sa.String(length=16), nullable=True))
        batch_op.drop_constraint("uq_admin_units_parent_name", type_="unique")
        batch_op.create_unique_constraint(
            "uq_admin_units_parent_kind_name", ["parent_id", "level", "kind", "name_key"]
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_admin_units_official_code"), ["official_code"]
        )

    units = sa.table("admin_units", sa.column("id", sa.Integer), sa.column("name", sa.String))
    kinds = sa.table("admin_units", sa.column("id", sa.Integer), sa.column("kind", sa.String))
    bind = op.get_bind()
    for unit_id, name in bind.execute(sa.select(units.c.id, units.c.name)).all():
        kind = _kind(name)
        if kind:
            bind.execute(sa.update(kinds).where(kinds.c.id == unit_id).values(kind=kind))


def downgrade() -> None:
    with op.batch_alter_table("admin_units", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_admin_units_official_code"), type_="unique")
        batch_op.drop_constraint("uq_admin_units_parent_kind_name", type_="unique")
        batch_op.create_unique_constraint("uq_admin_units_parent_name", ["parent_id", "name_key"])
        batch_op.drop_column("official_code")
        batch_op.drop_column("kind")
