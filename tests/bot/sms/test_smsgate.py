"""The SMSGate adapter (SMS Gateway for Android): its webhook signature and envelope in, its
send request out, end to end with the engine (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.handlers.sms.generic import sign as generic_sign
from bot.handlers.sms.gsm7 import is_gsm7
from bot.handlers.sms.inbox import LoopGuard
from bot.handlers.sms.smsgate import SmsGateInbound, SmsGateSender, message_id, sign
from storage.models import ConversationState, ProcessedUpdate
from tests.bot.conftest import Area, Clock
from tests.bot.fake_sms import PASSWORD, USER, FakeSmsGateway
from tests.bot.sms.conftest import SECRET, SmsLine, count, open_line


@pytest.fixture
async def gate(
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    area: Area,
    gateway: FakeSmsGateway,
    guard: LoopGuard,
) -> AsyncIterator[SmsLine]:
    sender = SmsGateSender(gateway.smsgate_url, USER, PASSWORD, max_parts=2)
    async with open_line(sessions, clock, gateway, SmsGateInbound(SECRET), sender, guard) as line:
        yield line


def envelope(event_id: str, sender: str, text: str, *, old_field: bool = False) -> bytes:
    payload: dict[str, Any] = {
        "messageId": "abc", "message": text, "recipient": None, "simNumber": 1,
        "receivedAt": "2026-11-23T10:00:00.000+07:00",
    }  # fmt: skip
    payload["phoneNumber" if old_field else "sender"] = sender
    body = {"deviceId": "dev1", "event": "sms:received", "id": event_id, "payload": payload,
            "webhookId": "wh1"}  # fmt: skip
    return json.dumps(body).encode()


def smsgate_headers(body: bytes, timestamp: int) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "X-Timestamp": str(timestamp),
        "X-Signature": sign(SECRET, str(timestamp), body),
    }


def test_the_signature_is_hex_hmac_of_body_then_timestamp() -> None:
    import hashlib
    import hmac

    body = b'{"id":"1"}'
    expected = hmac.new(b"key", b'{"id":"1"}1700000000', hashlib.sha256).hexdigest()

    assert sign(b"key", "1700000000", body) == expected
    assert (
        SmsGateInbound(b"key")
        .parse({"X-Timestamp": "1700000000", "X-Signature": expected}, body, 1_700_000_100)
        .event_id
        == "1"
    )


async def test_a_signed_sms_is_answered_through_the_app_with_basic_auth(
    gate: SmsLine, gateway: FakeSmsGateway, clock: Clock
) -> None:
    body = envelope("env-1", "0912345678", "menu")

    assert await gate.post(body, smsgate_headers(body, int(clock.now.timestamp()))) == 200
    await gate.flush()

    [request] = gateway.requests
    assert request["shape"] == "smsgate"
    assert request["phoneNumbers"] == ["+84912345678"]
    assert request["textMessage"]["text"].startswith("Anh/chi muon lam gi?")
    assert is_gsm7(request["textMessage"]["text"])
    assert uuid.UUID(request["id"]) == uuid.UUID(message_id("sms-reply:env-1"))
    assert request["headers"]["Authorization"].startswith("Basic ")


async def test_older_app_versions_sending_phone_number_are_understood(
    gate: SmsLine, gateway: FakeSmsGateway, clock: Clock
) -> None:
    body = envelope("env-2", "+84912345678", "menu", old_field=True)

    assert await gate.post(body, smsgate_headers(body, int(clock.now.timestamp()))) == 200
    await gate.flush()

    assert [sent.to for sent in gateway.delivered] == ["+84912345678"]


async def test_the_envelope_id_deduplicates_retried_webhooks(
    gate: SmsLine, gateway: FakeSmsGateway, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    body = envelope("env-3", "0912345678", "kiem tra")
    for _ in range(3):
        assert await gate.post(body, smsgate_headers(body, int(clock.now.timestamp()))) == 200
    await gate.flush()

    assert len(gateway.delivered) == 1
    assert await count(sessions, ProcessedUpdate) == 1


@pytest.mark.parametrize("problem", ["unsigned", "contract signature", "stale", "wrong key"])
async def test_badly_signed_smsgate_webhooks_get_401_and_change_nothing(
    gate: SmsLine, sessions: async_sessionmaker[AsyncSession], clock: Clock, problem: str
) -> None:
    body = envelope("env-4", "0912345678", "menu")
    now = int(clock.now.timestamp())
    headers = smsgate_headers(body, now)
    if problem == "unsigned":
        del headers["X-Signature"]
    elif problem == "contract signature":
        headers["X-Signature"] = generic_sign(SECRET, str(now), body)
    elif problem == "stale":
        headers = smsgate_headers(body, now - 400)
    else:
        headers["X-Signature"] = sign(b"other", str(now), body)

    assert await gate.post(body, headers) == 401
    assert await count(sessions, ProcessedUpdate) == 0
    assert await count(sessions, ConversationState) == 0


async def test_delivery_events_and_pings_are_acknowledged_and_ignored(
    gate: SmsLine, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    for n, event in enumerate(("sms:delivered", "sms:failed", "system:ping")):
        body = json.dumps({"deviceId": "d", "event": event, "id": f"p{n}", "payload": {}}).encode()
        assert await gate.post(body, smsgate_headers(body, int(clock.now.timestamp()))) == 200

    assert await count(sessions, ProcessedUpdate) == 0
