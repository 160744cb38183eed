"""Database models (SQLAlchemy 2). Changes go through Alembic migrations in ``storage/migrations``.

Households and their yearly official records carry the ids of every ancestor unit (province,
district, commune, village) so that area summaries are single-table aggregates that use an index,
and so the large tables can be partitioned by province.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.types import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

UNIT_LEVELS = ("province", "district", "commune", "village")
POVERTY_CLASSES = ("ngheo", "can_ngheo", "trung_binh", "khong")
POOR_GROUPS = ("bao_tro_xa_hoi", "chinh_sach_giam_ngheo")
AREAS = ("nong_thon", "thanh_thi")
ROLES = ("admin", "manager", "cadre", "mentor")


def _in(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime, dict[str, Any]: JSON}


class AdminUnit(Base):
    """A node of the administrative tree: province → (district) → commune → village.

    ``kind`` is the type of unit the name carries (``xa``, ``phuong``, ``huyen``…; empty when
    unknown), so a district, its seat town and a new commune may share a name under one parent.
    A former unit keeps its row: ``valid_to`` is the day it stopped existing and
    ``replaced_by_id`` the unit that took it over.
    """

    __tablename__ = "admin_units"
    __table_args__ = (
        CheckConstraint(_in("level", UNIT_LEVELS), name="level"),
        UniqueConstraint(
            "parent_id", "level", "kind", "name_key", name="uq_admin_units_parent_kind_name"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    name_key: Mapped[str] = mapped_column(String(120), index=True)
    level: Mapped[str] = mapped_column(String(12))
    kind: Mapped[str] = mapped_column(String(16), default="", server_default="")
    official_code: Mapped[str | None] = mapped_column(String(16), unique=True)
    """The official code (mã đơn vị hành chính), where known."""
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("admin_units.id"), index=True)
    path: Mapped[str] = mapped_column(String(255), index=True)
    urban: Mapped[bool] = mapped_column(Boolean, default=False)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("admin_units.id"))


class Household(Base):
    """A registered household with its current official status (what the commune approved)."""

    __tablename__ = "households"
    __table_args__ = (
        CheckConstraint(_in("area", AREAS), name="area"),
        CheckConstraint("members >= 1", name="members"),
        CheckConstraint(
            f"official_status IS NULL OR {_in('official_status', POVERTY_CLASSES)}",
            name="official_status",
        ),
        CheckConstraint(
            f"official_group IS NULL OR {_in('official_group', POOR_GROUPS)}", name="official_group"
        ),
        Index("ix_households_commune_name", "commune_id", "head_name_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    head_name: Mapped[str] = mapped_column(String(120))
    head_name_key: Mapped[str] = mapped_column(String(120))
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id"), index=True)
    province_id: Mapped[int] = mapped_column(Integer, index=True)
    district_id: Mapped[int | None] = mapped_column(Integer, index=True)
    commune_id: Mapped[int] = mapped_column(Integer)
    village_id: Mapped[int | None] = mapped_column(Integer, index=True)
    area: Mapped[str] = mapped_column(String(10), default="nong_thon")
    members: Mapped[int] = mapped_column(Integer)
    ethnic_minority: Mapped[bool] = mapped_column(Boolean, default=False)
    official_status: Mapped[str | None] = mapped_column(String(12))
    official_group: Mapped[str | None] = mapped_column(String(24))
    official_year: Mapped[int | None] = mapped_column(Integer)
    latest_assessment_id: Mapped[int | None] = mapped_column(Integer)
    latest_class: Mapped[str | None] = mapped_column(String(12))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class OfficialRecord(Base):
    """The status the commune approved for one household in one year, as imported.

    Unit ids are copied from the household at the time, so a past year's table does not change when
    a household moves. A reorganisation of units (``storage.reorganisation``) moves the record
    to the units that took over its own, so every year groups by today's units; the ids as
    recorded are kept in the ``former_*`` columns (set once, on the first reorganisation that
    moves the record; ``former_commune_id`` is NULL while the record was never moved).
    """

    __tablename__ = "official_records"
    __table_args__ = (
        UniqueConstraint("household_id", "year", name="uq_official_records_household_year"),
        CheckConstraint(_in("status", POVERTY_CLASSES), name="status"),
        CheckConstraint(f"poor_group IS NULL OR {_in('poor_group', POOR_GROUPS)}", name="group"),
        Index("ix_official_records_province_year", "province_id", "year"),
        Index("ix_official_records_district_year", "district_id", "year"),
        Index("ix_official_records_commune_year", "commune_id", "year"),
        Index("ix_official_records_village_year", "village_id", "year"),
        Index("ix_official_records_former_district_year", "former_district_id", "year"),
        Index("ix_official_records_former_commune_year", "former_commune_id", "year"),
        Index("ix_official_records_former_village_year", "former_village_id", "year"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    province_id: Mapped[int] = mapped_column(Integer)
    district_id: Mapped[int | None] = mapped_column(Integer)
    commune_id: Mapped[int] = mapped_column(Integer)
    village_id: Mapped[int | None] = mapped_column(Integer)
    former_province_id: Mapped[int | None] = mapped_column(Integer)
    former_district_id: Mapped[int | None] = mapped_column(Integer)
    former_commune_id: Mapped[int | None] = mapped_column(Integer)
    former_village_id: Mapped[int | None] = mapped_column(Integer)
    ethnic_minority: Mapped[bool] = mapped_column(Boolean, default=False)
    area: Mapped[str] = mapped_column(String(10), default="nong_thon")
    status: Mapped[str] = mapped_column(String(12))
    poor_group: Mapped[str | None] = mapped_column(String(24))
    income_per_person: Mapped[int | None] = mapped_column(Integer)
    deprived_mask: Mapped[int] = mapped_column(Integer, default=0)
    known_mask: Mapped[int] = mapped_column(Integer, default=0)
    standard_id: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime]


class Assessment(Base):
    """One check of one household by a cadre. Never overwritten; the latest one is linked."""

    __tablename__ = "assessments"
    __table_args__ = (
        Index("ix_assessments_household_created", "household_id", "created_at"),
        Index("ix_assessments_province_created", "province_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    province_id: Mapped[int] = mapped_column(Integer)
    standard_id: Mapped[str] = mapped_column(String(16))
    area: Mapped[str] = mapped_column(String(10))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    income_per_person: Mapped[int | None] = mapped_column(Integer)
    deprived_mask: Mapped[int] = mapped_column(Integer, default=0)
    known_mask: Mapped[int] = mapped_column(Integer, default=0)
    computed_class: Mapped[str | None] = mapped_column(String(12))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    channel: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    applies_year: Mapped[int] = mapped_column(Integer)
    """The year the result applies to: the next year inside an annual review, else the year of
    the check (:mod:`poverty.review`); the standard is the one in force that year."""


REVIEW_STATES = ("open", "approved")
REVIEW_NOTE_KINDS = ("meeting", "complaint")


class Review(Base):
    """The annual review of year ``year`` in one area (a commune, or a province at once); its
    result is the official records of ``year + 1``. Opened, then approved once; reopening is
    an explicit act."""

    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint("unit_id", "year", name="uq_reviews_unit_year"),
        CheckConstraint(_in("state", REVIEW_STATES), name="state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id"))
    year: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(10))
    opened_at: Mapped[datetime]
    opened_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    posted_on: Mapped[date | None] = mapped_column(Date)
    approved_at: Mapped[datetime | None]
    approved_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ReviewRequest(Base):
    """A household's request to be reviewed in year ``year`` (giấy đề nghị), as a cadre
    recorded it: when it was made and what the household said."""

    __tablename__ = "review_requests"
    __table_args__ = (Index("ix_review_requests_year_household", "year", "household_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    requested_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]


class ReviewNote(Base):
    """What happened during a review: a village meeting (``unit_id`` the village; ``details``:
    present, agreed, disputed, note) or a complaint about one household (``details``: content),
    which reopens that household's check."""

    __tablename__ = "review_notes"
    __table_args__ = (
        CheckConstraint(_in("kind", REVIEW_NOTE_KINDS), name="kind"),
        Index("ix_review_notes_review_kind", "review_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("admin_units.id"))
    household_id: Mapped[int | None] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE")
    )
    on_date: Mapped[date] = mapped_column(Date)
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]


class User(Base):
    """A person using the bot; reached through one or more channel identities."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class Identity(Base):
    """A user's address on one channel: Telegram chat id, Zalo user id, phone, console name."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("channel", "external_id", name="uq_identities_channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    blocked_at: Mapped[datetime | None]
    last_inbound_at: Mapped[datetime | None]
    """When this person last wrote to us on this channel (Zalo's free-reply window opens then)."""
    replies_since_inbound: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Messages sent to this identity since ``last_inbound_at`` (Zalo: 8 free in 48 hours)."""


class ChannelToken(Base):
    """The current API tokens of one channel account (Zalo OA: access + single-use refresh).

    One row per channel, replaced in the same transaction that refreshes it, so a refresh token
    is never lost between two workers.
    """

    __tablename__ = "channel_tokens"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    access_token: Mapped[str] = mapped_column(Text)
    refresh_token: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class RoleGrant(Base):
    """A role over a subtree of admin units."""

    __tablename__ = "role_grants"
    __table_args__ = (CheckConstraint(_in("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(12))
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id"))
    granted_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class Invite(Base):
    """A single-use code that registers its holder with a role over a unit, until it expires.

    Only the SHA-256 of the code is kept (``code_hash``), so the table never holds a code that
    still works; the code itself is shown once, when the invite is created.
    """

    __tablename__ = "invites"
    __table_args__ = (CheckConstraint(_in("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(12))
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id"))
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    """The invited person's number (``+84…``), when the invite names one: sharing that number
    from Zalo uses the invite without typing the code."""


class MentorAssignment(Base):
    """A mentor looking after a household for a period; a hand-over closes one and opens another."""

    __tablename__ = "mentor_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    mentor_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    mentor_kind: Mapped[str | None] = mapped_column(String(16))
    """``can_bo``, ``doan_the`` (with ``organisation``) or ``ho_kha_gia``; None: not recorded."""
    organisation: Mapped[str | None] = mapped_column(String(40))


class HouseholdHelper(Base):
    """Someone helping a household beside its responsible mentor: a better-off household
    ("2 better-off households help 1 poor household"), a mass organisation's member or a cadre.
    Not a user of the bot: reminders go to the responsible mentor only."""

    __tablename__ = "household_helpers"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    """A ``mentor_kinds`` code of poverty/support_plans.yaml."""
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(20))
    organisation: Mapped[str | None] = mapped_column(String(40))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)


class AuditLog(Base):
    """Who changed what and when. Details hold field names and codes, never phone numbers."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime]
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    note: Mapped[str | None] = mapped_column(Text)


class ConversationState(Base):
    """Where one person is in a flow: answers so far, the step asked, when it stops being valid.

    Written at every step, so a conversation survives restarts and any worker can continue it.
    ``history`` lists the answered step names in order (what ``/quaylai`` undoes); ``paused``
    means the person was asked whether to continue, restart or cancel. ``suspended`` holds the
    conversations interrupted by this one, oldest first (flow, step, answers, history, times),
    offered again when this one ends.
    """

    __tablename__ = "conversation_states"
    __table_args__ = (
        UniqueConstraint("channel", "external_id", name="uq_conversation_states_identity"),
        Index("ix_conversation_states_expires_at", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    flow: Mapped[str] = mapped_column(String(40))
    step: Mapped[str | None] = mapped_column(String(64))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    history: Mapped[list[str]] = mapped_column(JSON)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    suspended: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    started_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class KeptPages(Base):
    """The rest of a reply a channel could not show at once, kept so the person can ask for it.

    SMS: ``ref`` is empty and ``pages`` the texts still to send, in order (``TIEP`` sends the
    first and removes it); Telegram: ``ref`` is the message id of a paged keyboard and ``pages``
    its options as ``[key, label]`` pairs (◀ ▶ redraw it). One row per (identity, ref): a new
    long reply replaces the old rest. A row outlives a restart and is ignored after
    ``expires_at``.
    """

    __tablename__ = "kept_pages"
    __table_args__ = (
        UniqueConstraint("channel", "external_id", "ref", name="uq_kept_pages_identity_ref"),
        Index("ix_kept_pages_expires_at", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    ref: Mapped[str] = mapped_column(String(32), default="")
    pages: Mapped[list[Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class ProcessedUpdate(Base):
    """A channel update already handled; a redelivered webhook finds its row and is ignored."""

    __tablename__ = "processed_updates"
    __table_args__ = (
        UniqueConstraint("channel", "update_id", name="uq_processed_updates_channel_update"),
        Index("ix_processed_updates_processed_at", "processed_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    update_id: Mapped[str] = mapped_column(String(128))
    processed_at: Mapped[datetime]


class WebhookSignature(Base):
    """A webhook request's signature seen within its channel's timestamp window.

    A captured request replayed as it is carries the same signature, so its row is found and
    the copy is ignored, whatever ids its unsigned headers claim. Rows expire with the window
    (past it the timestamp check refuses the request anyway) and are deleted then.
    """

    __tablename__ = "webhook_signatures"
    __table_args__ = (
        UniqueConstraint("channel", "digest", name="uq_webhook_signatures_channel_digest"),
        Index("ix_webhook_signatures_expires_at", "expires_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    digest: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime]


class MessageRate(Base):
    """How many messages one channel identity sent in the current one-minute window.

    One row per identity, reset when a new window starts, so the flood limit holds across every
    worker that shares the database and the table never grows past the number of identities.
    """

    __tablename__ = "message_rates"
    __table_args__ = (UniqueConstraint("channel", "external_id", name="uq_message_rates_identity"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    window_start: Mapped[datetime]
    count: Mapped[int] = mapped_column(Integer)


FOLLOWUP_STATES = ("open", "in_progress", "blocked", "done", "cancelled")
OUTBOX_STATES = ("pending", "sending", "sent", "blocked", "failed")


class FollowUp(Base):
    """One deprivation of a poor or near-poor household that its mentor should help close.

    Opened when an assessment or import shows the deprivation, closed (``done``) when a later one
    no longer does, or by the mentor's report. The mentor is whoever holds the household's open
    assignment when a reminder is planned, so a hand-over moves the follow-ups with it.
    """

    __tablename__ = "followups"
    __table_args__ = (
        CheckConstraint(_in("state", FOLLOWUP_STATES), name="state"),
        Index("ix_followups_household_indicator", "household_id", "indicator"),
        Index("ix_followups_state_due", "state", "due_on"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    indicator: Mapped[str] = mapped_column(String(40))
    policy_codes: Mapped[list[str]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(12))
    due_on: Mapped[date] = mapped_column(Date)
    opened_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    last_report: Mapped[str | None] = mapped_column(Text)
    last_report_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]


class ReportSubmission(Base):
    """A unit's periodic report for one period (``2026-Q4``, ``2026-H1``, ``2026-Y``), once."""

    __tablename__ = "report_submissions"
    __table_args__ = (
        UniqueConstraint("unit_id", "period", name="uq_report_submissions_unit_period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id"))
    period: Mapped[str] = mapped_column(String(16))
    submitted_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime]
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)


class OutboxMessage(Base):
    """A message waiting to be sent, or the record that it was.

    ``idempotency_key`` is deterministic (``followup:12:2026-12-20``), so planning twice inserts
    nothing new. A worker claims a row by moving it to ``sending`` with a lease
    (``claimed_until``); a worker that dies leaves the lease to expire and the row is taken again.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint(_in("state", OUTBOX_STATES), name="state"),
        Index("ix_outbox_state_next_try", "state", "next_try_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(160), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    choices: Mapped[list[str]] = mapped_column(JSON)
    quiet: Mapped[bool] = mapped_column(Boolean, default=True)
    state: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_try_at: Mapped[datetime]
    claimed_until: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(200))
    sent_via: Mapped[str | None] = mapped_column(String(16))
    """The channel the message went out on: ``zalo``, ``zns`` or ``sms`` for a Zalo identity
    (window, template message, SMS fallback), else the row's own channel."""
    cost_class: Mapped[str | None] = mapped_column(String(16))
    """What the send costs: ``free`` (Telegram, a Zalo reply inside the window), ``zns`` (a
    paid template message), ``sms`` (paid per part)."""


class CheckPhoto(Base):
    """A photo sent during a household check: kept with the household at once and linked to
    the assessment when the check is saved. The file stays with the channel; ``file_ref`` is
    what the channel knows it by (Telegram's ``file_id``, the URL of Zalo's ``user_send_image``),
    so photos do not swell the database."""

    __tablename__ = "check_photos"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    assessment_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("assessments.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    file_ref: Mapped[str] = mapped_column(String(1000))
    received_at: Mapped[datetime]


class HouseholdPlan(Base):
    """A poor or near-poor household's support plan: its group (a/b/c of the directive's
    sorting), causes of poverty, escape target year, and the special groups it belongs to.
    One row per household; codes come from ``poverty/support_plans.yaml``."""

    __tablename__ = "household_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), unique=True
    )
    group_code: Mapped[str | None] = mapped_column(String(16))
    causes: Mapped[list[str]] = mapped_column(JSON, default=list)
    cause_note: Mapped[str | None] = mapped_column(String(300))
    target_year: Mapped[int | None] = mapped_column(Integer)
    ethnic_group: Mapped[str | None] = mapped_column(String(60), index=True)
    merit_categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime]


class SupportRecord(Base):
    """One support a household received: a catalogue policy or a programme named in words,
    when, how much (đồng) or what (a quantity in words), and who gave it."""

    __tablename__ = "support_records"
    __table_args__ = (
        CheckConstraint(
            "policy_code IS NOT NULL OR description IS NOT NULL", name="policy_or_description"
        ),
        CheckConstraint("amount IS NULL OR amount >= 0", name="amount"),
        Index("ix_support_records_household_given", "household_id", "given_on"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    policy_code: Mapped[str | None] = mapped_column(String(40), index=True)
    description: Mapped[str | None] = mapped_column(String(200))
    given_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[int | None] = mapped_column(BigInteger)
    quantity: Mapped[str | None] = mapped_column(String(120))
    provider: Mapped[str | None] = mapped_column(String(120))
    followup_id: Mapped[int | None] = mapped_column(ForeignKey("followups.id", ondelete="SET NULL"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    channel: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]


class EscapeCheck(Base):
    """A mentor's light check of a newly escaped household for one period of its watch."""

    __tablename__ = "escape_checks"
    __table_args__ = (
        UniqueConstraint("household_id", "period_start", name="uq_escape_checks_household_period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    period_start: Mapped[date] = mapped_column(Date)
    deprivation_back: Mapped[bool] = mapped_column(Boolean)
    income_fell: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(String(300))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]


class LocalPolicy(Base):
    """A province's own support policy or local top-up (``giamngheo policies import``), shown
    by the policy lookup to people of that province beside the national catalogue
    (``poverty/policies.yaml``). Texts are as the province wrote them; ``eligible`` holds
    ``{"status": …, "condition": …}`` items as in the catalogue."""

    __tablename__ = "local_policies"
    __table_args__ = (
        UniqueConstraint("province_id", "code", name="uq_local_policies_province_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    province_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(1000))
    eligible: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    legal_basis: Mapped[list[str]] = mapped_column(JSON)
    how_to: Mapped[str] = mapped_column(String(1000))
    note: Mapped[str | None] = mapped_column(String(1000))
    indicators: Mapped[list[str]] = mapped_column(JSON)
    keywords: Mapped[list[str]] = mapped_column(JSON)
    top_up_of: Mapped[str | None] = mapped_column(String(40))
    loan_ceiling: Mapped[str | None] = mapped_column(String(300))
    loan_rate: Mapped[str | None] = mapped_column(String(300))
    loan_term: Mapped[str | None] = mapped_column(String(300))
    checked_on: Mapped[date] = mapped_column(Date)
    updated_at: Mapped[datetime]
