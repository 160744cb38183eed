""" "typing…" is shown for slow answers only: a quick one costs no extra Bot API call."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any, cast

import pytest
from aiogram import Bot

from bot.flows.engine import Engine
from bot.flows.messages import Inbound, Outbound
from bot.handlers.telegram import routers
from bot.handlers.telegram.routers import converse
from bot.handlers.telegram.setup import build_bot
from tests.bot.fake_telegram import FakeTelegram

CHAT = 4343


class TimedEngine:
    """Answers every message with one text after ``seconds``."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    async def handle(self, inbound: Inbound) -> list[Outbound]:
        await asyncio.sleep(self.seconds)
        return [Outbound(f"Đã nhận: {inbound.text}")]


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    bot = build_bot("123456:TEST", fake.url)
    yield bot
    await bot.session.close()


async def talk(bot: Bot, seconds: float) -> list[Outbound]:
    engine = cast(Engine, TimedEngine(seconds))
    return await converse(bot, engine, CHAT, "kiem tra", 1)


async def test_a_quick_answer_sends_no_typing_action(fake: FakeTelegram, bot: Bot) -> None:
    await talk(bot, 0)
    await asyncio.sleep(routers.TYPING_AFTER + 0.1)
    assert fake.sent(CHAT, "sendChatAction") == []
    assert [call.text for call in fake.sent(CHAT)] == ["Đã nhận: kiem tra"]


async def test_a_slow_answer_shows_typing_until_it_is_sent(
    fake: FakeTelegram, bot: Bot, monkeypatch: Any
) -> None:
    monkeypatch.setattr(routers, "TYPING_AFTER", 0.05)
    monkeypatch.setattr(routers, "TYPING_EVERY", 0.1)
    await talk(bot, 0.32)
    typing = fake.sent(CHAT, "sendChatAction")
    assert 2 <= len(typing) <= 4
    assert all(call.params["action"] == "typing" for call in typing)
    methods = [call.method for call in fake.calls if call.chat_id == CHAT]
    assert methods[-1] == "sendMessage"
    await asyncio.sleep(0.25)
    assert len(fake.sent(CHAT, "sendChatAction")) == len(typing), "typing stops with the answer"


async def test_typing_that_fails_does_not_stop_the_answer(
    fake: FakeTelegram, bot: Bot, monkeypatch: Any
) -> None:
    monkeypatch.setattr(routers, "TYPING_AFTER", 0.01)
    fake.fail_next(400, "Bad Request: chat not found")
    replies = await talk(bot, 0.1)
    assert [reply.text for reply in replies] == ["Đã nhận: kiem tra"]
    assert [call.text for call in fake.sent(CHAT)] == ["Đã nhận: kiem tra"]
