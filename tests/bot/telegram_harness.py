"""Running ``giamngheo`` as a real process against the fake Bot API server.

:func:`start_bot` launches ``giamngheo run`` (the console script of this virtualenv) with the
test database and ``GIAMNGHEO_TELEGRAM_API_URL`` pointing at the fake; :func:`stop_bot` sends
SIGTERM and, if the process has not ended in time, kills it. Only 127.0.0.1 is used.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.demo import DEMO_USERS, create_demo_data
from storage.models import User
from storage.people import add_identity
from tests.bot.fake_telegram import FakeTelegram
from tests.conftest import PEOPLE_TZ

GIAMNGHEO = Path(sys.executable).parent / "giamngheo"
TOKEN = "123456:TEST"
READY_SECONDS = 30.0
STOP_SECONDS = 15.0
DEMO_HOUSEHOLDS = 200
CHATS = {"admin": 5001, "manager": 5002, "cadre": 5003, "mentor": 5004}
"""Telegram chat ids given to the demo users."""


def bot_env(
    database_url: str, schema: str | None, fake: FakeTelegram, **extra: str
) -> dict[str, str]:
    env = {
        **os.environ,
        "GIAMNGHEO_DATABASE_URL": database_url,
        "GIAMNGHEO_TELEGRAM_TOKEN": TOKEN,
        "GIAMNGHEO_TELEGRAM_API_URL": fake.url,
        "GIAMNGHEO_FLOOD_LIMIT_PER_MINUTE": "200",
        # The process runs on the real clock: on a reminder day it would plan the demo area's
        # reminders and send them into the chats under test. Its dispatcher still runs.
        "GIAMNGHEO_PLAN_REMINDERS": "false",
        **extra,
    }
    if schema:
        env["GIAMNGHEO_DATABASE_SCHEMA"] = schema
    else:
        env.pop("GIAMNGHEO_DATABASE_SCHEMA", None)
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def seed_demo(sessions: async_sessionmaker[AsyncSession], now: datetime, year: int) -> None:
    """The demo commune (a few hundred households of ``year``) and its four demo users, each
    with a Telegram identity (:data:`CHATS`)."""
    async with sessions() as session, session.begin():
        await create_demo_data(session, now, year, households=DEMO_HOUSEHOLDS, tz=PEOPLE_TZ)
        for user in DEMO_USERS:
            row = await session.scalar(select(User).where(User.phone == user.phone))
            assert row is not None
            await add_identity(session, row.id, "telegram", str(CHATS[user.key]), now)


@dataclass
class BotProcess:
    """A running ``giamngheo run``; its output goes to a temporary file (a pipe nobody reads
    could fill up and stall it)."""

    process: asyncio.subprocess.Process
    output: IO[bytes]

    def log(self) -> str:
        self.output.seek(0)
        return self.output.read().decode(errors="replace")


async def start_bot(
    env: dict[str, str], fake: FakeTelegram, *args: str, ready_method: str = "getUpdates"
) -> BotProcess:
    """``giamngheo run [args]``, once the fake has seen ``ready_method`` from it."""
    seen = len(fake.calls)
    output = tempfile.TemporaryFile()  # noqa: SIM115 - closed by stop_bot, outlives this call
    process = await asyncio.create_subprocess_exec(
        str(GIAMNGHEO), "run", *args, env=env, stdout=output, stderr=output
    )
    bot = BotProcess(process, output)
    try:
        await fake.wait_for(
            lambda: (
                process.returncode is not None
                or any(c.method == ready_method for c in fake.calls[seen:])
            ),
            READY_SECONDS,
        )
    except TimeoutError:
        await stop_bot(bot)
        raise
    if process.returncode is not None:
        log = bot.log()
        output.close()
        raise AssertionError(f"giamngheo run ended early: {log}")
    return bot


async def stop_bot(bot: BotProcess) -> int:
    """SIGTERM, then a kill after :data:`STOP_SECONDS`; returns the exit code."""
    process = bot.process
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), STOP_SECONDS)
        except TimeoutError:
            process.kill()
    code = await process.wait()
    bot.output.close()
    return code
