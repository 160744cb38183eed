"""The SQLite engine as ``storage.db.create_engine`` makes it: WAL, foreign keys and a busy
timeout on every connection, and a connection given back to the pool never keeps a transaction
(the pool's rollback is skipped only when none is open)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine

SCHEMA = "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)"


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'settings.db'}")
    async with engine.begin() as connection:
        await connection.execute(text(SCHEMA))
    yield engine
    await engine.dispose()


async def test_every_connection_has_wal_foreign_keys_and_a_busy_timeout(
    engine: AsyncEngine,
) -> None:
    async with engine.connect() as connection:
        settings = [
            await connection.scalar(text(f"PRAGMA {name}"))
            for name in ("journal_mode", "foreign_keys", "busy_timeout")
        ]
    assert settings == ["wal", 1, 5000]


async def test_a_connection_given_back_with_a_write_open_is_rolled_back(
    engine: AsyncEngine,
) -> None:
    """A write SQLAlchemy's connection does not know of (sent through the driver), so only the
    pool's reset can end it."""
    connection = await engine.connect()
    raw = await connection.get_raw_connection()
    await raw.driver_connection.execute("INSERT INTO notes (body) VALUES ('chưa lưu')")
    await connection.close()  # back to the pool without COMMIT

    async with engine.begin() as other:  # would wait for the write lock if it were kept
        await other.execute(text("INSERT INTO notes (body) VALUES ('đã lưu')"))
    async with engine.connect() as reader:
        bodies = (await reader.execute(text("SELECT body FROM notes"))).scalars().all()
    assert bodies == ["đã lưu"]
