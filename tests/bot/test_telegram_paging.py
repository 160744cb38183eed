"""Telegram lists of more than eight options come a page at a time with ◀ ▶, through the fake
Bot API server and the real engine (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows import registered_flows
from bot.flows.engine import Engine
from bot.handlers.telegram.paging import KeyboardPages
from bot.handlers.telegram.setup import Telegram, build_telegram
from storage.models import User
from storage.people import add_identity
from tests.bot.conftest import Clock
from tests.bot.fake_telegram import Call, FakeTelegram
from tests.bot.test_followup_report import SMS_MENTOR, seed_many_tasks
from tests.conftest import PEOPLE_TZ

CHAT = 8001


@pytest.fixture
async def mentor_on_telegram(sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
    """A mentor of 31 households (93 open tasks) who writes from Telegram chat :data:`CHAT`."""
    await seed_many_tasks(sessions, clock, households=31)
    async with sessions() as session, session.begin():
        user = await session.scalar(select(User.id).where(User.phone == SMS_MENTOR.external_id))
        assert user is not None
        await add_identity(session, user, "telegram", str(CHAT), clock.now)


def started(
    sessions: async_sessionmaker[AsyncSession], clock: Clock, fake: FakeTelegram
) -> Telegram:
    """The Telegram side as ``giamngheo run`` builds it; a second one is a restarted bot."""
    engine = Engine(sessions, clock, registered_flows(), tz=PEOPLE_TZ)
    return build_telegram("123456:TEST", fake.url, engine, pages=KeyboardPages(sessions, clock))


async def feed(telegram: Telegram, update: dict[str, Any]) -> None:
    await telegram.dispatcher.feed_raw_update(telegram.bot, update)


def pressed(fake: FakeTelegram, call: Call, data: str) -> dict[str, Any]:
    assert call.result is not None
    query = {
        "id": f"cb{fake.next_update_id()}",
        "from": {"id": CHAT, "is_bot": False, "first_name": "Lan"},
        "chat_instance": f"ci{CHAT}",
        "data": data,
        "message": call.result,
    }
    return {"update_id": fake.next_update_id(), "callback_query": query}


def options(call: Call) -> list[tuple[str, str]]:
    return [(label, data) for label, data in call.buttons if not data.startswith("trang:")]


def page_row(call: Call) -> list[str]:
    return [label for label, data in call.buttons if data.startswith("trang:")]


async def test_a_long_pick_list_is_paged_and_a_pick_on_a_later_page_reaches_the_engine(
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    fake: FakeTelegram,
    mentor_on_telegram: None,
) -> None:
    telegram = started(sessions, clock, fake)
    try:
        await feed(telegram, {"update_id": fake.next_update_id(),
                              "message": fake.message_update(CHAT, "báo cáo việc")})  # fmt: skip
    finally:
        await telegram.bot.session.close()
    [question] = fake.sent(CHAT)
    assert question.text == "Anh/chị báo cáo việc của hộ nào?"
    assert [label for label, _ in options(question)][:2] == [
        "Hộ M001 – Chủ hộ 1 (3 việc)",
        "Hộ M002 – Chủ hộ 2 (3 việc)",
    ]
    assert len(options(question)) == 8
    assert page_row(question) == ["1/4", "▶"]

    restarted = started(sessions, clock, fake)  # the list is kept in the database
    try:
        await feed(restarted, pressed(fake, question, "trang:1"))
        [turned] = [c for c in fake.calls if c.method == "editMessageReplyMarkup"]
        await feed(restarted, pressed(fake, turned, "M010"))
    finally:
        await restarted.bot.session.close()

    assert options(turned)[0][0] == "Hộ M009 – Chủ hộ 9 (3 việc)"
    assert page_row(turned) == ["◀", "2/4", "▶"]
    assert len(fake.sent(CHAT)) == 2, "a page turn sends no new message"
    tasks = fake.sent(CHAT)[-1]
    assert tasks.text == "Hộ M010: anh/chị báo cáo việc nào?"
    assert len(options(tasks)) == 3
    assert page_row(tasks) == []


async def test_a_page_turn_on_a_list_no_longer_kept_gets_a_note(
    sessions: async_sessionmaker[AsyncSession], clock: Clock, fake: FakeTelegram
) -> None:
    old = Call("sendMessage", {"chat_id": str(CHAT)}, result={
        "message_id": 77, "date": 0, "chat": {"id": CHAT, "type": "private"}, "text": "cũ",
    })  # fmt: skip
    telegram = started(sessions, clock, fake)
    try:
        await feed(telegram, pressed(fake, old, "trang:2"))
    finally:
        await telegram.bot.session.close()

    [answer] = [c for c in fake.calls if c.method == "answerCallbackQuery"]
    assert answer.params["text"].startswith("Danh sách này đã cũ.")
    assert fake.sent(CHAT) == []
