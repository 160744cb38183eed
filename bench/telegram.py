"""Telegram updates per second through the whole stack, against a bare aiogram echo bot.

Each bot long-polls a fake Bot API server of its own (``tests/bot/fake_telegram.py``, on
127.0.0.1), with the same aiogram polling settings, and gets the same updates: complete
household checks of the demo commune by many cadres at once, every cadre's messages
interleaved as they would arrive. The full stack runs in this process, built as ``giamngheo run``
builds it: each update goes through aiogram, the per-chat ordering, the engine (update dedup,
flood counter, identity lookup, the flow, the conversation state, audit rows, one transaction)
and ``sendMessage``. The echo bot (``bench.echo_bot``) runs in a process of its own holding
nothing but aiogram, as a minimal aiogram bot does, and answers each update with its own text.
An update counts as done when its handler has returned, i.e. its replies were accepted by the
server; a round in which any update got the apology for a failure does not count (the bench
stops with an error).

After a warm-up round of each, the two bots take turns for a few rounds (alternating which goes
first; the other process waits meanwhile), each round on households not checked before; the
figures are the medians over the rounds, and the ratio is the median of the rounds' ratios, so
a burst of load on the machine during one round does not decide the result (goal: at most 3×).
The last line shows the same against an echo bot given the stack's start-up freeze of the heap
(``bot.runtime.freeze_start_up_heap``), for comparison.

    .venv/bin/python -m bench.telegram [--cadres 20] [--checks 2] [--rounds 5]
        [--database-url postgresql+asyncpg://postgres@127.0.0.1:5432/test]

Without ``--database-url`` the full stack runs on a temporary SQLite file; a PostgreSQL URL gets
a schema of its own, dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.figures import Figure, people_tz, print_lines
from bench.flow import ANSWERS
from bench.polling import FIRST_CHAT, READY, WAIT_SECONDS, Contender
from bot.flows import registered_flows
from bot.flows.engine import Engine, FloodLimit
from bot.handlers.telegram.routers import FAILED
from bot.handlers.telegram.setup import build_telegram
from bot.i18n import DEFAULT_LANGUAGE, _, language
from bot.runtime import freeze_start_up_heap
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
DEFAULT_ROUNDS = 5
WARM_UP_CHECKS = 1
GOAL = 3.0
ACTOR = Actor("bench")


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


class EchoProcess:
    """The echo bot in its own process (``bench.echo_bot``): one round per line it is sent."""

    def __init__(self, freeze: bool) -> None:
        self.freeze = freeze
        self._process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        flags = ["--freeze"] if self.freeze else []
        self._process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.echo_bot", *flags,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        if await self._line() != READY:
            raise RuntimeError("echo: the bot did not start")

    async def run(self, scripts: Sequence[Sequence[str]]) -> float:
        stdin, _stdout = self._pipes()
        stdin.write(json.dumps(scripts).encode() + b"\n")
        await stdin.drain()
        return float(await self._line())

    async def stop(self) -> None:
        if self._process is not None:
            self._pipes()[0].close()
            await self._process.wait()

    async def _line(self) -> str:
        async with asyncio.timeout(WAIT_SECONDS):
            line = await self._pipes()[1].readline()
        if not line:
            raise RuntimeError("echo: the bot stopped")
        return line.decode().strip()

    def _pipes(self) -> tuple[asyncio.StreamWriter, asyncio.StreamReader]:
        process = self._process
        if process is None or process.stdin is None or process.stdout is None:
            raise RuntimeError("echo: the bot was not started")
        return process.stdin, process.stdout


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
        await create_demo_data(
            session, now, now.astimezone(people_tz()).year, households, tz=people_tz()
        )
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
    return Engine(sessions, clock, registered_flows(), flood_limit=limit, tz=people_tz())


@dataclass(frozen=True)
class Result:
    updates: int
    seconds: dict[str, list[float]]

    def rate(self, name: str) -> float:
        return self.updates / statistics.median(self.seconds[name])

    def ratios(self, echo: str) -> list[float]:
        pairs = zip(self.seconds["stack"], self.seconds[echo], strict=True)
        return [stack / other for stack, other in pairs]

    def ratio(self, echo: str) -> float:
        return statistics.median(self.ratios(echo))


async def measure(url: str | None, cadres: int, checks: int, rounds: int) -> Result:
    households = max(100, cadres * (WARM_UP_CHECKS + checks * rounds))
    async with database(url) as engine, FakeTelegram() as fake:
        telegram = build_telegram(TOKEN, fake.url, await prepare(engine, cadres, households))
        with language(DEFAULT_LANGUAGE):
            stack = Contender("stack", telegram.bot, telegram.dispatcher, fake, _(FAILED))
        freeze_start_up_heap()  # as giamngheo run does once its channels are built
        bots: tuple[Contender | EchoProcess, ...] = (stack, EchoProcess(False), EchoProcess(True))
        names = ("stack", "echo", "echo_frozen")
        try:
            for bot in bots:
                await bot.start()
            warm_up = round_scripts(cadres, WARM_UP_CHECKS, 1)
            for bot in bots:
                await bot.run(warm_up)
            seconds: dict[str, list[float]] = {name: [] for name in names}
            for number in range(rounds):
                first = 1 + cadres * (WARM_UP_CHECKS + number * checks)
                scripts = round_scripts(cadres, checks, first)
                turn = list(zip(names, bots, strict=True))
                for name, bot in turn if number % 2 else reversed(turn):
                    seconds[name].append(await bot.run(scripts))
        finally:
            for bot in bots:
                await bot.stop()
        updates = sum(len(s) for s in scripts)
        return Result(updates, seconds)


def run(args: Sequence[str] = ()) -> list[Figure]:
    parser = argparse.ArgumentParser(
        description="Cập nhật Telegram mỗi giây qua toàn bộ hệ thống so với bot echo aiogram."
    )
    parser.add_argument("--cadres", type=int, default=DEFAULT_CADRES)
    parser.add_argument("--checks", type=int, default=DEFAULT_CHECKS, help="lượt kiểm tra mỗi vòng")
    parser.add_argument("--rounds", type=int, default=DEFAULT_ROUNDS)
    parser.add_argument("--database-url", default=None, help="mặc định: tệp SQLite tạm")
    parsed = parser.parse_args(args)
    result = asyncio.run(measure(parsed.database_url, parsed.cadres, parsed.checks, parsed.rounds))
    url = parsed.database_url
    where = "SQLite" if url is None or is_sqlite(url) else "PostgreSQL"
    ratios = ", ".join(format_decimal(r, 2) for r in result.ratios("echo"))
    rounds = (
        f"{format_int(parsed.cadres)} cán bộ, {format_int(result.updates)} cập nhật mỗi vòng,"
        f" {format_int(parsed.rounds)} vòng"
    )
    return [
        Figure(
            f"telegram: toàn bộ hệ thống (cập nhật → flow → {where} → trả lời)"
            " so với bot echo aiogram",
            f"{format_decimal(result.ratio('echo'), 2)}×",
            f"≤ {format_decimal(GOAL, 0)}×",
            result.ratio("echo") <= GOAL,
            f"{format_decimal(result.rate('stack'), 1)} so với"
            f" {format_decimal(result.rate('echo'), 1)} cập nhật/giây;"
            f" các vòng: {ratios}; {rounds}",
        ),
        Figure(
            "telegram: so với bot echo cũng đóng băng heap khi khởi động",
            f"{format_decimal(result.ratio('echo_frozen'), 2)}×",
            detail=f"bot echo: {format_decimal(result.rate('echo_frozen'), 1)} cập nhật/giây",
        ),
    ]


def main() -> None:
    print_lines(run(sys.argv[1:]))


if __name__ == "__main__":
    main()
