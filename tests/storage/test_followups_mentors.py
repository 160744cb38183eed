"""Mentor assignments by hand (``giamngheo mentors`` and managers): hand-over keeps history."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from poverty.errors import InvalidInputError
from storage.audit import Actor
from storage.households import HouseholdRow, save_households
from storage.mentors import assign_mentor, current_mentors, list_assignments, unassign_mentor
from storage.models import AuditLog
from tests.conftest import PEOPLE_TZ

ACTOR = Actor("test")
Sessions = async_sessionmaker[AsyncSession]
PHONE_A = "0912345678"
PHONE_B = "0987654321"


async def household(sessions: Sessions, now: datetime) -> None:
    row = HouseholdRow(
        code="H1", head_name="Lê Thị Bình", province="Quảng Trị", commune="Cam Hiếu", members=3
    )
    async with sessions() as session, session.begin():
        await save_households(session, [row], ACTOR, now, default_year=2025, tz=PEOPLE_TZ)


async def test_assign_then_hand_over_keeps_the_old_assignment_closed(
    sessions: Sessions, now: datetime
) -> None:
    await household(sessions, now)
    later = now + timedelta(days=10)
    async with sessions() as session, session.begin():
        assert await assign_mentor(session, "H1", PHONE_A, ACTOR, now, tz=PEOPLE_TZ)
    async with sessions() as session, session.begin():
        assert await assign_mentor(session, "H1", PHONE_B, ACTOR, later, tz=PEOPLE_TZ)
    async with sessions() as session:
        history = await list_assignments(session, household_code="H1", with_history=True)
        current = await list_assignments(session)
    assert [(a.mentor_phone, a.valid_from, a.valid_to) for a in history] == [
        ("+84912345678", date(2026, 11, 23), date(2026, 12, 3)),
        ("+84987654321", date(2026, 12, 3), None),
    ]
    assert [a.mentor_phone for a in current] == ["+84987654321"]


async def test_assigning_the_same_mentor_again_changes_nothing(
    sessions: Sessions, now: datetime
) -> None:
    await household(sessions, now)
    async with sessions() as session, session.begin():
        assert await assign_mentor(session, "H1", PHONE_A, ACTOR, now, tz=PEOPLE_TZ)
        assert not await assign_mentor(session, "H1", "+84 912 345 678", ACTOR, now, tz=PEOPLE_TZ)


async def test_unassign_closes_the_assignment(sessions: Sessions, now: datetime) -> None:
    await household(sessions, now)
    async with sessions() as session, session.begin():
        await assign_mentor(session, "H1", PHONE_A, ACTOR, now, tz=PEOPLE_TZ)
        assert await unassign_mentor(session, "H1", ACTOR, now, tz=PEOPLE_TZ)
        assert not await unassign_mentor(session, "H1", ACTOR, now, tz=PEOPLE_TZ)
        assert await current_mentors(session, [1, 2, 3]) == {}


async def test_unknown_household_or_bad_phone_is_refused(sessions: Sessions, now: datetime) -> None:
    await household(sessions, now)
    async with sessions() as session:
        with pytest.raises(InvalidInputError):
            await assign_mentor(session, "NOPE", PHONE_A, ACTOR, now, tz=PEOPLE_TZ)
        with pytest.raises(InvalidInputError):
            await assign_mentor(session, "H1", "12", ACTOR, now, tz=PEOPLE_TZ)


async def test_assignment_changes_are_audited_without_phone_numbers(
    sessions: Sessions, now: datetime
) -> None:
    await household(sessions, now)
    async with sessions() as session, session.begin():
        await assign_mentor(session, "H1", PHONE_A, ACTOR, now, tz=PEOPLE_TZ)
        await assign_mentor(session, "H1", PHONE_B, ACTOR, now, tz=PEOPLE_TZ)
        await unassign_mentor(session, "H1", ACTOR, now, tz=PEOPLE_TZ)
    async with sessions() as session:
        rows = await session.execute(
            select(AuditLog.action, AuditLog.details)
            .where(AuditLog.action.like("mentor.%"))
            .order_by(AuditLog.id)
        )
        audit = [(action, details) for action, details in rows]
    assert [action for action, _ in audit] == ["mentor.assign", "mentor.assign", "mentor.unassign"]
    assert "previous_mentor_user_id" in audit[1][1]
    assert all("912345678" not in str(details) for _, details in audit)
