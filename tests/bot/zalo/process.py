"""``giamngheo run`` as a real process serving Zalo only, against the fake Zalo API (and a fake SMS
gateway behind it), on the test database (SQLite or PostgreSQL, as the run).

:func:`zalo_process` seeds the demo commune, gives the demo users the Zalo ids of
:data:`ZALO_IDS`, stores the OA's tokens, starts the process and waits for ``/healthz``. Events
are posted signed, exactly as Zalo signs them (:meth:`ZaloProcess.post`).
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.handlers.zalo.signature import signature
from storage.channel_tokens import Tokens, store_tokens
from storage.db import session_factory
from storage.demo import DEMO_USERS
from storage.models import User
from storage.people import add_identity
from tests.bot.fake_sms import TOKEN as SMS_TOKEN
from tests.bot.fake_sms import FakeSmsGateway
from tests.bot.fake_zalo import APP_ID, APP_SECRET, OA_SECRET, FakeZalo
from tests.bot.telegram_harness import GIAMNGHEO, BotProcess, free_port, seed_demo, stop_bot
from tests.conftest import _empty_all_tables

READY_SECONDS = 30.0
WEBHOOK = "/channels/zalo/webhook"
OA = "388613280878808645"
ZALO_IDS = {
    "admin": "246845883529190001",
    "manager": "246845883529190002",
    "cadre": "246845883529190003",
    "mentor": "246845883529190004",
}
"""Zalo ids given to the demo users."""


@dataclass
class ZaloProcess:
    url: str
    process: BotProcess
    sessions: async_sessionmaker[AsyncSession]
    fake: FakeZalo
    sms: FakeSmsGateway
    http: aiohttp.ClientSession

    def log(self) -> str:
        return self.process.log()

    async def post(self, event: dict[str, Any]) -> int:
        raw = json.dumps(event, ensure_ascii=False).encode()
        headers = {
            "Content-Type": "application/json",
            "X-ZEvent-Signature": signature(APP_ID, raw, str(event["timestamp"]), OA_SECRET),
        }
        async with self.http.post(self.url + WEBHOOK, data=raw, headers=headers) as response:
            await response.read()
            return response.status

    async def say(self, user: str, text: str, count: int = 1, seconds: float = 30.0) -> list[str]:
        """Send a text as ``user``; the texts of the first ``count`` messages sent back."""
        before = len(self.fake.to(user))
        assert await self.post(event("user_send_text", user, text=text)) == 200
        sent = await self.fake.wait_sent(user, before + count, seconds)
        return [s.text for s in sent[before:]]


def event(name: str, user: str, **extra: Any) -> dict[str, Any]:
    """A webhook event as Zalo sends it, stamped now."""
    body: dict[str, Any] = {
        "app_id": APP_ID,
        "event_name": name,
        "timestamp": str(int(time.time() * 1000)),
    }
    if name in ("follow", "unfollow"):
        body |= {"follower": {"id": user}, "oa_id": OA}
    else:
        body |= {"sender": {"id": user}, "recipient": {"id": OA}}
    if "text" in extra:
        body["message"] = {"text": extra.pop("text"), "msg_id": f"m{time.time_ns()}"}
    return body | extra


async def _seed(sessions: async_sessionmaker[AsyncSession], fake: FakeZalo) -> None:
    now = datetime.now(UTC)
    await seed_demo(sessions, now, now.year)
    async with sessions() as session, session.begin():
        for user in DEMO_USERS:
            row = await session.scalar(select(User).where(User.phone == user.phone))
            assert row is not None
            await add_identity(session, row.id, "zalo", ZALO_IDS[user.key], now)
        tokens = Tokens(fake.access_token, fake.refresh_token, now + timedelta(hours=20))
        await store_tokens(session, "zalo", tokens, now)


async def _wait_healthy(url: str, process: asyncio.subprocess.Process) -> None:
    async with aiohttp.ClientSession() as http, asyncio.timeout(READY_SECONDS):
        while process.returncode is None:
            try:
                async with http.get(url + "/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)


@asynccontextmanager
async def zalo_process(
    engine: AsyncEngine, database_url: str, schema: str | None, **settings: str
) -> AsyncIterator[ZaloProcess]:
    """The process on a fresh demo commune; ``settings`` are extra ``GIAMNGHEO_*`` values."""
    await _empty_all_tables(engine)
    sessions = session_factory(engine)
    async with FakeZalo() as fake, FakeSmsGateway() as sms:
        await _seed(sessions, fake)
        port = free_port()
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("GIAMNGHEO_TELEGRAM")
        }
        env |= {
            "GIAMNGHEO_DATABASE_URL": database_url,
            "GIAMNGHEO_HTTP_PORT": str(port),
            "GIAMNGHEO_FLOOD_LIMIT_PER_MINUTE": "200",
            "GIAMNGHEO_PLAN_REMINDERS": "false",
            "GIAMNGHEO_ZALO_APP_ID": APP_ID,
            "GIAMNGHEO_ZALO_OA_SECRET_KEY": OA_SECRET,
            "GIAMNGHEO_ZALO_APP_SECRET": APP_SECRET,
            "GIAMNGHEO_ZALO_API_URL": fake.url,
            "GIAMNGHEO_ZALO_OAUTH_URL": fake.oauth_url,
            "GIAMNGHEO_ZALO_ZNS_URL": fake.zns_url,
            "GIAMNGHEO_SMS_WEBHOOK_SECRET": "zalo-process-sms-secret",
            "GIAMNGHEO_SMS_SEND_URL": sms.url,
            "GIAMNGHEO_SMS_SEND_TOKEN": SMS_TOKEN,
            **settings,
        }
        if schema:
            env["GIAMNGHEO_DATABASE_SCHEMA"] = schema
        else:
            env.pop("GIAMNGHEO_DATABASE_SCHEMA", None)
        output = tempfile.TemporaryFile()  # noqa: SIM115 - closed by stop_bot
        process = await asyncio.create_subprocess_exec(
            str(GIAMNGHEO), "run", env=env, stdout=output, stderr=output
        )
        running = BotProcess(process, output)
        url = f"http://127.0.0.1:{port}"
        try:
            await _wait_healthy(url, process)
            if process.returncode is not None:
                raise AssertionError(f"giamngheo run ended early: {running.log()}")
            async with aiohttp.ClientSession() as http:
                yield ZaloProcess(url, running, sessions, fake, sms, http)
        finally:
            code = await stop_bot(running)
        assert code == 0
