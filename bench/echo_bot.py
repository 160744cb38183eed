"""The bare aiogram echo bot of ``bench.telegram``, in a process of its own.

Nothing but aiogram and the fake Bot API server is loaded, as in any minimal aiogram bot, so
its garbage collections walk aiogram's heap only, never the stack's. It reads one JSON line per
round on standard input (the cadres' messages, a list of lists of texts), answers every message
with its own text, and prints the round's seconds; ``--freeze`` first moves aiogram's start-up
objects out of the collector's reach, as ``giamngheo run`` does for the stack.

    .venv/bin/python -m bench.echo_bot [--freeze]
"""

from __future__ import annotations

import asyncio
import gc
import json
import sys

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message

from bench.polling import READY, Contender
from tests.bot.fake_telegram import FakeTelegram

TOKEN = "123456:ECHO"


async def echo(message: Message) -> None:
    await message.answer(message.text or "…")


async def serve(freeze: bool) -> None:
    async with FakeTelegram() as fake:
        dispatcher = Dispatcher()
        dispatcher.message.register(echo)
        session = AiohttpSession(api=TelegramAPIServer.from_base(fake.url))
        bot = Contender("echo", Bot(TOKEN, session=session), dispatcher, fake)
        if freeze:
            gc.collect()
            gc.freeze()
        await bot.start()
        try:
            print(READY, flush=True)
            loop = asyncio.get_running_loop()
            while line := await loop.run_in_executor(None, sys.stdin.readline):
                seconds = await bot.run(json.loads(line))
                print(seconds, flush=True)
        finally:
            await bot.stop()


def main() -> None:
    asyncio.run(serve("--freeze" in sys.argv[1:]))


if __name__ == "__main__":
    main()
