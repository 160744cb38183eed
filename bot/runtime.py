"""Start-up wiring shared by the CLI commands: settings → engine → sessions, built once."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.settings import Settings
from poverty.errors import AppError
from poverty.i18n import N_
from storage.db import create_engine, is_up_to_date, session_factory, upgrade

T = TypeVar("T")


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.settings.timezone)

    def now(self) -> datetime:
        return datetime.now(UTC)


@asynccontextmanager
async def open_runtime(settings: Settings, *, migrate: bool = False) -> AsyncIterator[Runtime]:
    """Engine and sessions for one command. With ``migrate`` the schema is created or upgraded;
    otherwise a schema that is not up to date stops the command with a clear message, so several
    workers never race to migrate."""
    engine = create_engine(settings.database_url, search_path=settings.database_schema)
    try:
        if migrate:
            await upgrade(engine)
        elif not await is_up_to_date(engine):
            raise SchemaOutOfDateError(
                N_("Cơ sở dữ liệu chưa được khởi tạo hoặc cần nâng cấp. Hãy chạy: giamngheo init")
            )
        yield Runtime(settings, engine, session_factory(engine))
    finally:
        await engine.dispose()


class SchemaOutOfDateError(AppError):
    """The database is behind the migrations."""


def freeze_start_up_heap() -> None:
    """Put what start-up built out of the garbage collector's reach: modules, aiogram's models
    of the Bot API, the flows, compiled statements. They live as long as the process, yet every
    full collection walked them all again, about a tenth of a busy worker's time. Garbage made
    so far is collected first; what is created later is collected as usual."""
    gc.collect()
    gc.freeze()


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)
