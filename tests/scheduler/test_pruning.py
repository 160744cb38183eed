"""The tick removes rows kept only for a while (update records after a week, conversations a
month after they expired) and keeps the rest, so a redelivery inside the window is still
answered once (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from poverty.calendar import load_calendar
from scheduler.tick import tick
from storage.conversations import Conversation, load_conversation, mark_processed, save_conversation
from storage.models import ProcessedUpdate
from tests.conftest import FIXED_NOW, PEOPLE_TZ

CALENDAR = load_calendar(timezone=PEOPLE_TZ.key)


def _conversation(external_id: str, expires_days_ago: int) -> Conversation:
    expires = FIXED_NOW - timedelta(days=expires_days_ago)
    return Conversation("console", external_id, None, "household_check", expires, expires, expires)


async def test_a_tick_removes_week_old_update_records_and_long_expired_conversations(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        await mark_processed(session, "telegram", "old", FIXED_NOW - timedelta(days=8))
        await mark_processed(session, "telegram", "recent", FIXED_NOW - timedelta(days=6))
        await save_conversation(session, _conversation("long-gone", expires_days_ago=31))
        await save_conversation(session, _conversation("just-expired", expires_days_ago=1))

    result = await tick(sessions, CALENDAR, FIXED_NOW)

    async with sessions() as session, session.begin():
        left = await session.scalar(select(func.count()).select_from(ProcessedUpdate))
        recent_again = await mark_processed(session, "telegram", "recent", FIXED_NOW)
        old_again = await mark_processed(session, "telegram", "old", FIXED_NOW)
        gone = await load_conversation(session, "console", "long-gone")
        kept = await load_conversation(session, "console", "just-expired")
    assert result.ran
    assert left == 1
    assert not recent_again, "a redelivery within the week is still recognised"
    assert old_again, "the week-old record is gone"
    assert gone is None
    assert kept is not None, "a recently expired conversation still tells its owner"
