"""Helpers shared by the fault tests: a whole-database snapshot to compare before and after a
fault, a fault injector that breaks the Nth statement a database engine runs, and the split of
the hostile-input flows between processes."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import asyncpg
import pytest
from sqlalchemy import select
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_cursor
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import Base
from storage.sqlite_driver import OneTripConnection, Outcome

Snapshot = dict[str, list[str]]
HOSTILE_TEST = "test_hostile_input_at_every_step_never_crashes_and_refused_input_changes_nothing"
SLOW_FLOWS = ("summary", "support_summary")
"""Flows whose answers build a chart or a workbook: about twice the time per input."""


async def snapshot(sessions: async_sessionmaker[AsyncSession]) -> Snapshot:
    """Every row of every table, as sorted text, so two snapshots compare with ``==``."""
    rows: Snapshot = {}
    async with sessions() as session:
        for table in Base.metadata.sorted_tables:
            found = (await session.execute(select(table))).all()
            rows[table.name] = sorted(repr(tuple(row)) for row in found)
    return rows


def changed_tables(before: Snapshot, after: Snapshot) -> list[str]:
    return [name for name in before if before[name] != after.get(name)]


class StatementFault:
    """Counts the statements an engine runs and breaks the ``fail_at``-th one (1-based).

    On SQLite the driver fails the statement (``sqlite3.OperationalError``, the way a disk or
    lock failure surfaces). On PostgreSQL the session's server process is ended with
    ``pg_terminate_backend`` from another connection just before the statement, so the
    statement meets a dead connection, as when the database restarts or the network drops.
    Either way the fault sits in the driver (the one-trip SQLite driver, SQLAlchemy's asyncpg
    cursor), which runs both what SQLAlchemy executes and the engine's direct statements
    (:mod:`storage.direct`).
    """

    def __init__(self, admin_dsn: str | None) -> None:
        self.admin_dsn = admin_dsn
        self.count = 0
        self.fail_at: int | None = None
        self.fired = False

    def arm(self, fail_at: int | None) -> None:
        self.count = 0
        self.fail_at = fail_at
        self.fired = False

    def _fails_now(self) -> bool:
        self.count += 1
        if self.count != self.fail_at:
            return False
        self.fired = True
        return True

    @contextmanager
    def installed(self) -> Iterator[StatementFault]:
        if self.admin_dsn is None:
            fault = self._in_the_sqlite_driver()
        else:
            fault = self._before_each_postgresql_statement(self.admin_dsn)
        with fault:
            yield self

    @contextmanager
    def _in_the_sqlite_driver(self) -> Iterator[None]:
        original = OneTripConnection.trip

        async def trip(connection: OneTripConnection, *arguments: Any) -> Outcome:
            if self._fails_now():
                raise sqlite3.OperationalError("disk I/O error")
            return await original(connection, *arguments)

        OneTripConnection.trip = trip  # type: ignore[method-assign]
        try:
            yield
        finally:
            OneTripConnection.trip = original  # type: ignore[method-assign]

    @contextmanager
    def _before_each_postgresql_statement(self, dsn: str) -> Iterator[None]:
        original = AsyncAdapt_asyncpg_cursor._prepare_and_execute

        async def prepare_and_execute(cursor: Any, *arguments: Any) -> Any:
            if self._fails_now():
                pid = cursor._adapt_connection._connection.get_server_pid()
                await _terminate_backend(dsn, pid)
            return await original(cursor, *arguments)

        AsyncAdapt_asyncpg_cursor._prepare_and_execute = prepare_and_execute
        try:
            yield
        finally:
            AsyncAdapt_asyncpg_cursor._prepare_and_execute = original


async def _terminate_backend(dsn: str, pid: int) -> None:
    """End server process ``pid`` and wait until it is gone."""
    connection = await asyncpg.connect(dsn)
    try:
        assert await connection.fetchval("SELECT pg_terminate_backend($1, 5000)", pid)
    finally:
        await connection.close()


def admin_dsn(database_url: str) -> str | None:
    """The plain asyncpg DSN of a PostgreSQL test database; None on SQLite."""
    if not database_url.startswith("postgresql"):
        return None
    return database_url.replace("postgresql+asyncpg://", "postgresql://", 1)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``GIAMNGHEO_HOSTILE_SHARD=k/n`` keeps the k-th of n shares of the hostile-input test's
    flows (1-based), so ``make faults`` runs its long run as one process per core. Shares are
    balanced by the flows' cost per input."""
    shard = os.environ.get("GIAMNGHEO_HOSTILE_SHARD")
    if not shard:
        return
    k, n = (int(part) for part in shard.split("/"))
    assert 1 <= k <= n, f"GIAMNGHEO_HOSTILE_SHARD={shard}: k must be between 1 and n"
    flows = [i for i in items if isinstance(i, pytest.Function) and i.originalname == HOSTILE_TEST]
    loads = [0] * n
    dropped = set()
    for item in sorted(flows, key=lambda i: -_cost(i)):
        share = loads.index(min(loads))
        loads[share] += _cost(item)
        if share != k - 1:
            dropped.add(id(item))
    config.hook.pytest_deselected(items=[i for i in items if id(i) in dropped])
    items[:] = [i for i in items if id(i) not in dropped]


def _cost(item: pytest.Function) -> int:
    return 2 if item.callspec.params["name"] in SLOW_FLOWS else 1
