"""On Telegram a request typed at a pick list is served at once (the real engine on the test
database behind aiogram, replies sent to the fake Bot API server)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows import registered_flows
from bot.flows.engine import Engine
from bot.handlers.telegram.setup import Telegram, build_telegram
from storage.models import Identity
from tests.bot.conftest import Area, Clock
from tests.bot.fake_telegram import FakeTelegram
from tests.conftest import FIXED_NOW, PEOPLE_TZ

CHAT = 5151


@pytest.fixture
async def telegram(
    fake: FakeTelegram, sessions: async_sessionmaker[AsyncSession], clock: Clock, area: Area
) -> AsyncIterator[Telegram]:
    async with sessions() as session, session.begin():
        session.add(
            Identity(
                user_id=area.users["cadre"],
                channel="telegram",
                external_id=str(CHAT),
                created_at=FIXED_NOW,
            )
        )
    built = build_telegram(
        "123456:TEST", fake.url, Engine(sessions, clock, registered_flows(), tz=PEOPLE_TZ)
    )
    yield built
    await built.bot.session.close()


async def say(telegram: Telegram, fake: FakeTelegram, text: str) -> list[str]:
    before = len(fake.sent(CHAT))
    update = {"update_id": fake.next_update_id(), "message": fake.message_update(CHAT, text)}
    await telegram.dispatcher.feed_raw_update(telegram.bot, update)
    return [call.text for call in fake.sent(CHAT)[before:]]


async def test_a_policy_name_typed_at_a_pending_policy_list_is_served_on_telegram(
    telegram: Telegram, fake: FakeTelegram
) -> None:
    listed = await say(telegram, fake, "vay vốn")
    card = await say(telegram, fake, "bhyt")
    buttons = fake.sent(CHAT)[0].params.get("reply_markup")

    assert listed == ["Có 4 chính sách phù hợp. Anh/chị muốn xem chính sách nào?"]
    assert buttons is not None
    assert card[0].startswith("Bảo hiểm y tế (BHYT)")
