"""The SQLite adapter that runs each statement in one trip to aiosqlite's thread behaves like
the stock one: rows, row counts, RETURNING, generated keys, errors, commit and rollback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine
from storage.sqlite_driver import OneTripConnection

SCHEMA = "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL UNIQUE)"


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'driver.db'}")
    async with engine.begin() as connection:
        await connection.execute(text(SCHEMA))
    yield engine
    await engine.dispose()


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the functions sent to aiosqlite's thread, in order."""
    sent: list[str] = []
    original = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append(getattr(fn, "__name__", repr(fn)))
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return sent


async def test_engine_uses_the_one_trip_adapter(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        raw = await connection.get_raw_connection()
        assert isinstance(raw.dbapi_connection, OneTripConnection)


async def test_rows_counts_and_returning(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        inserted = await connection.execute(
            text("INSERT INTO notes (body) VALUES (:a), (:b) RETURNING id, body"),
            {"a": "một", "b": "hai"},
        )
        assert [row.body for row in inserted] == ["một", "hai"]
        many = await connection.execute(
            text("INSERT INTO notes (body) VALUES (:body)"), [{"body": "ba"}, {"body": "bốn"}]
        )
        assert many.rowcount == 2
        changed = await connection.execute(text("UPDATE notes SET body = body || '!'"))
        assert changed.rowcount == 4
        rows = (await connection.execute(text("SELECT body FROM notes ORDER BY id"))).all()
    assert [row.body for row in rows] == ["một!", "hai!", "ba!", "bốn!"]


async def test_a_generated_key_is_read_back(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        result = await connection.execute(text("INSERT INTO notes (body) VALUES ('năm')"))
        key = result.lastrowid
        body = await connection.scalar(text("SELECT body FROM notes WHERE id = :id"), {"id": key})
    assert body == "năm"


async def test_errors_are_sqlalchemy_errors_and_roll_back(engine: AsyncEngine) -> None:
    async def insert_twice() -> None:
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO notes (body) VALUES ('sáu')"))
            await connection.execute(text("INSERT INTO notes (body) VALUES ('sáu')"))

    with pytest.raises(IntegrityError):
        await insert_twice()
    async with engine.connect() as connection:
        assert await connection.scalar(text("SELECT count(*) FROM notes")) == 0


async def test_a_read_is_one_trip_and_an_idle_connection_skips_commit(
    engine: AsyncEngine, trips: list[str]
) -> None:
    async with engine.connect() as connection:
        await connection.get_raw_connection()  # a connection from the pool, made before
        trips.clear()
        await connection.scalar(text("SELECT count(*) FROM notes"))
        await connection.commit()  # a read opens no SQLite transaction: nothing to commit
    assert trips == ["_run"]


async def test_a_write_transaction_with_the_lock_free_needs_no_trip_to_the_thread(
    engine: AsyncEngine, trips: list[str]
) -> None:
    async with engine.connect() as connection:
        await connection.get_raw_connection()
        trips.clear()
        await connection.execute(text("INSERT INTO notes (body) VALUES ('bảy')"))
        await connection.execute(text("UPDATE notes SET body = 'tám'"))
        await connection.scalar(text("SELECT count(*) FROM notes"))
        await connection.commit()
        await connection.execute(text("INSERT INTO notes (body) VALUES ('chín')"))
        await connection.rollback()
    assert trips == []
    async with engine.connect() as other:
        assert (await other.execute(text("SELECT body FROM notes"))).scalars().all() == ["tám"]


async def test_a_second_writer_waits_for_the_first_without_stopping_the_event_loop(
    engine: AsyncEngine,
) -> None:
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    ticker = asyncio.create_task(tick())
    async with engine.connect() as first, engine.connect() as second:
        await first.execute(text("INSERT INTO notes (body) VALUES ('một')"))
        waiting = asyncio.create_task(
            second.execute(text("INSERT INTO notes (body) VALUES ('hai')"))
        )
        await asyncio.sleep(0.3)
        assert not waiting.done(), "the second writer waits for the first one's lock"
        before = ticks
        await first.commit()
        await waiting
        await second.commit()
    ticker.cancel()
    assert before >= 10, "the event loop kept running while the second writer waited"
    async with engine.connect() as connection:
        assert await connection.scalar(text("SELECT count(*) FROM notes")) == 2
