"""A 429 storm: the channel answers "too many requests, retry after r" to a large share of
sends. Every outbox message still arrives exactly once, none is lost, and after a 429 nothing
more goes to that chat (that message included) before ``retry_after`` has passed.

The worker killed in the middle of a batch is covered by tests/scheduler/test_dispatcher_kill.py.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from scheduler.dispatcher import DispatchConfig, Dispatcher, DispatchStats
from scheduler.sending import SendResult, SendStatus
from storage.outbox import ClaimedMessage, NewMessage, count_by_state, enqueue
from tests.scheduler.fake_api import FakeBotApi

MESSAGES = 200
CHATS = 20
STORM_SHARE = 0.4
RETRY_AFTER = (0.02, 0.05, 0.1)
TOLERANCE = 0.002
"""Clock granularity between the fake's timestamps and the dispatcher's sleeps."""


@dataclass
class Send:
    at: float
    chat: str
    key: str
    retry_after: float | None


@dataclass
class StormApi:
    """The rate-limited fake API, behind a storm: a seeded share of calls gets a 429 with one
    of :data:`RETRY_AFTER` before the fake even looks at it. Every call is logged."""

    api: FakeBotApi
    share: float
    rng: random.Random = field(default_factory=lambda: random.Random(8))
    log: list[Send] = field(default_factory=list)

    async def send(self, message: ClaimedMessage) -> SendResult:
        at = time.monotonic()
        chat = f"{message.channel}:{message.external_id}"
        if self.rng.random() < self.share:
            wait = self.rng.choice(RETRY_AFTER)
            self.log.append(Send(at, chat, message.key, wait))
            await asyncio.sleep(self.api.latency)
            return SendResult.wait(wait)
        result = await self.api.send(message)
        wait = result.retry_after if result.status is SendStatus.RETRY_AFTER else None
        self.log.append(Send(at, chat, message.key, wait))
        return result


def early_sends(log: list[Send], by: str) -> list[str]:
    """Sends that came before a 429's ``retry_after`` ran out, for the same chat or key."""
    blocked_until: dict[str, float] = defaultdict(float)
    early = []
    for send in sorted(log, key=lambda s: s.at):
        name = send.chat if by == "chat" else send.key
        if send.at < blocked_until[name] - TOLERANCE:
            early.append(f"{name} {blocked_until[name] - send.at:.3f}s early")
        if send.retry_after is not None:
            blocked_until[name] = max(blocked_until[name], send.at + send.retry_after)
    return early


async def test_429_storm_delivers_every_message_once_and_honours_retry_after(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        await enqueue(
            session,
            [
                NewMessage(f"storm:{i}", "telegram", str(2000 + i % CHATS), f"Tin {i}", quiet=False)
                for i in range(MESSAGES)
            ],
            datetime.now(UTC),
        )
    storm = StormApi(FakeBotApi(per_second=400, chat_interval=0.02), STORM_SHARE)
    config = DispatchConfig(per_second=400, chat_interval=0.02, batch=100, idle_wait=0.02)
    dispatcher = Dispatcher(
        sessions, storm, worker="storm", clock=lambda: datetime.now(UTC), config=config
    )
    total = DispatchStats()
    async with asyncio.timeout(120):
        while total.sent < MESSAGES:
            stats = await dispatcher.run_once()
            total.add(stats)
            if stats.claimed == 0:
                await asyncio.sleep(0.01)

    async with sessions() as session:
        assert await count_by_state(session) == {"sent": MESSAGES}
    throttled = sum(1 for s in storm.log if s.retry_after is not None)
    assert throttled >= MESSAGES * STORM_SHARE * 0.8, "the storm did not happen"
    assert total.throttled == throttled
    assert (total.lost, total.failed, total.blocked) == (0, 0, 0)
    assert storm.api.duplicates == 0
    assert set(storm.api.delivered) == {f"storm:{i}" for i in range(MESSAGES)}
    assert early_sends(storm.log, by="key") == []
    assert early_sends(storm.log, by="chat") == []
