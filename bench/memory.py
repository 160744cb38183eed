"""Resident memory of one worker with 100.000 users in the database.

A worker is what ``giamngheo run`` builds: the engine with every flow and the flood limit, the
Telegram bot and dispatcher (aiogram loaded), and the outbox dispatcher. Two SQLite databases
are filled in this process (the demo commune, then users with a Telegram identity and a cadre
grant each, bulk-inserted): one with 1.000 users, one with 100.000. For each, a fresh worker
process handles messages from 500 users spread over the whole range (start a household check,
name a household, cancel) and dispatches 2.000 reminders to them against the fake Bot API, then
reports its peak resident set size. The figure is the peak at 100.000 users (goal ≤ 300 MB with
aiogram's models built as aiogram builds them: the worker and PostgreSQL still fit together on a
1 GB virtual machine), and
the growth per 1.000 users between the two runs (goal ≤ 0,1 MB: no state per user is kept in
memory, so the user count must not show).

    .venv/bin/python -m bench.memory [users]
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select

from bench.figures import Figure, people_tz, print_lines
from poverty.formatting import format_decimal, format_int
from storage.db import create_engine, session_factory, upgrade
from storage.demo import create_demo_data
from storage.models import AdminUnit, Identity, RoleGrant, User

DEFAULT_USERS = 100_000
SMALL_USERS = 1_000
TALKERS = 500
REMINDERS = 2_000
CHUNK = 10_000
NOW = datetime(2026, 12, 11, 2, 0, tzinfo=UTC)
GOAL_MB = 300
GOAL_PER_THOUSAND_MB = 0.1
FIRST_CHAT = 1_000_000


async def fill(url: str, users: int) -> None:
    """The demo commune and ``users`` cadres of it, each with a Telegram identity."""
    engine = create_engine(url)
    await upgrade(engine)
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        await create_demo_data(session, NOW, NOW.year, households=200, tz=people_tz())
        commune = await session.scalar(select(AdminUnit.id).where(AdminUnit.level == "commune"))
        first = int(await session.scalar(select(User.id).order_by(User.id.desc()).limit(1)) or 0)
        for start in range(0, users, CHUNK):
            numbers = range(start, min(start + CHUNK, users))
            await session.execute(
                insert(User),
                [{"id": first + 1 + i, "name": f"Cán bộ {i}", "created_at": NOW} for i in numbers],
            )
            await session.execute(
                insert(Identity),
                [
                    {"user_id": first + 1 + i, "channel": "telegram",
                     "external_id": str(FIRST_CHAT + i), "created_at": NOW}
                    for i in numbers
                ],
            )  # fmt: skip
            await session.execute(
                insert(RoleGrant),
                [
                    {"user_id": first + 1 + i, "role": "cadre", "unit_id": commune,
                     "granted_at": NOW}
                    for i in numbers
                ],
            )  # fmt: skip
    await engine.dispose()


async def work(url: str, users: int) -> dict[str, float]:
    """The worker: handle messages and dispatch reminders, then report the peak RSS."""
    from bot.flows import registered_flows
    from bot.flows.engine import Engine, FloodLimit
    from bot.flows.messages import IdentityRef, Inbound
    from bot.handlers.telegram.setup import build_telegram
    from scheduler.dispatcher import DispatchConfig, Dispatcher
    from storage.outbox import NewMessage, enqueue
    from tests.scheduler.fake_api import FakeBotApi

    engine = create_engine(url)
    sessions = session_factory(engine)
    clock = [NOW]
    bot = Engine(
        sessions, lambda: clock[0], registered_flows(), flood_limit=FloodLimit(), tz=people_tz()
    )
    telegram = build_telegram("123456:BENCH", "http://127.0.0.1:9", bot)
    step = max(users // TALKERS, 1)
    chats = [str(FIRST_CHAT + i) for i in range(0, users, step)][:TALKERS]
    replies = 0
    for chat in chats:
        for text in ("kiem tra", "TL00001", "/huy"):
            replies += len(await bot.handle(Inbound(IdentityRef("telegram", chat), text)))
    async with sessions() as session, session.begin():
        await enqueue(
            session,
            [
                NewMessage(
                    f"bench:{i}", "telegram", chats[i % len(chats)], "Nhắc việc", quiet=False
                )
                for i in range(REMINDERS)
            ],
            NOW,
        )
    api = FakeBotApi(per_second=2_000, chat_interval=0.0, latency=0.001)
    config = DispatchConfig(per_second=2_000, chat_interval=0.0)
    dispatcher = Dispatcher(sessions, api, worker="bench", clock=lambda: clock[0], config=config)
    while (await dispatcher.run_once()).claimed:
        clock[0] += timedelta(seconds=1)
    await telegram.bot.session.close()
    await engine.dispose()
    return {"peak_mb": peak_resident_mb(), "replies": replies, "sent": api.accepted}


def peak_resident_mb() -> float:
    """This process's peak resident set (``VmHWM``). Not ``getrusage``'s ``ru_maxrss``: Linux
    keeps that across ``exec``, so a worker started by a large process (``make bench``, which
    has run the other benchmarks) would report its parent's size."""
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmHWM:")[1].split()[0]) / 1024


def run_worker(url: str, users: int) -> dict[str, float]:
    """A fresh process, so the RSS is the worker's alone (not the bulk insert's)."""
    output = subprocess.run(
        [sys.executable, "-m", "bench.memory", "--worker", url, str(users)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    figures: dict[str, float] = json.loads(output.strip().splitlines()[-1])
    return figures


def measure(users: int) -> list[Figure]:
    with tempfile.TemporaryDirectory() as folder:
        results = {}
        for count in (SMALL_USERS, users):
            url = f"sqlite+aiosqlite:///{Path(folder) / f'memory-{count}.db'}"
            asyncio.run(fill(url, count))
            results[count] = run_worker(url, count)
    small, large = results[SMALL_USERS]["peak_mb"], results[users]["peak_mb"]
    growth = (large - small) / max((users - SMALL_USERS) / 1_000, 1)
    big = results[users]
    work = (
        f"{format_int(int(big['replies']))} tin trả lời, {format_int(int(big['sent']))} tin nhắc"
        " đã gửi"
    )
    return [
        Figure(
            f"memory: một tiến trình (engine + dispatcher + aiogram, SQLite),"
            f" {format_int(users)} người dùng",
            f"{format_decimal(large, 1)} MB",
            f"≤ {GOAL_MB} MB",
            large <= GOAL_MB,
            work,
        ),
        Figure(
            "memory: tăng theo số người dùng",
            f"{format_decimal(growth, 3)} MB mỗi 1.000 người dùng",
            f"≤ {format_decimal(GOAL_PER_THOUSAND_MB, 1)} MB",
            growth <= GOAL_PER_THOUSAND_MB,
            f"{format_decimal(small, 1)} MB với {format_int(SMALL_USERS)} người dùng",
        ),
    ]


def run(args: Sequence[str] = ()) -> list[Figure]:
    return measure(int(args[0]) if args else DEFAULT_USERS)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        print(json.dumps(asyncio.run(work(sys.argv[2], int(sys.argv[3])))))
        return
    print_lines(run(sys.argv[1:]))


if __name__ == "__main__":
    main()
