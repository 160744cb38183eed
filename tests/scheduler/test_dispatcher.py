"""The outbox dispatcher against the rate-limited fake API: limits, retries, blocks, quiet hours."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from scheduler.dispatcher import DispatchConfig, Dispatcher
from scheduler.quiet import QuietHours
from scheduler.sending import ChannelRouter, SendResult
from storage.models import Identity, OutboxMessage, User
from storage.outbox import NewMessage, claim, count_by_state, enqueue, mark_sent
from tests.conftest import PEOPLE_TZ
from tests.scheduler.conftest import Clock
from tests.scheduler.fake_api import FakeBotApi

Sessions = async_sessionmaker[AsyncSession]
FAST = DispatchConfig(per_second=200, chat_interval=0.05, batch=50, quiet=QuietHours(PEOPLE_TZ.key))


def messages(count: int, chats: int, *, quiet: bool = True) -> list[NewMessage]:
    return [
        NewMessage(f"test:{i}", "telegram", str(1000 + i % chats), f"Tin {i}", quiet=quiet)
        for i in range(count)
    ]


async def fill(sessions: Sessions, batch: list[NewMessage], now: datetime) -> int:
    async with sessions() as session, session.begin():
        return await enqueue(session, batch, now)


async def states(sessions: Sessions) -> dict[str, int]:
    async with sessions() as session:
        return await count_by_state(session)


async def drain(dispatcher: Dispatcher, rounds: int = 20) -> None:
    for _ in range(rounds):
        if (await dispatcher.run_once()).claimed == 0:
            return


async def test_planning_the_same_key_twice_queues_one_message(
    sessions: Sessions, clock: Clock
) -> None:
    assert await fill(sessions, messages(3, 3), clock.now) == 3
    assert await fill(sessions, messages(4, 3), clock.now) == 1
    assert await states(sessions) == {"pending": 4}


async def test_every_message_is_sent_once_within_the_limits(
    sessions: Sessions, clock: Clock
) -> None:
    await fill(sessions, messages(120, 12), clock.now)
    api = FakeBotApi(per_second=FAST.per_second, chat_interval=FAST.chat_interval)
    await drain(Dispatcher(sessions, api, worker="w1", clock=clock, config=FAST))
    assert await states(sessions) == {"sent": 120}
    assert api.too_many == 0
    assert api.duplicates == 0
    assert set(api.delivered) == {f"test:{i}" for i in range(120)}


async def test_429_waits_retry_after_and_does_not_count_an_attempt(
    sessions: Sessions, clock: Clock
) -> None:
    await fill(sessions, messages(2, 2), clock.now)
    api = FakeBotApi(per_second=200, chat_interval=0.05)
    api.scripted["test:0"] = [SendResult.wait(0.01)]
    dispatcher = Dispatcher(sessions, api, worker="w1", clock=clock, config=FAST)
    first = await dispatcher.run_once()
    assert (first.sent, first.throttled) == (1, 1)
    assert (await dispatcher.run_once()).claimed == 0
    clock.advance(timedelta(seconds=1))
    assert (await dispatcher.run_once()).sent == 1
    async with sessions() as session:
        row = await session.scalar(
            select(OutboxMessage).where(OutboxMessage.idempotency_key == "test:0")
        )
    assert row is not None
    assert (row.state, row.attempts, row.last_error) == ("sent", 1, "429")


async def test_5xx_is_retried_with_back_off_then_gives_up(sessions: Sessions, clock: Clock) -> None:
    await fill(sessions, messages(1, 1), clock.now)
    api = FakeBotApi(per_second=200, chat_interval=0.05)
    api.scripted["test:0"] = [SendResult.temporary("502")] * 3
    config = DispatchConfig(per_second=200, chat_interval=0.05, max_attempts=3)
    dispatcher = Dispatcher(sessions, api, worker="w1", clock=clock, config=config)
    assert (await dispatcher.run_once()).retried == 1
    clock.advance(timedelta(seconds=4))
    assert (await dispatcher.run_once()).claimed == 0
    clock.advance(timedelta(seconds=1))
    assert (await dispatcher.run_once()).retried == 1
    clock.advance(timedelta(seconds=10))
    assert (await dispatcher.run_once()).failed == 1
    assert await states(sessions) == {"failed": 1}


async def test_timeout_counts_as_a_temporary_failure(sessions: Sessions, clock: Clock) -> None:
    await fill(sessions, messages(1, 1), clock.now)
    api = FakeBotApi(per_second=200, chat_interval=0.05, latency=1.0)
    config = DispatchConfig(per_second=200, chat_interval=0.05, send_timeout=0.05)
    assert (
        await Dispatcher(sessions, api, worker="w", clock=clock, config=config).run_once()
    ).retried == 1
    assert await states(sessions) == {"pending": 1}


async def test_blocked_recipient_is_marked_and_not_retried(
    sessions: Sessions, clock: Clock
) -> None:
    async with sessions() as session, session.begin():
        user = User(name="Cán bộ", phone=None, created_at=clock.now)
        session.add(user)
        await session.flush()
        session.add(
            Identity(user_id=user.id, channel="telegram", external_id="1000", created_at=clock.now)
        )
    await fill(sessions, messages(1, 1), clock.now)
    api = FakeBotApi(per_second=200, chat_interval=0.05)
    api.scripted["test:0"] = [SendResult.blocked("403 blocked by user")]
    assert (
        await Dispatcher(sessions, api, worker="w", clock=clock, config=FAST).run_once()
    ).blocked == 1
    async with sessions() as session:
        blocked_at = await session.scalar(select(Identity.blocked_at))
    assert blocked_at == clock.now
    assert await states(sessions) == {"blocked": 1}


async def test_reminders_wait_for_the_end_of_quiet_hours(sessions: Sessions, clock: Clock) -> None:
    clock.now = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # 22:00 in Vietnam
    await fill(sessions, messages(2, 2), clock.now)
    await fill(
        sessions, [NewMessage("reply:1", "telegram", "9", "Trả lời", quiet=False)], clock.now
    )
    api = FakeBotApi(per_second=200, chat_interval=0.05)
    dispatcher = Dispatcher(sessions, api, worker="w", clock=clock, config=FAST)
    assert (await dispatcher.run_once()).sent == 1
    assert set(api.delivered) == {"reply:1"}
    clock.now = datetime(2026, 11, 23, 23, 35, tzinfo=UTC)  # 06:35
    assert (await dispatcher.run_once()).sent == 2


async def test_expired_lease_is_claimed_again_and_the_old_worker_cannot_record(
    sessions: Sessions, clock: Clock
) -> None:
    await fill(sessions, messages(1, 1), clock.now)
    async with sessions() as session, session.begin():
        (first,) = await claim(session, "dead", clock.now, lease=timedelta(seconds=30), limit=5)
    async with sessions() as session, session.begin():
        assert await claim(session, "w2", clock.now, lease=timedelta(seconds=30), limit=5) == []
    clock.advance(timedelta(seconds=31))
    async with sessions() as session, session.begin():
        (again,) = await claim(session, "w2", clock.now, lease=timedelta(seconds=30), limit=5)
        assert (again.id, again.attempts) == (first.id, 2)
    async with sessions() as session, session.begin():
        assert not await mark_sent(session, first.id, "dead", clock.now)
        assert await mark_sent(session, first.id, "w2", clock.now)


async def test_two_workers_share_the_outbox_without_sending_twice(
    sessions: Sessions, clock: Clock
) -> None:
    await fill(sessions, messages(200, 40), clock.now)
    api = FakeBotApi(per_second=400, chat_interval=0.05)
    config = DispatchConfig(per_second=150, chat_interval=0.1, batch=20)
    workers = [
        Dispatcher(sessions, api, worker=f"w{i}", clock=clock, config=config) for i in range(2)
    ]
    # One round may claim nothing while the other worker holds the last leases, and two workers
    # may hit one chat in the same instant (the 429 defers that message by its retry_after), so
    # both keep going, letting the test clock move on when nothing was claimable (bounded).
    for _ in range(100):
        rounds = await asyncio.gather(*(w.run_once() for w in workers))
        if await states(sessions) == {"sent": 200}:
            break
        if not any(r.claimed for r in rounds):
            clock.advance(timedelta(seconds=1))
    assert await states(sessions) == {"sent": 200}
    assert api.duplicates == 0
    assert len(api.delivered) == 200


async def test_router_sends_per_channel_and_leaves_unconfigured_channels_waiting(
    sessions: Sessions, clock: Clock
) -> None:
    await fill(
        sessions,
        [
            NewMessage("a", "telegram", "1", "Tin", quiet=False),
            NewMessage("b", "sms", "+84912345678", "Tin", quiet=False),
            NewMessage("c", "zalo", "z1", "Tin", quiet=False),
        ],
        clock.now,
    )
    telegram = FakeBotApi(per_second=200, chat_interval=0.05)
    sms = FakeBotApi(per_second=200, chat_interval=0.05)
    router = ChannelRouter({"telegram": telegram, "sms": sms})
    assert (
        await Dispatcher(sessions, router, worker="w", clock=clock, config=FAST).run_once()
    ).sent == 2
    assert (set(telegram.delivered), set(sms.delivered)) == ({"a"}, {"b"})
    assert await states(sessions) == {"sent": 2, "pending": 1}


async def test_on_postgresql_a_second_worker_skips_rows_another_is_claiming(
    sessions: Sessions, clock: Clock
) -> None:
    async with sessions() as probe:
        if probe.get_bind().dialect.name != "postgresql":
            pytest.skip("SKIP LOCKED is PostgreSQL's; SQLite has a single writer")
    await fill(sessions, messages(6, 6), clock.now)
    lease = timedelta(seconds=30)
    async with sessions() as first, first.begin():
        mine = await claim(first, "w1", clock.now, lease=lease, limit=3)
        async with sessions() as second, second.begin():
            async with asyncio.timeout(5):
                theirs = await claim(second, "w2", clock.now, lease=lease, limit=6)
    assert len(mine) == 3
    assert len(theirs) == 3
    assert {m.id for m in mine}.isdisjoint({m.id for m in theirs})
