"""Helpers shared by the fault tests: a whole-database snapshot to compare before and after a
fault, a fault injector that breaks the Nth statement or the COMMIT of a database engine, and the
split of the hostile-input flows between processes."""

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
from sqlalchemy import Connection, event, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.models import Base

Snapshot = dict[str, list[str]]
HOSTILE_TEST = "test_hostile_input_at_every_step_never_crashes_and_refused_input_changes_nothing"
SLOW_FLOWS = ("summary", "support_summary")
"""Flows whose answers build a chart or a workbook: about twice the time per input."""
# A COMMIT that SQLite itself refuses: a row breaking a deferred foreign key, in two temporary
# tables of the connection (gone with the rollback that follows).
_SQLITE_FAILING_COMMIT = (
    "PRAGMA defer_foreign_keys = ON",
    "CREATE TEMP TABLE IF NOT EXISTS fault_parent (id INTEGER PRIMARY KEY)",
    "CREATE TEMP TABLE IF NOT EXISTS fault_child (parent_id INTEGER REFERENCES fault_parent (id))",
    "INSERT INTO fault_child (parent_id) VALUES (-1)",
)


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
    """Counts the statements an engine runs and breaks the ``fail_at``-th one (1-based), or
    breaks the next COMMIT (:meth:`arm_commit`).

    It listens to SQLAlchemy's ``before_cursor_execute`` and ``commit`` events of the engine, so
    it sees every statement and every COMMIT the application sends. On SQLite a statement
    fails with ``sqlite3.OperationalError`` (the way a disk or lock failure surfaces), and a
    COMMIT fails in SQLite itself (a deferred foreign key broken in a temporary table). On
    PostgreSQL the session's server process is ended with ``pg_terminate_backend`` from
    another connection just before the statement or the COMMIT, so it meets a dead connection,
    as when the database restarts or the network drops.
    """

    def __init__(self, engine: AsyncEngine, admin_dsn: str | None) -> None:
        self.engine = engine
        self.admin_dsn = admin_dsn
        self.count = 0
        self.fail_at: int | None = None
        self.fail_commit = False
        self.fired = False

    def arm(self, fail_at: int | None) -> None:
        self.count = 0
        self.fail_at = fail_at
        self.fail_commit = False
        self.fired = False

    def arm_commit(self) -> None:
        """Break the next COMMIT (and no statement)."""
        self.arm(None)
        self.fail_commit = True

    def _fails_now(self) -> bool:
        self.count += 1
        if self.count != self.fail_at:
            return False
        self.fired = True
        return True

    def _before_statement(self, connection: Connection, *_: Any) -> None:
        if not self._fails_now():
            return
        if self.admin_dsn is None:
            raise sqlite3.OperationalError("disk I/O error")
        _terminate_backend(self.admin_dsn, connection)

    def _before_commit(self, connection: Connection) -> None:
        if not self.fail_commit:
            return
        self.fail_commit = False
        self.fired = True
        if self.admin_dsn is not None:
            _terminate_backend(self.admin_dsn, connection)
            return
        dbapi_connection = connection.connection.dbapi_connection
        assert dbapi_connection is not None
        cursor = dbapi_connection.cursor()
        try:
            for statement in _SQLITE_FAILING_COMMIT:
                cursor.execute(statement)
        finally:
            cursor.close()

    @contextmanager
    def installed(self) -> Iterator[StatementFault]:
        target = self.engine.sync_engine
        event.listen(target, "before_cursor_execute", self._before_statement)
        event.listen(target, "commit", self._before_commit)
        try:
            yield self
        finally:
            event.remove(target, "before_cursor_execute", self._before_statement)
            event.remove(target, "commit", self._before_commit)


def _terminate_backend(dsn: str, connection: Connection) -> None:
    """End the server process of ``connection`` and wait until it is gone. The event runs
    synchronously on the event loop's thread, so the other connection is made on a thread of
    its own, with its own loop."""
    pid = connection.connection.driver_connection.get_server_pid()  # asyncpg's Connection
    failure: list[BaseException] = []

    def terminate() -> None:
        try:
            asyncio.run(_terminate(dsn, pid))
        except BaseException as error:
            failure.append(error)

    worker = threading.Thread(target=terminate)
    worker.start()
    worker.join()
    if failure:
        raise failure[0]


async def _terminate(dsn: str, pid: int) -> None:
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
