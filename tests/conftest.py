"""Shared fixtures. Database tests run on SQLite by default and on PostgreSQL when
``GIAMNGHEO_TEST_DATABASE_URL`` is set (``.ci/run`` does both)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.db import create_engine, is_sqlite, session_factory, upgrade
from storage.models import Base
from tests.bot.fake_telegram import FakeTelegram

FIXED_NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
PEOPLE_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
"""The people's time zone, as ``Settings.timezone`` gives it in production."""


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("GIAMNGHEO_TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def test_schema(database_url: str) -> str | None:
    """A PostgreSQL schema of this run's own, so runs never see each other's rows."""
    return None if is_sqlite(database_url) else f"gn_test_{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="session")
async def engine(database_url: str, test_schema: str | None) -> AsyncIterator[AsyncEngine]:
    if test_schema:
        admin = create_engine(database_url)
        async with admin.begin() as connection:
            await connection.execute(text(f"CREATE SCHEMA {test_schema}"))
        await admin.dispose()
    engine = create_engine(database_url, search_path=test_schema)
    await upgrade(engine)
    yield engine
    await engine.dispose()
    if test_schema:
        admin = create_engine(database_url)
        async with admin.begin() as connection:
            await connection.execute(text(f"DROP SCHEMA {test_schema} CASCADE"))
        await admin.dispose()


@pytest.fixture
async def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """A session factory over an empty, fully migrated database."""
    await _empty_all_tables(engine)
    return session_factory(engine)


async def _empty_all_tables(engine: AsyncEngine) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    async with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            await connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                await connection.execute(text(f"DELETE FROM {name}"))


@pytest.fixture
def now() -> datetime:
    return FIXED_NOW


@pytest.fixture
def workdir(tmp_path: Path) -> Iterator[Path]:
    old = Path.cwd()
    os.chdir(tmp_path)
    yield tmp_path
    os.chdir(old)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that touches the database carries the ``db`` mark, so CI can rerun just those."""
    for item in items:
        if "engine" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.db)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    """The fake Telegram Bot API server (:mod:`tests.bot.fake_telegram`); the Zalo tests have
    their own ``fake``, the fake OA API."""
    async with FakeTelegram() as server:
        yield server


@pytest.fixture(scope="module")
async def module_fake() -> AsyncIterator[FakeTelegram]:
    """One fake Bot API server for a whole module (tests that start the bot as a process)."""
    async with FakeTelegram() as server:
        yield server
