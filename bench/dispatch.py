"""Outbox dispatch rate against the rate-limited fake Bot API, and reminder planning time.

1. Queues messages for many chats (two per chat, so the per-chat limit matters) in a temporary
   SQLite file and drains them with one dispatcher at the default limits (30 messages/s overall,
   1/s per chat) against ``tests/scheduler/fake_api.py``, which answers 429 to any send over
   either limit. Prints the sustained rate as a share of the limit (goal ≥ 95 %), the 429s
   (goal 0) and the keys delivered twice (goal 0).
2. Builds 100.000 open follow-ups (20.000 poor households, 2.000 mentors) and times planning
   the mentor digests for one day.

    .venv/bin/python -m bench.dispatch [messages] [follow-ups]
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bench.figures import Figure, people_tz, print_lines
from poverty.calendar import load_calendar
from poverty.formatting import format_decimal, format_int
from scheduler.dispatcher import DispatchConfig, Dispatcher
from scheduler.reminders import plan_mentor_digests
from storage.db import create_engine, session_factory, upgrade
from storage.models import AdminUnit, FollowUp, Household, Identity, MentorAssignment, User
from storage.outbox import NewMessage, enqueue
from tests.scheduler.fake_api import FakeBotApi

DEFAULT_MESSAGES = 450
DEFAULT_FOLLOWUPS = 100_000
GOAL_SHARE = 95.0
"""Share of the fake API's rate limit the dispatcher must use, in percent."""
NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
INDICATORS = ("bhyt", "viec_lam", "nha_tieu", "nuoc_sinh_hoat", "vien_thong")


async def measure_dispatch(
    sessions: async_sessionmaker[AsyncSession], count: int
) -> tuple[FakeBotApi, float]:
    chats = max(count // 2, 1)
    async with sessions() as session, session.begin():
        await enqueue(
            session,
            [
                NewMessage(
                    f"bench:{i}", "telegram", str(10_000 + i % chats), f"Tin {i}", quiet=False
                )
                for i in range(count)
            ],
            datetime.now(UTC),
        )
    api = FakeBotApi(latency=0.02)
    config = DispatchConfig()
    dispatcher = Dispatcher(
        sessions, api, worker="bench", clock=lambda: datetime.now(UTC), config=config
    )
    started = time.perf_counter()
    while (await dispatcher.run_once()).claimed:
        pass
    return api, time.perf_counter() - started


async def build_followups(sessions: async_sessionmaker[AsyncSession], count: int) -> None:
    households = max(count // len(INDICATORS), 1)
    mentors = max(households // 10, 1)
    async with sessions() as session, session.begin():
        unit = AdminUnit(code="bench", name="Xã Bench", name_key="xa bench", level="commune",
                         path="/1/")  # fmt: skip
        session.add(unit)
        await session.flush()
        await session.execute(
            insert(User),
            [{"name": f"Người đỡ đầu {i}", "created_at": NOW} for i in range(mentors)],
        )
        await session.execute(
            insert(Identity),
            [
                {"user_id": i + 1, "channel": "telegram", "external_id": str(i), "created_at": NOW}
                for i in range(mentors)
            ],
        )
        await session.execute(
            insert(Household),
            [
                {
                    "code": f"B{i:07d}", "head_name": f"Chủ hộ {i}", "head_name_key": f"chu ho {i}",
                    "unit_id": unit.id, "province_id": unit.id, "commune_id": unit.id,
                    "members": 4, "official_status": "ngheo", "created_at": NOW,
                    "updated_at": NOW,
                }
                for i in range(households)
            ],
        )  # fmt: skip
        await session.execute(
            insert(MentorAssignment),
            [
                {"household_id": i + 1, "mentor_user_id": i % mentors + 1,
                 "valid_from": date(2026, 1, 1)}
                for i in range(households)
            ],
        )  # fmt: skip
        rows = [
            {
                "household_id": i // len(INDICATORS) + 1,
                "indicator": INDICATORS[i % len(INDICATORS)],
                "policy_codes": ["bhyt"],
                "state": "open",
                "due_on": date(2026, 12, 5),
                "opened_at": NOW - timedelta(days=30),
            }
            for i in range(households * len(INDICATORS))
        ]
        for start in range(0, len(rows), 10_000):
            await session.execute(insert(FollowUp), rows[start : start + 10_000])


async def measure_planning(
    sessions: async_sessionmaker[AsyncSession], count: int
) -> tuple[int, int, float]:
    await build_followups(sessions, count)
    calendar = load_calendar(timezone=people_tz().key)
    started = time.perf_counter()
    async with sessions() as session, session.begin():
        result = await plan_mentor_digests(session, calendar, NOW)
    return result.followups_reminded, result.digests, time.perf_counter() - started


async def measure(messages: int, followups: int) -> list[Figure]:
    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(f"sqlite+aiosqlite:///{Path(folder) / 'dispatch.db'}")
        await upgrade(engine)
        sessions = session_factory(engine)
        api, seconds = await measure_dispatch(sessions, messages)
        share = api.rate() / api.per_second * 100
        reminded, digests, planning = await measure_planning(sessions, followups)
        await engine.dispose()
    return [
        Figure(
            f"dispatch: outbox qua API giả giới hạn {format_int(int(api.per_second))} tin/giây,"
            " 1 tin/giây mỗi chat (SQLite)",
            f"{format_decimal(api.rate(), 1)} tin/giây = {format_decimal(share, 1)}% giới hạn;"
            f" {api.too_many} lỗi 429; {api.duplicates} tin trùng",
            "≥ 95%, 0 lỗi 429, 0 tin trùng",
            share >= GOAL_SHARE and api.too_many == 0 and api.duplicates == 0,
            f"{format_int(api.accepted)} tin trong {format_decimal(seconds, 1)} giây",
        ),
        Figure(
            f"dispatch: lập lịch nhắc {format_int(reminded)} việc (SQLite)",
            f"{format_decimal(planning, 2)} giây",
            detail=f"{format_int(digests)} tin tổng hợp cho người đỡ đầu",
        ),
    ]


def run(args: Sequence[str] = ()) -> list[Figure]:
    messages = int(args[0]) if args else DEFAULT_MESSAGES
    followups = int(args[1]) if len(args) > 1 else DEFAULT_FOLLOWUPS
    return asyncio.run(measure(messages, followups))


def main() -> None:
    print_lines(run(sys.argv[1:]))


if __name__ == "__main__":
    main()
