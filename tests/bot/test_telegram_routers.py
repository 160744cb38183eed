"""The Telegram routers answer private chats only, and route an update without handing any of
its work to a thread (aiogram runs plain-function filters on one)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any, cast

import pytest

from bot.flows.engine import Engine
from bot.handlers.telegram.setup import Telegram, build_telegram
from tests.bot.fake_telegram import FakeTelegram
from tests.bot.test_telegram_typing import TimedEngine

CHAT = 4545
GROUP = -100_4545


@pytest.fixture
async def telegram(fake: FakeTelegram) -> AsyncIterator[Telegram]:
    built = build_telegram("123456:TEST", fake.url, cast(Engine, TimedEngine(0)))
    yield built
    await built.bot.session.close()


async def feed(telegram: Telegram, fake: FakeTelegram, chat: int, chat_type: str) -> None:
    message = fake.message_update(chat, "kiem tra")
    message["chat"]["type"] = chat_type
    update = {"update_id": fake.next_update_id(), "message": message}
    await telegram.dispatcher.feed_raw_update(telegram.bot, update)


async def test_a_private_message_is_answered_and_a_group_message_is_not(
    telegram: Telegram, fake: FakeTelegram
) -> None:
    await feed(telegram, fake, CHAT, "private")
    await feed(telegram, fake, GROUP, "group")

    assert [call.text for call in fake.sent(CHAT)] == ["Đã nhận: kiem tra"]
    assert fake.sent(GROUP) == []


async def test_routing_a_message_hands_no_work_to_a_thread(
    telegram: Telegram, fake: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    handed: list[Callable[..., Any]] = []
    to_thread = asyncio.to_thread

    async def recorded(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        handed.append(function)
        return await to_thread(function, *args, **kwargs)

    monkeypatch.setattr(asyncio, "to_thread", recorded)
    await feed(telegram, fake, CHAT, "private")

    assert [call.text for call in fake.sent(CHAT)] == ["Đã nhận: kiem tra"]
    assert handed == []
