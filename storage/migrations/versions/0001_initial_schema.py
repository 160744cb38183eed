"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "admin_units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("name_key", sa.String(length=120), nullable=False),
        sa.Column("level", sa.String(length=12), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("path", sa.String(length=255), nullable=False),
        sa.Column("urban", sa.Boolean(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("replaced_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "level IN ('province', 'district', 'commune', 'village')",
            name=op.f("ck_admin_units_level"),
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["admin_units.id"], name=op.f("fk_admin_units_parent_id_admin_units")
        ),
        sa.ForeignKeyConstraint(
            ["replaced_by_id"],
            ["admin_units.id"],
            name=op.f("fk_admin_units_replaced_by_id_admin_units"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_units")),
        sa.UniqueConstraint("code", name=op.f("uq_admin_units_code")),
        sa.UniqueConstraint("parent_id", "name_key", name="uq_admin_units_parent_name"),
    )
    with op.batch_alter_table("admin_units", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_admin_units_name_key"), ["name_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_admin_units_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_admin_units_path"), ["path"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("phone", name=op.f("uq_users_phone")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_user_id"], ["users.id"], name=op.f("fk_audit_log_actor_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_entity", ["entity", "entity_id"], unique=False)

    op.create_table(
        "households",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("head_name", sa.String(length=120), nullable=False),
        sa.Column("head_name_key", sa.String(length=120), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("province_id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=True),
        sa.Column("commune_id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=True),
        sa.Column("area", sa.String(length=10), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("ethnic_minority", sa.Boolean(), nullable=False),
        sa.Column("official_status", sa.String(length=12), nullable=True),
        sa.Column("official_group", sa.String(length=24), nullable=True),
        sa.Column("official_year", sa.Integer(), nullable=True),
        sa.Column("latest_assessment_id", sa.Integer(), nullable=True),
        sa.Column("latest_class", sa.String(length=12), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("area IN ('nong_thon', 'thanh_thi')", name=op.f("ck_households_area")),
        sa.CheckConstraint(
            "official_group IS NULL OR official_group IN ('bao_tro_xa_hoi', 'chinh_sach_giam_ngheo')",
            name=op.f("ck_households_official_group"),
        ),
        sa.CheckConstraint(
            "official_status IS NULL OR official_status IN ('ngheo', 'can_ngheo', 'trung_binh', 'khong')",
            name=op.f("ck_households_official_status"),
        ),
        sa.CheckConstraint("members >= 1", name=op.f("ck_households_members")),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["admin_units.id"], name=op.f("fk_households_unit_id_admin_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_households")),
        sa.UniqueConstraint("code", name=op.f("uq_households_code")),
    )
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.create_index(
            "ix_households_commune_name", ["commune_id", "head_name_key"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_households_district_id"), ["district_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_households_province_id"), ["province_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_households_unit_id"), ["unit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_households_village_id"), ["village_id"], unique=False)

    op.create_table(
        "identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blocked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_identities_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identities")),
        sa.UniqueConstraint("channel", "external_id", name="uq_identities_channel"),
    )
    with op.batch_alter_table("identities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_identities_user_id"), ["user_id"], unique=False)

    op.create_table(
        "invites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("role", sa.String(length=12), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_by_user_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "role IN ('admin', 'manager', 'cadre', 'mentor')", name=op.f("ck_invites_role")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"], ["users.id"], name=op.f("fk_invites_created_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["admin_units.id"], name=op.f("fk_invites_unit_id_admin_units")
        ),
        sa.ForeignKeyConstraint(
            ["used_by_user_id"], ["users.id"], name=op.f("fk_invites_used_by_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invites")),
        sa.UniqueConstraint("code", name=op.f("uq_invites_code")),
    )
    op.create_table(
        "role_grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=12), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "role IN ('admin', 'manager', 'cadre', 'mentor')", name=op.f("ck_role_grants_role")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["admin_units.id"], name=op.f("fk_role_grants_unit_id_admin_units")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_role_grants_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role_grants")),
    )
    with op.batch_alter_table("role_grants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_role_grants_user_id"), ["user_id"], unique=False)

    op.create_table(
        "assessments",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("province_id", sa.Integer(), nullable=False),
        sa.Column("standard_id", sa.String(length=16), nullable=False),
        sa.Column("area", sa.String(length=10), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("income_per_person", sa.Integer(), nullable=True),
        sa.Column("deprived_mask", sa.Integer(), nullable=False),
        sa.Column("known_mask", sa.Integer(), nullable=False),
        sa.Column("computed_class", sa.String(length=12), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_assessments_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_assessments_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
    )
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assessments_household_created", ["household_id", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_assessments_province_created", ["province_id", "created_at"], unique=False
        )

    op.create_table(
        "mentor_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("mentor_user_id", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_mentor_assignments_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mentor_user_id"],
            ["users.id"],
            name=op.f("fk_mentor_assignments_mentor_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentor_assignments")),
    )
    with op.batch_alter_table("mentor_assignments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mentor_assignments_household_id"), ["household_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_mentor_assignments_mentor_user_id"), ["mentor_user_id"], unique=False
        )

    op.create_table(
        "official_records",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("province_id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=True),
        sa.Column("commune_id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=True),
        sa.Column("ethnic_minority", sa.Boolean(), nullable=False),
        sa.Column("area", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("poor_group", sa.String(length=24), nullable=True),
        sa.Column("income_per_person", sa.Integer(), nullable=True),
        sa.Column("deprived_mask", sa.Integer(), nullable=False),
        sa.Column("known_mask", sa.Integer(), nullable=False),
        sa.Column("standard_id", sa.String(length=16), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "poor_group IS NULL OR poor_group IN ('bao_tro_xa_hoi', 'chinh_sach_giam_ngheo')",
            name=op.f("ck_official_records_group"),
        ),
        sa.CheckConstraint(
            "status IN ('ngheo', 'can_ngheo', 'trung_binh', 'khong')",
            name=op.f("ck_official_records_status"),
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_official_records_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_official_records")),
        sa.UniqueConstraint("household_id", "year", name="uq_official_records_household_year"),
    )
    with op.batch_alter_table("official_records", schema=None) as batch_op:
        batch_op.create_index(
            "ix_official_records_commune_year", ["commune_id", "year"], unique=False
        )
        batch_op.create_index(
            "ix_official_records_district_year", ["district_id", "year"], unique=False
        )
        batch_op.create_index(
            "ix_official_records_province_year", ["province_id", "year"], unique=False
        )
        batch_op.create_index(
            "ix_official_records_village_year", ["village_id", "year"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("official_records", schema=None) as batch_op:
        batch_op.drop_index("ix_official_records_village_year")
        batch_op.drop_index("ix_official_records_province_year")
        batch_op.drop_index("ix_official_records_district_year")
        batch_op.drop_index("ix_official_records_commune_year")

    op.drop_table("official_records")
    with op.batch_alter_table("mentor_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mentor_assignments_mentor_user_id"))
        batch_op.drop_index(batch_op.f("ix_mentor_assignments_household_id"))

    op.drop_table("mentor_assignments")
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_index("ix_assessments_province_created")
        batch_op.drop_index("ix_assessments_household_created")

    op.drop_table("assessments")
    with op.batch_alter_table("role_grants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_role_grants_user_id"))

    op.drop_table("role_grants")
    op.drop_table("invites")
    with op.batch_alter_table("identities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identities_user_id"))

    op.drop_table("identities")
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_households_village_id"))
        batch_op.drop_index(batch_op.f("ix_households_unit_id"))
        batch_op.drop_index(batch_op.f("ix_households_province_id"))
        batch_op.drop_index(batch_op.f("ix_households_district_id"))
        batch_op.drop_index("ix_households_commune_name")

    op.drop_table("households")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_entity")

    op.drop_table("audit_log")
    op.drop_table("users")
    with op.batch_alter_table("admin_units", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_admin_units_path"))
        batch_op.drop_index(batch_op.f("ix_admin_units_parent_id"))
        batch_op.drop_index(batch_op.f("ix_admin_units_name_key"))

    op.drop_table("admin_units")
