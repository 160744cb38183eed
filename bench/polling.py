"""A bot long-polling its own fake Bot API server, timed over rounds of scripted messages.

Shared by both sides of ``bench.telegram``: the full stack in the bench's process and the bare
echo bot in a process of its own (``bench.echo_bot``). It imports nothing at run time, so each
side loads aiogram as it would alone: the stack through ``bot.handlers.telegram`` (models built
when first used), the echo bot plainly.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # aiogram is imported by whoever builds the bot, not here (see bench.telegram)
    from aiogram import Bot, Dispatcher
    from aiogram.types import TelegramObject

    from tests.bot.fake_telegram import FakeTelegram

WAIT_SECONDS = 300.0
POLLING_TIMEOUT = 1
FIRST_CHAT = 10_000
"""Chat id of the first cadre; cadre ``n`` writes from ``FIRST_CHAT + n``."""
READY = "ready"
"""What ``bench.echo_bot`` prints once it polls."""

Handler = Callable[["TelegramObject", dict[str, Any]], Awaitable[Any]]


class Finished:
    """Outer middleware counting handled updates; :meth:`expect` waits for a round's last."""

    def __init__(self) -> None:
        self._count = 0
        self._target = 0
        self._done = asyncio.Event()

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        try:
            return await handler(event, data)
        finally:
            self._count += 1
            if self._count >= self._target:
                self._done.set()

    def expect(self, updates: int) -> None:
        self._target = self._count + updates
        self._done.clear()

    async def wait(self) -> None:
        async with asyncio.timeout(WAIT_SECONDS):
            await self._done.wait()


@dataclass
class Contender:
    """One bot polling its own fake server. ``failure_text`` is the reply that means an update
    failed; a round with any such reply raises."""

    name: str
    bot: Bot
    dispatcher: Dispatcher
    fake: FakeTelegram
    failure_text: str | None = None
    polling: asyncio.Task[None] | None = None

    def __post_init__(self) -> None:
        self.finished = Finished()
        self.dispatcher.update.outer_middleware(self.finished)

    async def start(self) -> None:
        self.polling = asyncio.create_task(
            self.dispatcher.start_polling(
                self.bot,
                handle_signals=False,
                close_bot_session=False,
                polling_timeout=POLLING_TIMEOUT,
            )
        )
        await self.fake.wait_for(lambda: "getUpdates" in self.fake.methods(), 30)

    async def stop(self) -> None:
        await self.dispatcher.stop_polling()
        if self.polling is not None:
            await self.polling
        await self.bot.session.close()

    async def run(self, scripts: Sequence[Sequence[str]]) -> float:
        """Seconds from the first update queued until every update has been handled; the
        cadres' messages are interleaved as they would arrive."""
        updates = sum(len(s) for s in scripts)
        self.finished.expect(updates)
        self.fake.calls.clear()
        started = time.perf_counter()
        for step in range(max(len(s) for s in scripts)):
            for cadre, texts in enumerate(scripts):
                if step < len(texts):
                    await self.fake.send_text(FIRST_CHAT + cadre, texts[step])
        await self.finished.wait()
        seconds = time.perf_counter() - started
        failed = sum(1 for call in self.fake.calls if call.text == self.failure_text)
        if failed:
            raise RuntimeError(f"{self.name}: {failed} updates failed")
        return seconds
