"""What every message does first (:func:`storage.opening.open_message`): the same outcome on
SQLite (four statements) and PostgreSQL (one)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.conversations import Conversation, save_conversation
from storage.models import MessageRate, ProcessedUpdate, RoleGrant, User
from storage.opening import REDELIVERED, Opening, open_message
from tests.bot.conftest import Area, seed_area

Sessions = async_sessionmaker[AsyncSession]
MINUTE = timedelta(minutes=1)


async def opened(
    sessions: Sessions,
    now: datetime,
    update_id: str | None,
    *,
    channel: str = "console",
    external_id: str = "cadre",
    window: timedelta | None = MINUTE,
) -> Opening:
    async with sessions() as session, session.begin():
        return await open_message(session, channel, external_id, update_id, now, window)


async def count_rows(sessions: Sessions, model: type[ProcessedUpdate | MessageRate]) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_new_update_is_recorded_counted_and_its_sender_and_conversation_read(
    sessions: Sessions, now: datetime
) -> None:
    area = await seed_area(sessions, now)
    first = await opened(sessions, now, "1")
    expires = now + timedelta(days=3)
    waiting = Conversation(
        "console", "cadre", area.users["cadre"], "household_check", now, now, expires, step="ho"
    )
    async with sessions() as session, session.begin():
        await save_conversation(session, waiting)
    second = await opened(sessions, now, "2")

    assert (first.is_new, first.count, first.conversation) == (True, 1, None)
    assert first.sender.access is not None
    assert first.sender.access.user_id == area.users["cadre"]
    assert [g.role for g in first.sender.access.grants] == ["cadre"]
    assert (second.is_new, second.count, second.conversation) == (True, 2, waiting)


async def test_a_redelivered_update_is_neither_recorded_nor_counted_again(
    sessions: Sessions, now: datetime
) -> None:
    await seed_area(sessions, now)
    await opened(sessions, now, "7")
    again = await opened(sessions, now, "7")
    after = await opened(sessions, now, "8")

    assert again == REDELIVERED
    assert after.count == 2
    assert await count_rows(sessions, ProcessedUpdate) == 2


async def test_without_an_update_id_or_a_window_nothing_is_recorded_or_counted(
    sessions: Sessions, now: datetime
) -> None:
    await seed_area(sessions, now)
    found = await opened(sessions, now, None, window=None)

    assert (found.is_new, found.count) == (True, None)
    assert found.sender.access is not None
    assert await count_rows(sessions, ProcessedUpdate) == 0
    assert await count_rows(sessions, MessageRate) == 0


async def test_the_count_starts_again_in_a_new_window(sessions: Sessions, now: datetime) -> None:
    await seed_area(sessions, now)
    counts = [(await opened(sessions, now, str(n))).count for n in range(3)]
    later = await opened(sessions, now + MINUTE, "later")

    assert (counts, later.count) == ([1, 2, 3], 1)


async def test_every_grant_in_order_a_revoked_user_and_a_stranger(
    sessions: Sessions, now: datetime
) -> None:
    area: Area = await seed_area(sessions, now)
    async with sessions() as session, session.begin():
        session.add(
            RoleGrant(
                user_id=area.users["cadre"], role="mentor", unit_id=area.units["tan_hoa"],
                granted_at=now,
            )
        )  # fmt: skip
        await session.execute(
            update(User).where(User.id == area.users["mentor"]).values(revoked_at=now)
        )
    cadre = await opened(sessions, now, "1")
    revoked = await opened(sessions, now, "2", external_id="mentor")
    stranger = await opened(sessions, now, "3", external_id="nobody")

    assert cadre.sender.access is not None
    assert [(g.role, g.unit_id) for g in cadre.sender.access.grants] == [
        ("cadre", area.units["tan_lap"]),
        ("mentor", area.units["tan_hoa"]),
    ]
    assert (revoked.sender.revoked, revoked.sender.access) == (True, None)
    assert (stranger.is_new, stranger.sender.revoked, stranger.sender.access) == (True, False, None)


async def test_on_sms_a_phone_number_finds_its_user(sessions: Sessions, now: datetime) -> None:
    area = await seed_area(sessions, now)
    found = await opened(sessions, now, "1", channel="sms", external_id="0912345678")

    assert found.sender.access is not None
    assert found.sender.access.user_id == area.users["phone_cadre"]
