"""The scheduler service: APScheduler ticks plan (and say what they planned, for the metrics), the
dispatcher task sends; a service that does not plan still sends."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from scheduler.dispatcher import DispatchConfig
from scheduler.reminders import PlanResult
from scheduler.service import start_scheduler
from storage.outbox import NewMessage, count_by_state, enqueue
from tests.scheduler.conftest import Clock
from tests.scheduler.fake_api import FakeBotApi
from tests.scheduler.test_reminders import CALENDAR, seed


async def serve_until_sent(
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    *,
    plans: bool,
    linger: float = 0,
    on_plan: Callable[[PlanResult], None] | None = None,
) -> FakeBotApi:
    """Run the service until its dispatcher has sent something, then ``linger`` seconds more
    (idle rounds in which anything else due would be sent too)."""
    api = FakeBotApi(per_second=100, chat_interval=0.01)
    service = await start_scheduler(
        sessions,
        CALENDAR,
        clock,
        api,
        worker="test",
        dispatch=DispatchConfig(per_second=100, chat_interval=0.01, idle_wait=0.02),
        plans=plans,
        on_plan=on_plan,
    )
    try:
        async with asyncio.timeout(10):
            while True:
                if api.delivered:
                    break
                await asyncio.sleep(0.02)
        await asyncio.sleep(linger)
    finally:
        await service.stop()
    return api


async def test_a_tick_plans_the_digest_and_the_dispatcher_sends_it(
    sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    seeded = await seed(sessions, clock.now)
    plans: list[PlanResult] = []
    api = await serve_until_sent(sessions, clock, plans=True, on_plan=plans.append)
    assert list(api.delivered) == [f"digest:mentor:{seeded.mentor_id}:2026-11-23"]
    assert [plan.digests for plan in plans] == [1]
    async with sessions() as session:
        assert await count_by_state(session) == {"sent": 1}


async def test_without_planning_the_dispatcher_still_sends_what_is_queued(
    sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    await seed(sessions, clock.now)  # a digest would be due now, were this service planning
    async with sessions() as session, session.begin():
        queued = NewMessage("reply:1", "telegram", "501", "Đã nhận.", quiet=False)
        await enqueue(session, [queued], clock.now)
    api = await serve_until_sent(sessions, clock, plans=False, linger=0.5)
    assert list(api.delivered) == ["reply:1"]
    async with sessions() as session:
        assert await count_by_state(session) == {"sent": 1}
