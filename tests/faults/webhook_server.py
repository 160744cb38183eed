"""``giamngheo run --webhook`` as a real process with Telegram, SMS and Zalo on, its SMS replies
going to a fake gateway, and the requests an attacker or a broken client would send it.

:func:`running_server` starts it on the demo commune (SQLite or PostgreSQL, as the test run);
the helpers build signed requests for each channel exactly as the real senders sign them.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aiohttp
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.handlers.sms.generic import sign as sms_signature
from bot.handlers.zalo.signature import signature as zalo_signature
from storage.db import session_factory
from tests.bot.fake_sms import TOKEN, FakeSmsGateway
from tests.bot.fake_telegram import FakeTelegram
from tests.bot.telegram_harness import (
    BotProcess,
    bot_env,
    free_port,
    seed_demo,
    start_bot,
    stop_bot,
)
from tests.conftest import _empty_all_tables

TELEGRAM_SECRET = "hardening-Secret_7"
SMS_SECRET = "hardening-sms-secret"
ZALO_APP_ID = "360846524940903967"
ZALO_OA_SECRET = "hardening-oa-secret"
TELEGRAM = "/channels/telegram/webhook"
SMS = "/channels/sms/inbound"
ZALO = "/channels/zalo/webhook"
CADRE_PHONE = "0900000003"
"""The demo cadre, who may use every SMS code in the demo commune."""


@dataclass
class Server:
    url: str
    process: BotProcess
    sessions: async_sessionmaker[AsyncSession]
    gateway: FakeSmsGateway
    telegram: FakeTelegram
    http: aiohttp.ClientSession

    def log(self) -> str:
        return self.process.log()

    async def post(
        self, path: str, body: bytes | Any, headers: Mapping[str, str] | None = None
    ) -> tuple[int, bytes]:
        async with self.http.post(self.url + path, data=body, headers=headers or {}) as response:
            return response.status, await response.read()

    async def count(self, model: type, *where: Any) -> int:
        async with self.sessions() as session:
            query = select(func.count()).select_from(model).where(*where)
            return int(await session.scalar(query) or 0)


@asynccontextmanager
async def running_server(
    engine: AsyncEngine, database_url: str, schema: str | None, **settings: str
) -> AsyncIterator[Server]:
    """The process on a fresh demo commune; ``settings`` are extra ``GIAMNGHEO_*`` values."""
    await _empty_all_tables(engine)
    sessions = session_factory(engine)
    now = datetime.now(UTC)
    await seed_demo(sessions, now, now.year)
    async with FakeTelegram() as telegram, FakeSmsGateway() as gateway:
        port = free_port()
        env = bot_env(
            database_url,
            schema,
            telegram,
            GIAMNGHEO_HTTP_PORT=str(port),
            GIAMNGHEO_TELEGRAM_WEBHOOK_SECRET=TELEGRAM_SECRET,
            GIAMNGHEO_SMS_WEBHOOK_SECRET=SMS_SECRET,
            GIAMNGHEO_SMS_SEND_URL=gateway.url,
            GIAMNGHEO_SMS_SEND_TOKEN=TOKEN,
            GIAMNGHEO_ZALO_APP_ID=ZALO_APP_ID,
            GIAMNGHEO_ZALO_OA_SECRET_KEY=ZALO_OA_SECRET,
            GIAMNGHEO_ZALO_API_URL="http://127.0.0.1:9",
            **settings,
        )
        url = f"http://127.0.0.1:{port}"
        process = await start_bot(env, telegram, "--webhook", url, ready_method="setWebhook")
        try:
            async with aiohttp.ClientSession() as http:
                yield Server(url, process, sessions, gateway, telegram, http)
        finally:
            code = await stop_bot(process)
        assert code == 0


def sms_event(event_id: str, sender: str, text: str) -> bytes:
    payload = {"event": "sms.received", "id": event_id, "from": sender, "to": "+84987000000",
               "text": text}  # fmt: skip
    return json.dumps(payload).encode()


def sms_headers(body: bytes, *, event_id: str | None = None, age: int = 0) -> dict[str, str]:
    """Signed now (or ``age`` seconds ago); ``X-Event-Id`` only when given."""
    timestamp = str(int(time.time()) - age)
    headers = {
        "Content-Type": "application/json",
        "X-Timestamp": timestamp,
        "X-Signature": sms_signature(SMS_SECRET.encode(), timestamp, body),
    }
    if event_id is not None:
        headers["X-Event-Id"] = event_id
    return headers


def zalo_event(text: str, *, sender: str = "246845883529197999", millis: int | None = None,
               msg_id: str | None = None) -> dict[str, Any]:  # fmt: skip
    stamp = millis if millis is not None else int(time.time() * 1000)
    return {
        "app_id": ZALO_APP_ID,
        "event_name": "user_send_text",
        "sender": {"id": sender},
        "recipient": {"id": "388613280878808645"},
        "message": {"text": text, "msg_id": msg_id or f"m{time.time_ns()}"},
        "timestamp": str(stamp),
    }


def zalo_headers(raw: bytes, timestamp: str) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "X-ZEvent-Signature": zalo_signature(ZALO_APP_ID, raw, timestamp, ZALO_OA_SECRET),
    }


def telegram_headers() -> dict[str, str]:
    return {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}


async def settle(seconds: float = 0.5) -> None:
    """Let the process finish what it handles after answering (Zalo's background tasks)."""
    await asyncio.sleep(seconds)
