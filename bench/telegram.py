"""Telegram updates per second through the whole stack, against a bare aiogram echo bot.

Both bots long-poll a fake Bot API server of their own (``tests/bot/fake_telegram.py``, on
127.0.0.1) in this process, with the same aiogram polling settings, and get the same updates:
complete household checks of the demo commune by many cadres at once, every cadre's messages
interleaved as they would arrive. In the full stack each update goes through aiogram, the
per-chat ordering, the engine (update dedup, flood counter, identity lookup, the flow, the
conversation state, audit rows, one transaction) and ``sendMessage``; the echo bot answers each
update with its own text. An update counts as done when its handler has returned, i.e. its
replies were accepted by the server; a round in which any update got the apology for a failure
does not count (the bench stops with an error).

After a warm-up round of each, the two bots take turns for a few rounds (alternating which goes
first), each round on households not checked before; the figures are the medians over the
rounds, and the ratio is the median of the rounds' ratios, so a burst of load on the machine
during one round does not decide the result (goal: at most 3×).

    .venv/bin/python -m bench.telegram [--cadres 20] [--checks 2] [--rounds 3]
        [--database-url postgresql+asyncpg://postgres@127.0.0.1:5432/test]

Without ``--database-url`` the full stack runs on a temporary SQLite file; a PostgreSQL URL gets
a schema of its own, dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import Message, TelegramObject
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.flow import ANSWERS
from bot.flows import registered_flows
from bot.flows.engine import TIMEZONE, Engine, FloodLimit
from bot.handlers.telegram.routers import FAILED
from bot.handlers.telegram.setup import build_bot, build_telegram
from bot.i18n import DEFAULT_LANGUAGE, _, language
from poverty.formatting import format_decimal, format_int
from storage.audit import Actor
from storage.db import create_engine, is_sqlite, session_factory, upgrade
from storage.demo import create_demo_data
from storage.models import AdminUnit, User
from storage.people import add_identity, grant_role
from tests.bot.fake_telegram import FakeTelegram

TOKEN = "123456:BENCH"
DEFAULT_CADRES = 20
DEFAULT_CHECKS = 2
DEFAULT_ROUNDS = 3
WARM_UP_CHECKS = 1
GOAL = 3.0
WAIT_SECONDS = 300.0
POLLING_TIMEOUT = 1
FIRST_CHAT = 10_000
ACTOR = Actor("bench")

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


def clock() -> datetime:
    return datetime.now(UTC)


def script(cadre: int, checks: int, first_household: int) -> list[str]:
    """The messages of one cadre: complete checks of households nobody checked before."""
    texts: list[str] = []
    for number in range(checks):
        texts += ["kiem tra", f"TL{first_household + number:05d}", *ANSWERS]
    return texts


def round_scripts(cadres: int, checks: int, first_household: int) -> list[list[str]]:
    return [script(c, checks, first_household + c * checks) for c in range(cadres)]


class Finished:
    """Outer middleware counting handled updates; :meth:`expect` waits for a round's last."""

    def __init__(self) -> None:
        self._count = 0
        self._target = 0
        self._done = asyncio.Event()

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        try:
            return await handler(event, data)
        finally:
            self._count += 1
            if self._count >= self._target:
                self._done.set()

    def expect(self, updates: int) -> None:
        self._target = self._count + updates
        self._done.clear()

    async def wait(self) -> None:
        async with asyncio.timeout(WAIT_SECONDS):
            await self._done.wait()


@dataclass
class Contender:
    """One bot polling its own fake server."""

    name: str
    bot: Bot
    dispatcher: Dispatcher
    fake: FakeTelegram
    finished: Finished
    failure_text: str
    polling: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.polling = asyncio.create_task(
            self.dispatcher.start_polling(
                self.bot,
                handle_signals=False,
                close_bot_session=False,
                polling_timeout=POLLING_TIMEOUT,
            )
        )
        await self.fake.wait_for(lambda: "getUpdates" in self.fake.methods(), 30)

    async def stop(self) -> None:
        await self.dispatcher.stop_polling()
        if self.polling is not None:
            await self.polling
        await self.bot.session.close()

    async def run(self, scripts: Sequence[Sequence[str]]) -> float:
        """Seconds from the first update queued until every update has been handled."""
        updates = sum(len(s) for s in scripts)
        self.finished.expect(updates)
        self.fake.calls.clear()
        started = time.perf_counter()
        for step in range(max(len(s) for s in scripts)):
            for cadre, texts in enumerate(scripts):
                if step < len(texts):
                    await self.fake.send_text(FIRST_CHAT + cadre, texts[step])
        await self.finished.wait()
        seconds = time.perf_counter() - started
        failed = sum(1 for call in self.fake.calls if call.text == self.failure_text)
        if failed:
            raise RuntimeError(f"{self.name}: {failed} updates failed")
        return seconds


def contender(name: str, bot: Bot, dispatcher: Dispatcher, fake: FakeTelegram) -> Contender:
    finished = Finished()
    dispatcher.update.outer_middleware(finished)
    with language(DEFAULT_LANGUAGE):
        failure_text = _(FAILED)
    return Contender(name, bot, dispatcher, fake, finished, failure_text)


async def echo(message: Message) -> None:
    await message.answer(message.text or "…")


@asynccontextmanager
async def database(url: str | None) -> AsyncIterator[AsyncEngine]:
    """A temporary SQLite file, or a schema of its own in the PostgreSQL at ``url``."""
    if url is None or is_sqlite(url):
        with tempfile.TemporaryDirectory() as folder:
            engine = create_engine(url or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}")
            try:
                yield engine
            finally:
                await engine.dispose()
        return
    schema = f"gn_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url)
    async with admin.begin() as connection:
        await connection.execute(text(f"CREATE SCHEMA {schema}"))
    engine = create_engine(url, search_path=schema)
    try:
        yield engine
    finally:
        await engine.dispose()
        async with admin.begin() as connection:
            await connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        await admin.dispose()


async def prepare(engine: AsyncEngine, cadres: int, households: int) -> Engine:
    """The demo commune with ``households`` households and ``cadres`` Telegram cadres."""
    await upgrade(engine)
    sessions = session_factory(engine)
    now = clock()
    async with sessions() as session, session.begin():
        await create_demo_data(session, now, now.astimezone(TIMEZONE).year, households)
        commune = await session.scalar(select(AdminUnit.id).where(AdminUnit.level == "commune"))
        assert commune is not None
        for cadre in range(cadres):
            user = User(name=f"Cán bộ {cadre}", created_at=now)
            session.add(user)
            await session.flush()
            await add_identity(session, user.id, "telegram", str(FIRST_CHAT + cadre), now)
            await grant_role(session, user.id, "cadre", commune, ACTOR, now)
    # The flood counter runs as in production; its limit is set above what the bench sends.
    limit = FloodLimit(messages=households * 100, per=timedelta(minutes=1))
    return Engine(sessions, clock, registered_flows(), flood_limit=limit)


@dataclass(frozen=True)
class Result:
    updates: int
    stack_seconds: list[float]
    echo_seconds: list[float]

    @property
    def stack_rate(self) -> float:
        return self.updates / statistics.median(self.stack_seconds)

    @property
    def echo_rate(self) -> float:
        return self.updates / statistics.median(self.echo_seconds)

    @property
    def ratios(self) -> list[float]:
        return [s / e for s, e in zip(self.stack_seconds, self.echo_seconds, strict=True)]

    @property
    def ratio(self) -> float:
        return statistics.median(self.ratios)


async def measure(url: str | None, cadres: int, checks: int, rounds: int) -> Result:
    households = max(100, cadres * (WARM_UP_CHECKS + checks * rounds))
    async with database(url) as engine, FakeTelegram() as stack_fake, FakeTelegram() as echo_fake:
        telegram = build_telegram(TOKEN, stack_fake.url, await prepare(engine, cadres, households))
        echo_dispatcher = Dispatcher()
        echo_dispatcher.message.register(echo)
        stack = contender("stack", telegram.bot, telegram.dispatcher, stack_fake)
        plain = contender("echo", build_bot(TOKEN, echo_fake.url), echo_dispatcher, echo_fake)
        await stack.start()
        await plain.start()
        try:
            warm_up = round_scripts(cadres, WARM_UP_CHECKS, 1)
            for bot in (stack, plain):
                await bot.run(warm_up)
            seconds: dict[str, list[float]] = {"stack": [], "echo": []}
            for number in range(rounds):
                first = 1 + cadres * (WARM_UP_CHECKS + number * checks)
                scripts = round_scripts(cadres, checks, first)
                order = (stack, plain) if number % 2 else (plain, stack)
                for bot in order:
                    seconds[bot.name].append(await bot.run(scripts))
        finally:
            await stack.stop()
            await plain.stop()
        updates = sum(len(s) for s in scripts)
        return Result(updates, seconds["stack"], seconds["echo"])


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Cập nhật Telegram mỗi giây qua toàn bộ hệ thống so với bot echo aiogram."
    )
    parser.add_argument("--cadres", type=int, default=DEFAULT_CADRES)
    parser.add_argument("--checks", type=int, default=DEFAULT_CHECKS, help="lượt kiểm tra mỗi vòng")
    parser.add_argument("--rounds", type=int, default=DEFAULT_ROUNDS)
    parser.add_argument("--database-url", default=None, help="mặc định: tệp SQLite tạm")
    args = parser.parse_args()
    result = asyncio.run(measure(args.database_url, args.cadres, args.checks, args.rounds))
    where = "SQLite" if args.database_url is None or is_sqlite(args.database_url) else "PostgreSQL"
    ratios = ", ".join(format_decimal(r, 2) for r in result.ratios)
    print(
        f"Telegram, toàn bộ hệ thống (cập nhật → flow → {where} → trả lời): "
        f"{format_decimal(result.stack_rate, 1)} cập nhật/giây; "
        f"bot echo aiogram: {format_decimal(result.echo_rate, 1)} cập nhật/giây; "
        f"tỷ lệ {format_decimal(result.ratio, 2)}× (các vòng: {ratios}; "
        f"mục tiêu ≤ {format_decimal(GOAL, 0)}×; {format_int(args.cadres)} cán bộ, "
        f"{format_int(result.updates)} cập nhật mỗi vòng, {format_int(args.rounds)} vòng)"
    )


if __name__ == "__main__":
    main()
