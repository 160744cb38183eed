"""The outbox dispatcher: claims due rows and sends them through a :class:`Sender`.

Guarantee. A row is marked ``sending`` with a lease before the channel is called and ``sent``
after; if the worker dies in between, the lease expires and another worker sends the row again
with the same ``key``. So delivery to the channel is *at least once*, and *exactly once* where
the gateway deduplicates by the key (the SMS contract's ``Idempotency-Key``). Telegram has no
such key: a duplicate there needs a worker to die after Telegram accepted a message and before
the ``sent`` row was committed. No message is ever lost: every row ends ``sent``, ``blocked`` or
``failed`` (after ``max_attempts`` temporary failures, or a refusal that retrying cannot fix).

Limits. One dispatcher paces its sends at ``per_second`` overall and ``chat_interval`` per chat
(:mod:`scheduler.limits`); a 429 pauses the chat and the whole dispatcher for ``retry_after``
and puts the row back without counting an attempt. With several workers on one database, give
each a share of the channel's limit (``per_second`` = limit / workers).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from scheduler.limits import Pacer
from scheduler.quiet import QuietHours
from scheduler.sending import ChannelRouter, Sender, SendResult, SendStatus
from storage.models import OutboxMessage
from storage.outbox import ClaimedMessage, claim, mark_failed, mark_retry, mark_sent

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class DispatchConfig:
    per_second: float = 30.0
    chat_interval: float = 1.0
    batch: int = 100
    concurrency: int = 32
    lease: timedelta = timedelta(minutes=2)
    send_timeout: float = 30.0
    max_attempts: int = 8
    backoff_first: timedelta = timedelta(seconds=5)
    backoff_max: timedelta = timedelta(hours=1)
    idle_wait: float = 1.0
    quiet: QuietHours | None = None
    """None: no quiet hours (the scheduler service sets them in the calendar's time zone)."""

    def backoff(self, attempts: int) -> timedelta:
        """5 s, 10 s, 20 s… after the 1st, 2nd, 3rd… failure, at most ``backoff_max``."""
        return min(self.backoff_first * (1 << min(max(attempts - 1, 0), 20)), self.backoff_max)


@dataclass
class DispatchStats:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    throttled: int = 0
    blocked: int = 0
    failed: int = 0
    lost: int = 0
    """Results not recorded because the lease ran out and another worker took the row."""

    def add(self, other: DispatchStats) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


class Dispatcher:
    """Sends outbox rows for one worker (``worker`` names its claims)."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        sender: Sender,
        *,
        worker: str,
        clock: Clock,
        config: DispatchConfig | None = None,
        pacer: Pacer | None = None,
    ) -> None:
        self.sessions = sessions
        self.sender = sender
        self.channels = sender.channels if isinstance(sender, ChannelRouter) else None
        self.worker = worker
        self.clock = clock
        self.config = config or DispatchConfig()
        self.pacer = pacer or Pacer(self.config.per_second, self.config.chat_interval)

    async def run_once(self) -> DispatchStats:
        """Claim one batch and send it; returns what happened."""
        now = self.clock()
        async with self.sessions() as session, session.begin():
            batch = await claim(
                session,
                self.worker,
                now,
                lease=self.config.lease,
                limit=self.config.batch,
                quiet_hours=self.config.quiet is not None and self.config.quiet.contains(now),
                channels=self.channels,
            )
        stats = DispatchStats(claimed=len(batch))
        if not batch:
            return stats
        gate = asyncio.Semaphore(self.config.concurrency)
        tasks: list[asyncio.Task[DispatchStats]] = []
        for message in self._spread(batch):
            await gate.acquire()
            tasks.append(asyncio.create_task(self._send(message, gate)))
        for result in await asyncio.gather(*tasks):
            stats.add(result)
        return stats

    async def run(self, stop: asyncio.Event) -> DispatchStats:
        """Dispatch until ``stop`` is set, waiting ``idle_wait`` seconds when nothing is due."""
        total = DispatchStats()
        while not stop.is_set():
            stats = await self.run_once()
            total.add(stats)
            if stats.claimed == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.config.idle_wait)
        return total

    def _spread(self, batch: list[ClaimedMessage]) -> list[ClaimedMessage]:
        """Order the batch so a chat's messages are spread out: one per chat per round."""
        rounds: list[list[ClaimedMessage]] = []
        seen: dict[str, int] = {}
        for message in batch:
            index = seen.get(_chat(message), 0)
            seen[_chat(message)] = index + 1
            if index == len(rounds):
                rounds.append([])
            rounds[index].append(message)
        return [message for one_round in rounds for message in one_round]

    async def _send(self, message: ClaimedMessage, gate: asyncio.Semaphore) -> DispatchStats:
        """Take a slot from the pacer and call the sender at once: nothing runs between the
        two, so the channel sees sends exactly as the pacer spaced them."""
        try:
            await self.pacer.acquire(_chat(message))
            try:
                async with asyncio.timeout(self.config.send_timeout):
                    result = await self.sender.send(message)
            except (TimeoutError, OSError) as error:
                result = SendResult.temporary(type(error).__name__)
            return await self._record(message, result)
        finally:
            gate.release()

    async def _record(self, message: ClaimedMessage, result: SendResult) -> DispatchStats:
        now = self.clock()
        stats = DispatchStats()
        async with self.sessions() as session, session.begin():
            if result.status is SendStatus.SENT:
                via, cost = result.delivery(message.channel)
                held = await mark_sent(session, message.id, self.worker, now, via=via, cost=cost)
                stats.sent = 1
            elif result.status is SendStatus.RETRY_AFTER:
                self.pacer.pause_chat(_chat(message), result.retry_after)
                self.pacer.pause(result.retry_after)
                at = now + timedelta(seconds=result.retry_after)
                held = await mark_retry(session, message.id, self.worker, at, result.detail)
                if held:
                    await _refund_attempt(session, message.id)
                stats.throttled = 1
            elif (
                result.status is SendStatus.TEMPORARY
                and message.attempts < self.config.max_attempts
            ):
                at = now + self.config.backoff(message.attempts)
                held = await mark_retry(session, message.id, self.worker, at, result.detail)
                stats.retried = 1
            else:
                is_blocked = result.status is SendStatus.BLOCKED
                held = await mark_failed(
                    session, message.id, self.worker, result.detail, blocked=is_blocked, now=now
                )
                stats.blocked, stats.failed = (1, 0) if is_blocked else (0, 1)
        if not held:
            return DispatchStats(lost=1)
        return stats


def _chat(message: ClaimedMessage) -> str:
    return f"{message.channel}:{message.external_id}"


async def _refund_attempt(session: AsyncSession, message_id: int) -> None:
    """A 429 is the channel pacing us, not a failure of the message: it does not count."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(attempts=OutboxMessage.attempts - 1)
    )
