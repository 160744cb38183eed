"""Mentor assignments: who looks after which household, with the history of hand-overs.

Assigning a new mentor closes the open assignment (``valid_to`` = today) and opens another, so
past reminders and reports still point at the mentor of their time. Every change leaves an audit
row that names the household and the user ids, never a phone number or a name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from poverty.errors import InvalidInputError
from poverty.i18n import N_
from poverty.text import normalize_phone
from storage.audit import Actor, AuditEntry, record_audit
from storage.households import MENTOR_NAME
from storage.models import Household, MentorAssignment, User

UNKNOWN_HOUSEHOLD = N_("Không có hộ mã “{code}”.")
BAD_PHONE = N_("Số điện thoại “{phone}” không đúng.")


@dataclass(frozen=True)
class Assignment:
    """One mentor ↔ household period, as listed to people."""

    household_id: int
    household_code: str
    head_name: str
    mentor_user_id: int
    mentor_name: str
    mentor_phone: str | None
    valid_from: date
    valid_to: date | None


def local_day(now: datetime, tz: tzinfo) -> date:
    """The day ``now`` falls on in the people's time zone (``Settings.timezone``)."""
    return now.astimezone(tz).date()


async def locked_household(session: AsyncSession, code: str) -> Household:
    """The household with ``code``, locked for this transaction; InvalidInputError if none."""
    household = await session.scalar(
        select(Household).where(Household.code == code.strip()).with_for_update()
    )
    if household is None:
        raise InvalidInputError(UNKNOWN_HOUSEHOLD, code=code)
    return household


async def _mentor_by_phone(session: AsyncSession, phone: str, actor: Actor, now: datetime) -> int:
    normalized = normalize_phone(phone)
    if normalized is None:
        raise InvalidInputError(BAD_PHONE, phone=phone)
    user_id = await session.scalar(select(User.id).where(User.phone == normalized))
    if user_id is not None:
        return user_id
    user = User(name=MENTOR_NAME, phone=normalized, created_at=now)
    session.add(user)
    await session.flush()
    await record_audit(session, actor, [AuditEntry("user.create", "user", str(user.id))], now)
    return user.id


async def _close_open(
    session: AsyncSession, household_id: int, today: date
) -> list[MentorAssignment]:
    rows = list(
        await session.scalars(
            select(MentorAssignment).where(
                MentorAssignment.household_id == household_id,
                MentorAssignment.valid_to.is_(None),
            )
        )
    )
    for row in rows:
        row.valid_to = today
    return rows


async def assign_mentor(
    session: AsyncSession,
    household_code: str,
    phone: str,
    actor: Actor,
    now: datetime,
    *,
    tz: tzinfo,
) -> bool:
    """Make the user with ``phone`` (created if unknown) the household's mentor from today.

    Returns False when that user already is the mentor (nothing changes).
    """
    household = await locked_household(session, household_code)
    mentor_id = await _mentor_by_phone(session, phone, actor, now)
    today = local_day(now, tz)
    current = await current_mentors(session, [household.id])
    if current.get(household.id) == mentor_id:
        return False
    closed = await _close_open(session, household.id, today)
    session.add(
        MentorAssignment(
            household_id=household.id, mentor_user_id=mentor_id, valid_from=today, valid_to=None
        )
    )
    await session.flush()
    details: dict[str, object] = {"mentor_user_id": mentor_id}
    if closed:
        details["previous_mentor_user_id"] = closed[0].mentor_user_id
    await record_audit(
        session, actor, [AuditEntry("mentor.assign", "household", str(household.id), details)], now
    )
    return True


async def unassign_mentor(
    session: AsyncSession, household_code: str, actor: Actor, now: datetime, *, tz: tzinfo
) -> bool:
    """End the household's current assignment today; False when it had no mentor."""
    household = await locked_household(session, household_code)
    closed = await _close_open(session, household.id, local_day(now, tz))
    if not closed:
        return False
    await session.flush()
    details = {"mentor_user_id": closed[0].mentor_user_id}
    await record_audit(
        session,
        actor,
        [AuditEntry("mentor.unassign", "household", str(household.id), details)],
        now,
    )
    return True


async def current_mentors(session: AsyncSession, household_ids: Iterable[int]) -> dict[int, int]:
    """Household id → the user id of its mentor now (households without one are left out)."""
    ids = list(household_ids)
    if not ids:
        return {}
    rows = await session.execute(
        select(MentorAssignment.household_id, MentorAssignment.mentor_user_id).where(
            MentorAssignment.household_id.in_(ids), MentorAssignment.valid_to.is_(None)
        )
    )
    return {household_id: mentor_id for household_id, mentor_id in rows}


async def list_assignments(
    session: AsyncSession,
    *,
    household_code: str | None = None,
    mentor_phone: str | None = None,
    with_history: bool = False,
) -> list[Assignment]:
    """Assignments ordered by household code, then start date; open ones only by default."""
    query = (
        select(MentorAssignment, Household.code, Household.head_name, User.name, User.phone)
        .join(Household, Household.id == MentorAssignment.household_id)
        .join(User, User.id == MentorAssignment.mentor_user_id)
        .order_by(Household.code, MentorAssignment.valid_from, MentorAssignment.id)
    )
    if not with_history:
        query = query.where(MentorAssignment.valid_to.is_(None))
    if household_code is not None:
        query = query.where(Household.code == household_code.strip())
    if mentor_phone is not None:
        normalized = normalize_phone(mentor_phone)
        if normalized is None:
            raise InvalidInputError(BAD_PHONE, phone=mentor_phone)
        query = query.where(User.phone == normalized)
    rows = await session.execute(query)
    return [
        Assignment(
            a.household_id, code, head, a.mentor_user_id, name, phone, a.valid_from, a.valid_to
        )
        for a, code, head, name, phone in rows
    ]
