"""Statements that run on every message, handed to the SQLite driver without SQLAlchemy's
execution layer.

The engine runs a few small indexed statements for every message (the update record, the flood
counter, who is writing, the conversation). SQLite runs each in about 20 µs; SQLAlchemy's
execution around it (the statement's cache key, the compiled parameters, the execution context
and result, a greenlet switch for the async session) costs several times that in Python. A
:class:`DirectStatement` compiles its Core statement once, processes its parameters and rows
with the columns' own type processors (UTC datetimes, JSON, booleans) and runs it through the
one-trip driver (:mod:`storage.sqlite_driver`), in the session's transaction.

Everywhere else it runs through the session as usual: on PostgreSQL (a round trip there costs
more than SQLAlchemy's Python), and whenever the session holds ORM changes not flushed yet
(executing through the session would flush them first, and the statement must see them).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, cast

from sqlalchemy import CursorResult, Dialect, Select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.sql.dml import UpdateBase

from storage.sqlite_driver import OneTripConnection

Processor = Callable[[Any], Any]
_DRIVER = "storage.direct.driver"
"""Key in ``session.info`` of the driver connection of the session's current transaction."""


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
        self._compiled: dict[tuple[str, ...], _Compiled] = {}
        """By the names of the parameters given (an INSERT lists only those columns); the
        dialect is always SQLite's."""

    async def execute(self, session: AsyncSession, parameters: Mapping[str, Any]) -> DirectResult:
        found = await _driver(session)
        if found is None or session.new or session.dirty or session.deleted:
            result = cast(CursorResult[Any], await session.execute(self.statement, parameters))
            rows = [tuple(row) for row in result] if result.returns_rows else []
            return DirectResult(rows, result.rowcount)
        driver, dialect = found
        compiled = self._compiled_for(dialect, tuple(parameters))
        try:
            _description, raw_rows, rowcount, _last_id = await driver.execute_now(
                compiled.sql, compiled.parameters(parameters)
            )
        except sqlite3.Error as error:
            # As SQLAlchemy raises it, without the values: names and phone numbers stay out
            # of logs.
            raise DBAPIError.instance(compiled.sql, None, error, sqlite3.Error) from error
        return DirectResult([compiled.row(row) for row in raw_rows], rowcount)

    def _compiled_for(self, dialect: Dialect, names: tuple[str, ...]) -> _Compiled:
        found = self._compiled.get(names)
        if found is None:
            found = self._compiled[names] = _compile(self.statement, dialect, names)
        return found


def _compile(
    statement: Select[Any] | UpdateBase, dialect: Dialect, names: Sequence[str]
) -> _Compiled:
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


async def _driver(session: AsyncSession) -> tuple[OneTripConnection, Dialect] | None:
    """The one-trip SQLite connection of the session's transaction and its dialect; None on
    any other database. Looked up through the session once per transaction or savepoint: the
    session begins either on the connection only when asked for it (a savepoint's SAVEPOINT
    included), so a statement sent past it must ask first."""
    bind = session.bind
    if bind is None or bind.dialect.name != "sqlite":
        return None
    cached: tuple[SessionTransaction | None, OneTripConnection | None] | None
    cached = session.info.get(_DRIVER)
    if cached is None or cached[0] is not _innermost(session):
        raw = await session.run_sync(_dbapi_connection)
        driver = raw if isinstance(raw, OneTripConnection) else None
        cached = session.info[_DRIVER] = (_innermost(session), driver)
    return None if cached[1] is None else (cached[1], bind.dialect)


def _dbapi_connection(session: Session) -> Any:
    return session.connection().connection.dbapi_connection


def _innermost(session: AsyncSession) -> SessionTransaction | None:
    sync = session.sync_session
    return sync.get_nested_transaction() or sync.get_transaction()
