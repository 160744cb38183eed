"""Helpers shared by the fault tests: a whole-database snapshot to compare before and after a
fault, a fault injector that breaks the Nth statement a database engine runs, and the split of
the hostile-input flows between processes."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import asyncpg
import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

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
    lock failure surfaces): the fault sits in the one-trip driver, which runs both what
    SQLAlchemy executes and the engine's direct statements (:mod:`storage.direct`). On
    PostgreSQL the session's server process is ended with ``pg_terminate_backend`` from another
    connection just before the statement, so the statement meets a dead connection, as when
    the database restarts or the network drops.
    """

    def __init__(self, engine: AsyncEngine, admin_dsn: str | None) -> None:
        self.engine = engine
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
        def before(conn: Any, *_: Any) -> None:
            if self._fails_now():
                _terminate_backend(dsn, conn.connection.driver_connection.get_server_pid())

        event.listen(self.engine.sync_engine, "before_cursor_execute", before)
        try:
            yield
        finally:
            event.remove(self.engine.sync_engine, "before_cursor_execute", before)


def _terminate_backend(dsn: str, pid: int) -> None:
    """End server process ``pid`` and wait until it is gone. Runs on a thread of its own: the
    caller is a synchronous hook inside the event loop."""

    async def terminate() -> None:
        connection = await asyncpg.connect(dsn)
        try:
            assert await connection.fetchval("SELECT pg_terminate_backend($1, 5000)", pid)
        finally:
            await connection.close()

    errors: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(terminate())
        except BaseException as error:  # re-raised on the calling thread
            errors.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


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
