"""Zalo test harness: the fake OA API, our webhook served over HTTP, signed events.

``zalo`` serves ``build_zalo``'s route with aiohttp's test server against the fake API; events
are posted as Zalo posts them (raw JSON body, ``X-ZEvent-Signature``), and tests wait for the
background work to finish with :meth:`Harness.settle`.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows.engine import Engine
from bot.handlers.http import build_app
from bot.handlers.zalo.setup import Zalo, build_zalo
from bot.handlers.zalo.signature import signature
from bot.handlers.zalo.webhook import WEBHOOK_PATH
from bot.settings import Settings
from scheduler.sending import SendResult
from storage.channel_tokens import Tokens, store_tokens
from storage.models import Identity
from storage.outbox import ClaimedMessage
from tests.bot.conftest import Area, Clock
from tests.bot.fake_zalo import APP_ID, APP_SECRET, OA_SECRET, FakeZalo

Sessions = async_sessionmaker[AsyncSession]
CADRE = "246845883529197922"
MENTOR = "246845883529197923"
STRANGER = "246845883529197924"
OA = "388613280878808645"


def zalo_settings(fake: FakeZalo, **extra: Any) -> Settings:
    return Settings(
        zalo_app_id=APP_ID,
        zalo_oa_secret_key=OA_SECRET,
        zalo_app_secret=APP_SECRET,
        zalo_api_url=fake.url,
        zalo_oauth_url=fake.oauth_url,
        **extra,
    )


async def store_fake_tokens(
    sessions: Sessions, fake: FakeZalo, now: datetime, valid_for: timedelta = timedelta(hours=20)
) -> None:
    async with sessions() as session, session.begin():
        tokens = Tokens(fake.access_token, fake.refresh_token, now + valid_for)
        await store_tokens(session, "zalo", tokens, now)


async def link_zalo(sessions: Sessions, user_id: int, zalo_id: str, now: datetime) -> None:
    async with sessions() as session, session.begin():
        session.add(Identity(user_id=user_id, channel="zalo", external_id=zalo_id, created_at=now))


_msg_ids = itertools.count(1)


def text_event(user: str, text: str, at: datetime, msg_id: str | None = None) -> dict[str, Any]:
    return {
        "app_id": APP_ID,
        "user_id_by_app": "552177279717587730",
        "event_name": "user_send_text",
        "sender": {"id": user},
        "recipient": {"id": OA},
        "message": {"text": text, "msg_id": msg_id or f"msg{next(_msg_ids):015d}"},
        "timestamp": str(int(at.timestamp() * 1000)),
    }


def other_event(name: str, user: str, at: datetime) -> dict[str, Any]:
    event: dict[str, Any] = {
        "app_id": APP_ID,
        "event_name": name,
        "timestamp": str(int(at.timestamp() * 1000)),
    }
    if name in ("follow", "unfollow"):
        event["follower"] = {"id": user}
        event["oa_id"] = OA
    else:
        event["sender"] = {"id": user}
        event["recipient"] = {"id": OA}
        event["message"] = {"text": "xin chao", "msg_id": f"msg{next(_msg_ids):015d}"}
    return event


def sign(raw: bytes, *, app_id: str = APP_ID, secret: str = OA_SECRET) -> str:
    event = json.loads(raw)
    return signature(app_id, raw, str(event["timestamp"]), secret)


@dataclass
class RecordingSms:
    """Stands in for the SMS channel's sender: records what it was given."""

    answer: SendResult = field(default_factory=SendResult.sent)
    got: list[ClaimedMessage] = field(default_factory=list)

    async def send(self, message: ClaimedMessage) -> SendResult:
        self.got.append(message)
        return self.answer


@dataclass
class Harness:
    client: TestClient[Any, Any]
    zalo: Zalo
    fake: FakeZalo
    clock: Clock
    sms: RecordingSms

    async def post(self, event: dict[str, Any], header: str | None = "sign") -> int:
        raw = json.dumps(event, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json"}
        if header == "sign":
            headers["X-ZEvent-Signature"] = sign(raw)
        elif header is not None:
            headers["X-ZEvent-Signature"] = header
        response = await self.client.post(WEBHOOK_PATH, data=raw, headers=headers)
        await response.read()
        return response.status

    async def settle(self) -> None:
        assert await self.zalo.background.drain(15.0)

    async def say(self, user: str, text: str, msg_id: str | None = None) -> list[str]:
        """Send a text as ``user`` and return the texts of what the bot sent back."""
        before = len(self.fake.to(user))
        assert await self.post(text_event(user, text, self.clock.now, msg_id)) == 200
        await self.settle()
        return [sent.text for sent in self.fake.to(user)[before:]]


@pytest.fixture
async def fake() -> AsyncIterator[FakeZalo]:
    async with FakeZalo() as server:
        yield server


@pytest.fixture
async def zalo(
    sessions: Sessions, area: Area, clock: Clock, bot: Engine, fake: FakeZalo
) -> AsyncIterator[Harness]:
    await store_fake_tokens(sessions, fake, clock.now)
    await link_zalo(sessions, area.users["cadre"], CADRE, clock.now)
    await link_zalo(sessions, area.users["mentor"], MENTOR, clock.now)
    sms = RecordingSms()
    built = build_zalo(zalo_settings(fake), bot, sessions, clock, fallback=sms)
    async with built, TestClient(TestServer(build_app([built.route]))) as client:
        yield Harness(client, built, fake, clock, sms)


def shared_event(user: str, phone: str, name: str, at: datetime) -> dict[str, Any]:
    """``user_submit_info``: the answer to ``request_user_info``, as integrators report it."""
    return {
        "app_id": APP_ID,
        "event_name": "user_submit_info",
        "sender": {"id": user},
        "recipient": {"id": OA},
        "info": {"name": name, "phone": phone, "address": "", "city": "", "district": ""},
        "timestamp": str(int(at.timestamp() * 1000)),
    }


def image_event(user: str, url: str, at: datetime) -> dict[str, Any]:
    """``user_send_image`` with the photo at ``url``, as integrators report it."""
    return {
        "app_id": APP_ID,
        "event_name": "user_send_image",
        "sender": {"id": user},
        "recipient": {"id": OA},
        "message": {
            "msg_id": f"msg{next(_msg_ids):015d}",
            "text": "",
            "attachments": [{"type": "image", "payload": {"url": url, "thumbnail": url}}],
        },
        "timestamp": str(int(at.timestamp() * 1000)),
    }
