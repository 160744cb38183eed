"""Household checks per second through the whole engine on SQLite.

Builds the demo commune in a temporary SQLite file, then runs complete household checks as the
demo cadre (find the household, income, every indicator question, confirm) and prints how many
flow steps (messages handled, each one transaction) the engine answers per second.

    .venv/bin/python -m bench.flow [number of checks]
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from bench.figures import Figure, people_tz, print_lines
from bot.flows.engine import Engine
from bot.flows.household_check import HOUSEHOLD_CHECK
from bot.flows.messages import IdentityRef, Inbound
from poverty.formatting import format_decimal, format_int
from storage.db import create_engine, session_factory, upgrade
from storage.demo import create_demo_data

DEFAULT_CHECKS = 50
ANSWERS = (
    "1tr2",
    "khong",
    "2",
    "1",
    "khong",
    "1",
    "khong",
    "2",
    "0",
    "40",
    "1",
    "khong",
    "2",
    "khong",
    "co",
)


def clock() -> datetime:
    return datetime.now(UTC)


async def measure(checks: int) -> tuple[int, float]:
    """``(steps, seconds)`` for ``checks`` complete checks on a fresh SQLite file."""
    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}")
        try:
            await upgrade(engine)
            sessions = session_factory(engine)
            now = clock()
            year = now.astimezone(people_tz()).year
            async with sessions() as session, session.begin():
                await create_demo_data(
                    session, now, year, households=max(checks, 100), tz=people_tz()
                )
            bot = Engine(sessions, clock, [HOUSEHOLD_CHECK], tz=people_tz())
            cadre = IdentityRef("console", "cadre")
            steps = 0
            started = time.perf_counter()
            for number in range(1, checks + 1):
                for text in ("kiem tra", f"TL{number:05d}", *ANSWERS):
                    await bot.handle(Inbound(cadre, text))
                    steps += 1
            return steps, time.perf_counter() - started
        finally:
            await engine.dispose()


def run(args: Sequence[str] = ()) -> list[Figure]:
    checks = int(args[0]) if args else DEFAULT_CHECKS
    steps, seconds = asyncio.run(measure(checks))
    return [
        Figure(
            "flow: bước kiểm tra hộ qua engine (SQLite)",
            f"{format_decimal(steps / seconds, 1)} bước/giây",
            detail=f"{format_int(checks)} lượt kiểm tra, {format_int(steps)} bước",
        )
    ]


def main() -> None:
    print_lines(run(sys.argv[1:]))


if __name__ == "__main__":
    main()
