"""Webhooks under attack and under Telegram's habits, against ``giamngheo run --webhook`` as a
real process: a request without the channel's signature is refused and changes nothing, and
one update delivered many times at once is answered once and moves the conversation once.

Adding a channel to the unsigned-request check is one row of :data:`UNSIGNED` (and its secret
in :data:`CHANNEL_ENV`).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any, NamedTuple

import aiohttp
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.handlers.sms.generic import sign as sms_signature
from bot.handlers.zalo.signature import signature as zalo_signature
from storage.conversations import load_conversation
from storage.db import session_factory
from storage.models import ConversationState, ProcessedUpdate
from tests.bot.fake_telegram import FakeTelegram
from tests.bot.telegram_harness import (
    CHATS,
    BotProcess,
    bot_env,
    free_port,
    seed_demo,
    start_bot,
    stop_bot,
)
from tests.conftest import _empty_all_tables

TELEGRAM_SECRET = "fault-Suite_secret-7"
SMS_SECRET = "fault-suite-sms-secret"
ZALO_APP_ID = "360846524940903967"
ZALO_OA_SECRET = "fault-suite-oa-secret"
NOWHERE = "http://127.0.0.1:9"
"""Where the SMS and Zalo processes would send: nothing may be sent in these tests."""
CHANNEL_ENV = {
    "GIAMNGHEO_TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
    "GIAMNGHEO_SMS_WEBHOOK_SECRET": SMS_SECRET,
    "GIAMNGHEO_SMS_SEND_URL": NOWHERE,
    "GIAMNGHEO_ZALO_APP_ID": ZALO_APP_ID,
    "GIAMNGHEO_ZALO_OA_SECRET_KEY": ZALO_OA_SECRET,
    "GIAMNGHEO_ZALO_API_URL": NOWHERE,
}
"""The secrets the webhook process runs with, one entry per channel."""
DUPLICATES = 12
STRANGER = 7401


class Unsigned(NamedTuple):
    """A request a channel must refuse: where it goes, its body, and headers built from the
    raw body (missing, wrong or stale signature)."""

    path: str
    body: Callable[[FakeTelegram], dict[str, Any]]
    headers: Callable[[bytes], dict[str, str]]


def _telegram_update(module_fake: FakeTelegram) -> dict[str, Any]:
    return {
        "update_id": module_fake.next_update_id(),
        "message": module_fake.message_update(STRANGER, "menu"),
    }


def _sms_event(module_fake: FakeTelegram) -> dict[str, Any]:
    return {"event": "sms.received", "id": "ev-1", "from": "+84912345678", "to": "", "text": "KT"}


def _sms_headers(raw: bytes, *, secret: str, age: float = 0.0) -> dict[str, str]:
    timestamp = str(int(time.time() - age))
    return {
        "X-Timestamp": timestamp,
        "X-Event-Id": f"ev-{timestamp}-{len(raw)}",
        "X-Signature": sms_signature(secret.encode(), timestamp, raw),
    }


def _zalo_event(module_fake: FakeTelegram) -> dict[str, Any]:
    return {
        "app_id": ZALO_APP_ID,
        "event_name": "user_send_text",
        "sender": {"id": "246845883529197999"},
        "recipient": {"id": "388613280878808645"},
        "message": {"text": "menu", "msg_id": f"fault{time.time_ns()}"},
        "timestamp": str(int(time.time() * 1000)),
    }


def _zalo_headers(raw: bytes, *, app_id: str, secret: str) -> dict[str, str]:
    timestamp = str(json.loads(raw)["timestamp"])
    return {"X-ZEvent-Signature": zalo_signature(app_id, raw, timestamp, secret)}


TELEGRAM = "/channels/telegram/webhook"
SMS = "/channels/sms/inbound"
ZALO = "/channels/zalo/webhook"
UNSIGNED = {
    "telegram-no-secret": Unsigned(TELEGRAM, _telegram_update, lambda body: {}),
    "telegram-wrong-secret": Unsigned(
        TELEGRAM, _telegram_update, lambda body: {"X-Telegram-Bot-Api-Secret-Token": "wrong"}
    ),
    "telegram-secret-in-other-case": Unsigned(
        TELEGRAM,
        _telegram_update,
        lambda body: {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET.upper()},
    ),
    "sms-no-signature": Unsigned(SMS, _sms_event, lambda body: {}),
    "sms-wrong-secret": Unsigned(SMS, _sms_event, lambda body: _sms_headers(body, secret="x")),
    "sms-stale": Unsigned(
        SMS, _sms_event, lambda body: _sms_headers(body, secret=SMS_SECRET, age=600)
    ),
    "zalo-no-signature": Unsigned(ZALO, _zalo_event, lambda body: {}),
    "zalo-wrong-secret": Unsigned(
        ZALO, _zalo_event, lambda body: _zalo_headers(body, app_id=ZALO_APP_ID, secret="x")
    ),
    "zalo-other-app": Unsigned(
        ZALO, _zalo_event, lambda body: _zalo_headers(body, app_id="1", secret=ZALO_OA_SECRET)
    ),
}


class Webhook(NamedTuple):
    url: str
    process: BotProcess
    sessions: async_sessionmaker[AsyncSession]


@pytest.fixture(scope="module")
async def webhook(
    engine: AsyncEngine, module_fake: FakeTelegram, database_url: str, test_schema: str | None
) -> AsyncIterator[Webhook]:
    await _empty_all_tables(engine)
    sessions = session_factory(engine)
    now = datetime.now(UTC)
    await seed_demo(sessions, now, now.year)
    port = free_port()
    public = f"http://127.0.0.1:{port}"
    env = bot_env(
        database_url, test_schema, module_fake, GIAMNGHEO_HTTP_PORT=str(port), **CHANNEL_ENV
    )
    process = await start_bot(env, module_fake, "--webhook", public, ready_method="setWebhook")
    try:
        yield Webhook(public, process, sessions)
    finally:
        code = await stop_bot(process)
    assert code == 0


async def count(sessions: async_sessionmaker[AsyncSession], model: type) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.parametrize("case", UNSIGNED.values(), ids=UNSIGNED.keys())
async def test_unsigned_webhook_is_refused_and_changes_nothing(
    webhook: Webhook, module_fake: FakeTelegram, case: Unsigned
) -> None:
    updates_before = await count(webhook.sessions, ProcessedUpdate)
    conversations_before = await count(webhook.sessions, ConversationState)
    calls_before = len(module_fake.calls)
    raw = json.dumps(case.body(module_fake)).encode()
    headers = {"Content-Type": "application/json", **case.headers(raw)}
    async with (
        aiohttp.ClientSession() as client,
        client.post(webhook.url + case.path, data=raw, headers=headers) as response,
    ):
        assert response.status == 401
    await asyncio.sleep(0.2)
    assert len(module_fake.calls) == calls_before, "the bot answered an unsigned request"
    assert await count(webhook.sessions, ProcessedUpdate) == updates_before
    assert await count(webhook.sessions, ConversationState) == conversations_before


async def post_update(client: aiohttp.ClientSession, url: str, update: dict[str, Any]) -> int:
    headers = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
    async with client.post(url + TELEGRAM, json=update, headers=headers) as response:
        return response.status


async def test_one_update_delivered_many_times_at_once_is_answered_once(
    webhook: Webhook, module_fake: FakeTelegram
) -> None:
    chat = CHATS["cadre"]
    async with aiohttp.ClientSession() as client:
        start = {
            "update_id": module_fake.next_update_id(),
            "message": module_fake.message_update(chat, "kiem tra"),
        }
        assert await post_update(client, webhook.url, start) == 200
        [question] = await module_fake.wait_sent(chat, 1)
        assert question.text.startswith("Anh/chị muốn kiểm tra hộ nào?")

        answer = {
            "update_id": module_fake.next_update_id(),
            "message": module_fake.message_update(chat, "TL00001"),
        }
        statuses = await asyncio.gather(
            *(post_update(client, webhook.url, answer) for _ in range(DUPLICATES))
        )

    assert all(200 <= status < 300 for status in statuses), statuses
    replies = module_fake.sent(chat)[1:]
    assert len(replies) == 1, [r.text for r in replies]
    async with webhook.sessions() as session:
        conversation = await load_conversation(session, "telegram", str(chat))
        seen = await session.scalar(
            select(func.count())
            .select_from(ProcessedUpdate)
            .where(ProcessedUpdate.update_id == str(answer["update_id"]))
        )
    assert conversation is not None
    assert conversation.history == ["ho"]
    assert seen == 1
