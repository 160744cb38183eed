"""Statements that run on every message, handed to the database driver without SQLAlchemy's
execution layer.

The engine runs a few small indexed statements for every message (the update record, the flood
counter, who is writing, the conversation). SQLite runs each in about 20 µs; SQLAlchemy's
execution around it (the statement's cache key, the compiled parameters, the execution context
and result, a greenlet switch for the async session) costs several times that in Python. A
:class:`DirectStatement` compiles its Core statement once per database, processes its
parameters and rows with the columns' own type processors (UTC datetimes, JSON, booleans) and
runs it on the connection of the session's transaction: on SQLite through the one-trip driver
(:mod:`storage.sqlite_driver`, no greenlet, no thread hop while the message holds the write
lock), elsewhere (PostgreSQL) through the DBAPI cursor of SQLAlchemy's asyncpg adapter.

It runs through the session as usual whenever the session holds ORM changes not flushed yet:
executing through the session would flush them first, and the statement must see them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, cast

from sqlalchemy import Connection, CursorResult, Dialect, Insert, Select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import SessionTransaction
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.util.concurrency import greenlet_spawn

from storage.sqlite_driver import OneTripConnection

Processor = Callable[[Any], Any]
_RUNNER = "storage.direct.runner"
"""Key in ``session.info`` of how to run statements in the session's current transaction."""


class DirectResult(NamedTuple):
    """The rows a statement returned (processed) and, for INSERT, UPDATE and DELETE, how many
    rows it changed."""

    rows: list[tuple[Any, ...]]
    rowcount: int


@dataclass(frozen=True)
class _Compiled:
    sql: str
    slots: tuple[tuple[str | None, Processor | None, Any], ...]
    """Each positional parameter in order: the name of the value given, and its bind
    processor; or None and the value compiled into the statement (``count + 1``), processed."""
    results: tuple[Processor | None, ...]
    """Each result column's processor."""

    def parameters(self, given: Mapping[str, Any]) -> tuple[Any, ...]:
        return tuple(
            fixed if name is None else given[name] if process is None else process(given[name])
            for name, process, fixed in self.slots
        )

    def row(self, raw: Sequence[Any]) -> tuple[Any, ...]:
        return tuple(
            value if process is None else process(value)
            for process, value in zip(self.results, raw, strict=True)
        )


class DirectStatement:
    """A Core statement (built once, with bound parameters) that the engine runs on every
    message. :meth:`execute` gives its rows and row count, the same on every database."""

    def __init__(self, statement: Select[Any] | UpdateBase) -> None:
        self.statement = statement
        self._compiled: dict[tuple[str, tuple[str, ...]], _Compiled] = {}
        """By dialect and the names of the parameters given (an INSERT lists only those
        columns)."""

    async def execute(self, session: AsyncSession, parameters: Mapping[str, Any]) -> DirectResult:
        runner = await _runner(session)
        if runner is None or session.new or session.dirty or session.deleted:
            result = cast(CursorResult[Any], await session.execute(self.statement, parameters))
            rows = [tuple(row) for row in result] if result.returns_rows else []
            return DirectResult(rows, result.rowcount)
        compiled = self._compiled_for(runner.dialect, tuple(parameters))
        raw_rows, rowcount = await runner.run(compiled.sql, compiled.parameters(parameters))
        return DirectResult([compiled.row(row) for row in raw_rows], rowcount)

    def _compiled_for(self, dialect: Dialect, names: tuple[str, ...]) -> _Compiled:
        key = (dialect.name, names)
        found = self._compiled.get(key)
        if found is None:
            found = self._compiled[key] = _compile(self.statement, dialect, names)
        return found


def _compile(
    statement: Select[Any] | UpdateBase, dialect: Dialect, names: Sequence[str]
) -> _Compiled:
    if isinstance(statement, Insert):
        statement = statement.inline()  # no implicit RETURNING of the new row's id
    compiled = statement.compile(dialect=dialect, column_keys=list(names))
    slots: list[tuple[str | None, Processor | None, Any]] = []
    for name in compiled.positiontup or ():
        bind = compiled.binds[name]
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if name in names:
            slots.append((name, process, None))
        elif bind.required:
            raise ValueError(f"{statement}: no value given for {name}")
        else:
            value = bind.effective_value
            slots.append((None, None, value if process is None else process(value)))
    results = tuple(
        column.type.dialect_impl(dialect).result_processor(dialect, None)
        for column in statement.exported_columns
    )
    return _Compiled(str(compiled), tuple(slots), results)


class _OneTrip:
    """SQLite through the one-trip driver: no greenlet, often no thread hop."""

    def __init__(self, connection: OneTripConnection, dialect: Dialect) -> None:
        self.connection = connection
        self.dialect = dialect

    async def run(self, sql: str, parameters: tuple[Any, ...]) -> tuple[list[Any], int]:
        try:
            _description, rows, rowcount, _last_id = await self.connection.execute_now(
                sql, parameters
            )
        except sqlite3.Error as error:
            # As SQLAlchemy raises it, without the values: names and phone numbers stay out
            # of logs.
            raise DBAPIError.instance(sql, None, error, sqlite3.Error) from error
        return rows, rowcount


class _Cursor:
    """Any other driver (PostgreSQL's asyncpg): its DBAPI cursor, run in one greenlet. A lost
    connection is invalidated as SQLAlchemy would, so the pool never hands it out again."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.dialect = connection.dialect

    async def run(self, sql: str, parameters: tuple[Any, ...]) -> tuple[list[Any], int]:
        driver = self.connection.connection.dbapi_connection
        assert driver is not None  # the transaction holds its connection
        cursor = driver.cursor()
        errors = self.dialect.loaded_dbapi.Error
        try:
            await greenlet_spawn(cursor.execute, sql, parameters)
            rows = list(cursor.fetchall()) if cursor.description else []
            return rows, cursor.rowcount
        except errors as error:
            lost = self.dialect.is_disconnect(error, driver, cursor)
            if lost:
                await greenlet_spawn(self.connection.invalidate, error)
            raise DBAPIError.instance(
                sql, None, error, errors, connection_invalidated=lost
            ) from error
        finally:
            cursor.close()


async def _runner(session: AsyncSession) -> _OneTrip | _Cursor | None:
    """How to run statements on the driver connection of the session's transaction. Looked up
    through the session once per transaction or savepoint: the session begins either on the
    connection only when asked for it (a savepoint's SAVEPOINT included), so a statement sent
    past it must ask first."""
    if session.bind is None:
        return None
    cached: tuple[SessionTransaction | None, _OneTrip | _Cursor] | None
    cached = session.info.get(_RUNNER)
    if cached is None or cached[0] is not _innermost(session):
        connection = await session.run_sync(lambda sync: sync.connection())
        driver = connection.connection.dbapi_connection
        runner = (
            _OneTrip(driver, connection.dialect)
            if isinstance(driver, OneTripConnection)
            else _Cursor(connection)
        )
        cached = session.info[_RUNNER] = (_innermost(session), runner)
    return cached[1]


def _innermost(session: AsyncSession) -> SessionTransaction | None:
    sync = session.sync_session
    return sync.get_nested_transaction() or sync.get_transaction()
