"""Telegram updates per second through the whole stack, against a bare aiogram echo bot.

Both bots poll the same fake Bot API server (``tests/bot/fake_telegram.py``, on 127.0.0.1) in
this process. The full stack handles complete household checks of the demo commune by many
cadres at once: each update goes through aiogram, the engine, one SQLite transaction and a
``sendMessage``. The echo bot answers each update with its own text. Both rates count updates
from the first one queued to the last reply received; the ratio says what the product costs
over Telegram's own plumbing (goal: at most 3×).

    .venv/bin/python -m bench.telegram [cadres] [checks per cadre]
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from aiogram import Bot, Dispatcher
from aiogram.types import Message
from sqlalchemy import select

from bench.flow import ANSWERS
from bot.flows import registered_flows
from bot.flows.engine import TIMEZONE, Engine
from bot.handlers.telegram.setup import build_bot, build_telegram
from poverty.formatting import format_decimal, format_int
from storage.audit import Actor
from storage.db import create_engine, session_factory, upgrade
from storage.demo import create_demo_data
from storage.models import AdminUnit, User
from storage.people import add_identity, grant_role
from tests.bot.fake_telegram import FakeTelegram

TOKEN = "123456:BENCH"
DEFAULT_CADRES = 20
DEFAULT_CHECKS = 2
GOAL = 3.0
WAIT_SECONDS = 300.0
FIRST_CHAT = 10_000
ACTOR = Actor("bench")


def clock() -> datetime:
    return datetime.now(UTC)


def script(cadre: int, checks: int) -> list[str]:
    """The messages of one cadre: complete checks of households of their own."""
    texts: list[str] = []
    for number in range(checks):
        code = f"TL{cadre * checks + number + 1:05d}"
        texts += ["kiem tra", code, *ANSWERS]
    return texts


async def feed(fake: FakeTelegram, scripts: Sequence[Sequence[str]]) -> int:
    """Queue every message, interleaving the cadres as they would arrive; returns the count."""
    count = 0
    for step in range(max(len(s) for s in scripts)):
        for cadre, texts in enumerate(scripts):
            if step < len(texts):
                await fake.send_text(FIRST_CHAT + cadre, texts[step])
                count += 1
    return count


async def timed_run(
    bot: Bot, dispatcher: Dispatcher, fake: FakeTelegram, scripts: Sequence[Sequence[str]]
) -> float:
    """Seconds from the first update queued until every update has been answered."""
    polling = asyncio.create_task(
        dispatcher.start_polling(bot, handle_signals=False, polling_timeout=1)
    )
    await fake.wait_for(lambda: "getUpdates" in fake.methods(), 30)
    chats = range(FIRST_CHAT, FIRST_CHAT + len(scripts))
    before = {chat: len(fake.sent(chat)) for chat in chats}
    started = time.perf_counter()
    await feed(fake, scripts)
    done = {chat: before[chat] + len(scripts[chat - FIRST_CHAT]) for chat in chats}
    await fake.wait_for(
        lambda: all(len(fake.sent(chat)) >= done[chat] for chat in chats), WAIT_SECONDS
    )
    seconds = time.perf_counter() - started
    await dispatcher.stop_polling()
    await polling
    return seconds


async def full_stack(scripts: Sequence[Sequence[str]]) -> float:
    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}")
        try:
            await upgrade(engine)
            sessions = session_factory(engine)
            now = clock()
            households = max(100, len(scripts) * max(len(s) for s in scripts))
            async with sessions() as session, session.begin():
                await create_demo_data(session, now, now.astimezone(TIMEZONE).year, households)
                commune = await session.scalar(
                    select(AdminUnit.id).where(AdminUnit.level == "commune")
                )
                assert commune is not None
                for cadre in range(len(scripts)):
                    user = User(name=f"Cán bộ {cadre}", created_at=now)
                    session.add(user)
                    await session.flush()
                    await add_identity(session, user.id, "telegram", str(FIRST_CHAT + cadre), now)
                    await grant_role(session, user.id, "cadre", commune, ACTOR, now)
            bot_engine = Engine(sessions, clock, registered_flows())
            async with FakeTelegram() as fake:
                telegram = build_telegram(TOKEN, fake.url, bot_engine)
                return await timed_run(telegram.bot, telegram.dispatcher, fake, scripts)
        finally:
            await engine.dispose()


async def echo(message: Message) -> None:
    await message.answer(message.text or "…")


async def echo_bot(scripts: Sequence[Sequence[str]]) -> float:
    async with FakeTelegram() as fake:
        dispatcher = Dispatcher()
        dispatcher.message.register(echo)
        return await timed_run(build_bot(TOKEN, fake.url), dispatcher, fake, scripts)


def main() -> None:
    cadres = int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_CADRES
    checks = int(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_CHECKS
    scripts = [script(cadre, checks) for cadre in range(cadres)]
    updates = sum(len(s) for s in scripts)
    stack_seconds = asyncio.run(full_stack(scripts))
    echo_seconds = asyncio.run(echo_bot(scripts))
    stack_rate, echo_rate = updates / stack_seconds, updates / echo_seconds
    ratio = echo_rate / stack_rate
    print(
        f"Telegram, toàn bộ hệ thống (cập nhật → flow → SQLite → trả lời): "
        f"{format_decimal(stack_rate, 1)} cập nhật/giây; "
        f"bot echo aiogram: {format_decimal(echo_rate, 1)} cập nhật/giây; "
        f"tỷ lệ {format_decimal(ratio, 2)}× (mục tiêu ≤ {format_decimal(GOAL, 0)}×; "
        f"{format_int(cadres)} cán bộ, {format_int(updates)} cập nhật)"
    )


if __name__ == "__main__":
    main()
