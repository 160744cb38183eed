"""The SMS channel over real HTTP: our webhook on 127.0.0.1, the fake gateway, the outbox
dispatcher between them, and the engine on the test database (SQLite and PostgreSQL)."""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows import registered_flows
from bot.flows.engine import Engine
from bot.handlers.http import build_app, start_http
from bot.handlers.sms.client import GatewayClient
from bot.handlers.sms.events import InboundParser
from bot.handlers.sms.generic import GenericInbound, GenericSender, sign
from bot.handlers.sms.inbox import LoopGuard, SmsInbox
from bot.handlers.sms.pages import PageStore
from bot.handlers.sms.webhook import INBOUND_PATH, sms_route
from scheduler.dispatcher import DispatchConfig, Dispatcher, DispatchStats
from scheduler.sending import ChannelRouter
from tests.bot.conftest import Area, Clock
from tests.bot.fake_sms import TOKEN, FakeSmsGateway
from tests.bot.telegram_harness import free_port
from tests.conftest import PEOPLE_TZ

SECRET = b"sms-webhook-secret"


async def count(sessions: async_sessionmaker[AsyncSession], model: type) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


def signed_headers(body: bytes, timestamp: int, event_id: str) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "X-Timestamp": str(timestamp),
        "X-Event-Id": event_id,
        "X-Signature": sign(SECRET, str(timestamp), body),
    }


@dataclass
class SmsLine:
    """Our SMS webhook and the gateway, as a phone user sees them."""

    base: str
    gateway: FakeSmsGateway
    dispatcher: Dispatcher
    clock: Clock
    http: aiohttp.ClientSession
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def event_id(self) -> str:
        return f"evt-{next(self.ids)}"

    async def post(self, body: bytes, headers: dict[str, str]) -> int:
        async with self.http.post(self.base + INBOUND_PATH, data=body, headers=headers) as r:
            await r.read()
            return r.status

    async def receive(self, sender: str, text: str, event_id: str | None = None) -> int:
        """The gateway reports ``text`` from ``sender``, signed now."""
        event = event_id or self.event_id()
        payload: dict[str, Any] = {
            "event": "sms.received", "id": event, "from": sender, "to": "+84987000000",
            "text": text,
        }  # fmt: skip
        body = json.dumps(payload).encode()
        return await self.post(body, signed_headers(body, int(self.clock.now.timestamp()), event))

    async def flush(self) -> DispatchStats:
        """Send everything the outbox holds that is due now."""
        total = DispatchStats()
        while (stats := await self.dispatcher.run_once()).claimed:
            total.add(stats)
        return total

    async def say(self, sender: str, text: str, to: str | None = None) -> list[str]:
        """Send ``text`` and return the SMS the gateway delivered in answer."""
        before = len(self.gateway.delivered)
        assert await self.receive(sender, text) == 200
        await self.flush()
        return [s.text for s in self.gateway.delivered[before:] if to is None or s.to == to]


def dispatcher_for(
    sessions: async_sessionmaker[AsyncSession], sender: GatewayClient, clock: Clock
) -> Dispatcher:
    config = DispatchConfig(per_second=1000.0, chat_interval=0.0)
    router = ChannelRouter({"sms": sender})
    return Dispatcher(sessions, router, worker="test", clock=clock, config=config)


@pytest.fixture
def guard() -> LoopGuard:
    return LoopGuard(replies=50, window=timedelta(minutes=10))


@pytest.fixture
async def gateway() -> AsyncIterator[FakeSmsGateway]:
    async with FakeSmsGateway() as fake:
        yield fake


@asynccontextmanager
async def open_line(
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    gateway: FakeSmsGateway,
    parser: InboundParser,
    sender: GatewayClient,
    guard: LoopGuard,
    max_parts: int = 2,
) -> AsyncIterator[SmsLine]:
    engine = Engine(sessions, clock, registered_flows(), tz=PEOPLE_TZ)
    inbox = SmsInbox(engine, sessions, clock, guard=guard, max_parts=max_parts)
    route = sms_route(parser, inbox, unix_time=lambda: clock.now.timestamp())
    port = free_port()
    runner = await start_http(build_app([route]), "127.0.0.1", port)
    try:
        async with aiohttp.ClientSession() as http:
            dispatcher = dispatcher_for(sessions, sender, clock)
            yield SmsLine(f"http://127.0.0.1:{port}", gateway, dispatcher, clock, http)
    finally:
        await sender.close()
        await runner.cleanup()


@pytest.fixture
async def line(
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    area: Area,
    gateway: FakeSmsGateway,
    guard: LoopGuard,
) -> AsyncIterator[SmsLine]:
    sender = GenericSender(gateway.url, TOKEN, max_parts=2, pages=PageStore(sessions, clock))
    async with open_line(sessions, clock, gateway, GenericInbound(SECRET), sender, guard) as sms:
        yield sms
