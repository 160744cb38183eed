"""SQLite under asyncio with one trip to aiosqlite's thread per statement.

aiosqlite runs every call on a thread of its own, and SQLAlchemy's stock adapter makes four
such calls per statement (open a cursor, execute, fetch the rows, close the cursor) and one for
every commit and rollback, including the rollback the pool sends when a connection that already
committed goes back. Each hop costs a queue put, a thread wake-up and a return to the event loop:
more than the statement itself for the engine's small indexed statements. This adapter does the
whole statement in one hop, and skips the commit or rollback of a connection with no transaction
open (reading ``in_transaction`` is a flag check, safe from any thread while no statement runs,
which the adapter's mutex guarantees).

Once a transaction has written, the connection holds SQLite's write lock until it commits or
rolls back, and then nothing it runs can wait on another connection: reads never wait in WAL
mode, and the lock it would wait for is its own. From then on its statements, commit and rollback
run on the event loop's thread directly, without a hop. A write that opens a transaction is
first tried there too, with no busy timeout; only if another connection holds the lock is it
rolled back (nothing else was done in the transaction) and sent to aiosqlite's thread, to wait
there for its turn. Reads outside a write transaction (reports may read a lot) always go to the
thread.

Everything else (dialect, types, errors, server-side cursors) is SQLAlchemy's aiosqlite
adapter; :func:`one_trip_dbapi` is passed to the engine as its DBAPI module.
"""

from __future__ import annotations

import collections
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, cast

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT

Outcome = tuple[Any, list[Any], int, int | None]
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def _run(connection: sqlite3.Connection, operation: str, parameters: Any) -> Outcome:
    """On aiosqlite's thread: execute, read every row, close the cursor."""
    cursor = connection.cursor()
    try:
        cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


def _run_many(connection: sqlite3.Connection, operation: str, parameters: Any) -> Outcome:
    cursor = connection.cursor()
    try:
        cursor.executemany(operation, parameters)
        return cursor.description, [], cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


def _is_write(operation: str) -> bool:
    return operation.lstrip()[:7].upper().startswith(WRITES)


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """A buffered cursor whose statement runs in a single call to aiosqlite's thread."""

    __slots__ = ("_arraysize", "_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: Any) -> None:  # no cursor is opened ahead of time
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None
        self._arraysize = 1

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int:
        return self._lastrowid or 0

    @property
    def arraysize(self) -> int:
        return self._arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._arraysize = value

    async def _async_soft_close(self) -> None:
        """Nothing to do: the database cursor was closed with its statement."""

    def close(self) -> None:
        self._rows.clear()

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        await self._trip(_run, operation, () if parameters is None else parameters)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        await self._trip(_run_many, operation, seq_of_parameters)

    async def _trip(self, function: Any, operation: str, parameters: Any) -> None:
        adapted = cast(OneTripConnection, self._adapt_connection)
        outcome = await adapted.trip(function, operation, parameters)
        self._description, rows, self._rowcount, self._lastrowid = outcome
        self._rows = collections.deque(rows)

    def nextset(self) -> None:
        self._rows.clear()

    def setinputsizes(self, *inputsizes: Sequence[Any]) -> None:
        """Ignored, as by sqlite3."""


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ("_busy_timeout", "_thread_only", "_writing")

    _cursor_cls = OneTripCursor

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        self._writing = False
        self._thread_only = False
        self._busy_timeout: int | None = None

    @contextmanager
    def through_the_thread(self) -> Iterator[None]:
        """Every statement, commit and rollback goes through aiosqlite's thread inside the
        block: code that hands statements to that thread without waiting (storage.bulk's
        pipeline) then sees them run in the order given, never overtaken on the event loop."""
        self._thread_only = True
        try:
            yield
        finally:
            self._thread_only = False

    async def execute_now(self, operation: str, parameters: Sequence[Any]) -> Outcome:
        """Run one statement in one trip (or none) and return its outcome: the cursor's
        description, every row, the row count and the last row id. Errors are ``sqlite3``'s."""
        return await self.trip(_run, operation, parameters)

    async def trip(self, function: Any, operation: str, parameters: Any) -> Outcome:
        """``function(sqlite3 connection, operation, parameters)`` where it may run: on the
        event loop while this connection holds the write lock (or takes it at once), else on
        aiosqlite's thread."""
        async with self._execute_mutex:
            connection = self._connection
            outcome: Outcome
            if self.may_skip_the_thread() and self.holds_write_lock():
                outcome = function(connection._conn, operation, parameters)
            elif self.may_skip_the_thread() and (
                tried := self.write_without_waiting(function, operation, parameters)
            ):
                outcome = tried
            else:
                outcome = await connection._execute(
                    function, connection._conn, operation, parameters
                )
            if outcome[2] >= 0:  # INSERT, UPDATE, DELETE: the write lock is taken
                self.wrote()
        return outcome

    def may_skip_the_thread(self) -> bool:
        return not self._thread_only

    def _in_transaction(self) -> bool:
        connection = self._connection._connection
        return connection is not None and connection.in_transaction

    def wrote(self) -> None:
        self._writing = self._in_transaction()

    def holds_write_lock(self) -> bool:
        self._writing = self._writing and self._in_transaction()
        return self._writing

    def write_without_waiting(
        self, function: Any, operation: str, parameters: Any
    ) -> Outcome | None:
        """The outcome of a write that opens a transaction, run here if SQLite's write lock is
        free; None (and no transaction) when it is not, or for any other statement."""
        connection = self._connection._connection
        if connection is None or connection.in_transaction or not _is_write(operation):
            return None
        if self._busy_timeout is None:  # set when the connection was opened; read once
            self._busy_timeout = int(connection.execute("PRAGMA busy_timeout").fetchone()[0])
        timeout = self._busy_timeout
        connection.execute("PRAGMA busy_timeout = 0")
        try:
            return cast(Outcome, function(connection, operation, parameters))
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:
                raise
            connection.rollback()
            return None
        finally:
            connection.execute(f"PRAGMA busy_timeout = {timeout}")

    def rollback(self) -> None:
        self._end(super().rollback, "rollback")

    def commit(self) -> None:
        self._end(super().commit, "commit")

    def _end(self, by_thread: Any, name: str) -> None:
        if not self._in_transaction():
            return
        if self._thread_only or not self.holds_write_lock():
            by_thread()
            return
        self._writing = False
        try:
            getattr(self._connection._conn, name)()
        except Exception as error:
            self._handle_exception(error)


class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> OneTripConnection:
        adapted = super().connect(*arg, **kw)
        return OneTripConnection(self, adapted._connection)


def one_trip_dbapi() -> OneTripDBAPI:
    return OneTripDBAPI(aiosqlite, sqlite3)
