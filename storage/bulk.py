"""Inserting many rows at once, at the speed of the database driver.

SQLAlchemy prepares every row of an ``executemany`` in Python (parameter dictionaries, type
processing), which at tens of thousands of rows costs more than SQLite's own insert. Here the
statement is compiled once for the connection's dialect, each column's bind processor runs once
per distinct object, and the driver receives plain values in its own parameter style.

SQLite gets multi-row ``INSERT … VALUES (…), (…), …`` statements, a third faster than an
``executemany`` of one-row statements (whose per-row overhead in the ``sqlite3`` module is larger
than the insert itself). PostgreSQL gets ``COPY … FROM STDIN`` from :data:`COPY_FROM` rows on
(asyncpg's ``executemany`` still runs one statement per row) and ``executemany`` below that.

Inside :func:`pipelined` (SQLite), inserts are handed to the database thread without waiting for
them, so Python prepares the next statement while SQLite writes the last one. The database
thread runs statements in the order they were handed over, so anything executed afterwards
through the session (a query, the commit) sees every earlier insert; leaving the block waits for
them all and raises the first error.
"""

from __future__ import annotations

import asyncio
import functools
import sqlite3
from collections import deque
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager, nullcontext
from typing import Any

from sqlalchemy import Dialect, Table, func, insert, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

SQLITE_MAX_PARAMETERS = 32_766 if sqlite3.sqlite_version_info >= (3, 32) else 999
"""Bound parameters SQLite accepts in one statement (its compile-time default)."""
LARGEST_ROWID = 2**63 - 1
"""Past this SQLite picks new rowids at random, so they are no longer one more than the largest."""
COPY_FROM = 100
"""Rows from which PostgreSQL gets ``COPY … FROM STDIN`` instead of an ``executemany``: one
stream instead of a statement per row, several times faster for an import."""
IMPORT_CACHE_KIB = 65_536
"""SQLite page cache while :func:`pipelined` writes, in KiB: the default 2 MiB cannot hold the
index pages a province's import keeps touching, so SQLite would write them out and read them
back over and over. Only the cache grows; ``synchronous`` and the journal are left alone."""
PIPELINE_DEPTH = 8
"""Statements handed to the database thread and not yet finished, at most (bounds memory)."""
_PIPELINE = "storage.bulk.pipeline"
"""Key of the active :class:`_Pipeline` in ``session.info``."""


class _Pipeline:
    """Statements handed to aiosqlite's thread, oldest first, and the next id of each table
    whose ids this pipeline hands out (:func:`insert_with_ids`)."""

    def __init__(self, driver: Any) -> None:
        self.driver = driver
        self.pending: deque[asyncio.Future[Any]] = deque()
        self.next_ids: dict[str, int] = {}

    async def submit(self, sql: str, parameters: tuple[Any, ...]) -> None:
        while len(self.pending) >= PIPELINE_DEPTH:
            await self._wait_oldest()
        self.pending.append(asyncio.ensure_future(self._execute(sql, parameters)))
        # One turn of the loop lets the task queue its statement now, ahead of anything the
        # caller executes next.
        await asyncio.sleep(0)

    async def _execute(self, sql: str, parameters: tuple[Any, ...]) -> None:
        try:
            await self.driver.execute(sql, parameters)
        except sqlite3.Error as error:
            # The error SQLAlchemy raises for the same statement, without the values (names
            # and phone numbers must not reach a log).
            raise DBAPIError.instance(sql, None, error, sqlite3.Error) from error

    async def _wait_oldest(self) -> None:
        try:
            await self.pending.popleft()
        except BaseException:
            await self.settle()
            raise

    async def drain(self) -> None:
        """Wait for every statement handed over; raise the first error."""
        while self.pending:
            await self._wait_oldest()

    async def settle(self) -> None:
        """Wait for every statement handed over, ignoring errors (one is being raised)."""
        pending, self.pending = list(self.pending), deque()
        await asyncio.gather(*pending, return_exceptions=True)


@asynccontextmanager
async def pipelined(session: AsyncSession) -> AsyncIterator[None]:
    """Let :func:`insert_rows` and :func:`insert_with_ids` run without waiting for SQLite inside
    the block (the import writes a province this way); elsewhere, and on PostgreSQL, nothing
    changes. Leaving the block waits for every insert and raises the first error, so the
    caller's transaction never commits a partial write. Nested blocks share the outer one. The
    connection's page cache is :data:`IMPORT_CACHE_KIB` inside the block.

    Inside the block the rows of a table given to :func:`insert_with_ids` must be inserted
    through this module only, since it hands out their ids itself.
    """
    connection = await session.connection()
    if connection.dialect.name != "sqlite" or _PIPELINE in session.info:
        yield
        return
    raw = await connection.get_raw_connection()
    cache = await connection.scalar(text("PRAGMA cache_size"))
    await connection.exec_driver_sql(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
    pipeline = session.info[_PIPELINE] = _Pipeline(raw.driver_connection)
    in_order = getattr(raw.dbapi_connection, "through_the_thread", nullcontext)
    try:
        with in_order():
            yield
            await pipeline.drain()
    finally:
        del session.info[_PIPELINE]
        await pipeline.settle()
        await connection.exec_driver_sql(f"PRAGMA cache_size = {int(cache)}")


def _pipeline(session: AsyncSession) -> _Pipeline | None:
    found: _Pipeline | None = session.info.get(_PIPELINE)
    return found


async def insert_rows(
    session: AsyncSession,
    table: Table,
    names: Sequence[str],
    rows: Sequence[Sequence[Any]],
    constants: Mapping[str, Any] | None = None,
) -> None:
    """Insert ``rows`` (tuples of the columns ``names``, in that order) into ``table``, inside
    the session's transaction.

    ``constants`` gives columns whose value is the same in every row (a timestamp). Values go
    through the column types' bind processing (time zones, JSON, booleans).
    """
    if not rows:
        return
    connection = await session.connection()
    fixed = dict(constants or {})
    dialect = connection.dialect
    sql, positions = _compiled_insert(table, (*names, *fixed), dialect)
    given = dict(zip(names, zip(*rows, strict=True), strict=True))
    columns: list[Sequence[Any]] = []
    for name, processor in positions:
        if name in fixed:
            value = fixed[name] if processor is None else processor(fixed[name])
            columns.append([value] * len(rows))
        else:
            values = given[name]
            columns.append(values if processor is None else _processed(values, processor))
    if dialect.name == "sqlite":
        pipeline = _pipeline(session)
        if pipeline is not None:
            pipeline.next_ids.pop(table.name, None)
        await _insert_sqlite(connection, sql, columns, pipeline)
    elif len(rows) >= COPY_FROM:
        await _copy_postgresql(connection, table, [name for name, _ in positions], columns)
    else:
        await connection.exec_driver_sql(sql, list(zip(*columns, strict=True)))


@functools.lru_cache(maxsize=128)
def _compiled_insert(
    table: Table, keys: tuple[str, ...], dialect: Dialect
) -> tuple[str, tuple[tuple[str, Callable[[Any], Any] | None], ...]]:
    """The one-row INSERT of ``keys`` in the dialect's parameter style, and each parameter's
    column with its bind processor, in parameter order. A chat message that opens follow-ups
    inserts a few rows into the same tables every time; compiling costs more than the insert."""
    compiled = insert(table).compile(dialect=dialect, column_keys=list(keys))
    positions = tuple(
        (name, table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
        for name in compiled.positiontup or ()
    )
    return str(compiled), positions


async def insert_with_ids(
    session: AsyncSession,
    table: Table,
    names: Sequence[str],
    rows: Sequence[Sequence[Any]],
    constants: Mapping[str, Any] | None = None,
    *,
    key: str | None,
) -> list[int]:
    """Insert ``rows`` like :func:`insert_rows` and return the new rows' ``id``, in row order.

    PostgreSQL: the ids are taken from the column's sequence first and inserted with the rows.
    SQLite: a new rowid is one more than the largest, and the transaction holds the only write
    lock from its first insert on, so the rows just inserted hold the ids up to the largest one.
    Should the table have reached SQLite's largest rowid (new ones are then random), the ids are
    looked up by ``key``, a unique column of the rows (a table without one, ``key`` None, then
    raises :class:`OverflowError`).

    Inside :func:`pipelined` (SQLite) the ids are handed out before the insert, as on
    PostgreSQL, so the insert need not be waited for: the write lock is taken first (a write
    that changes nothing), the largest id is read once, and later calls continue from there.
    """
    if not rows:
        return []
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        ids = await _next_ids(connection, table, len(rows))
        return await _insert_given_ids(session, table, names, rows, constants, ids)
    pipeline = _pipeline(session)
    if pipeline is not None:
        first = pipeline.next_ids.get(table.name)
        if first is None:
            await connection.exec_driver_sql(f"DELETE FROM {table.name} WHERE 0")
            first = (await connection.scalar(select(func.max(table.c.id))) or 0) + 1
        if first + len(rows) - 1 <= LARGEST_ROWID:
            ids = list(range(first, first + len(rows)))
            await _insert_given_ids(session, table, names, rows, constants, ids)
            pipeline.next_ids[table.name] = first + len(rows)
            return ids
    await insert_rows(session, table, names, rows, constants)
    largest = await connection.scalar(select(func.max(table.c.id)))
    if largest is not None and largest < LARGEST_ROWID:
        return list(range(largest - len(rows) + 1, largest + 1))
    if key is None:
        raise OverflowError(f"{table.name}: no rowid left to insert in order")
    keys = [row[names.index(key)] for row in rows]
    found = await connection.execute(select(table.c[key], table.c.id).where(table.c[key].in_(keys)))
    by_key = {value: row_id for value, row_id in found}
    return [by_key[value] for value in keys]


async def _insert_given_ids(
    session: AsyncSession,
    table: Table,
    names: Sequence[str],
    rows: Sequence[Sequence[Any]],
    constants: Mapping[str, Any] | None,
    ids: list[int],
) -> list[int]:
    with_ids = [(new_id, *row) for new_id, row in zip(ids, rows, strict=True)]
    await insert_rows(session, table, ("id", *names), with_ids, constants)
    return ids


async def _next_ids(connection: AsyncConnection, table: Table, count: int) -> list[int]:
    """``count`` fresh values of the sequence behind ``table.id`` (PostgreSQL)."""
    found = await connection.execute(
        text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"),
        {"table": table.name, "n": count},
    )
    return [row_id for (row_id,) in found]


async def _copy_postgresql(
    connection: AsyncConnection,
    table: Table,
    names: Sequence[str],
    columns: list[Sequence[Any]],
) -> None:
    """``COPY`` through asyncpg, inside the session's transaction: a statement through the
    session first makes sure the transaction has begun (the driver begins it lazily), so a
    rollback undoes the copy too."""
    await connection.exec_driver_sql("SELECT 1")
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection
    await driver.copy_records_to_table(
        table.name,
        records=list(zip(*columns, strict=True)),
        columns=list(names),
        schema_name=table.schema,
    )


async def _insert_sqlite(
    connection: AsyncConnection,
    sql: str,
    columns: list[Sequence[Any]],
    pipeline: _Pipeline | None,
) -> None:
    """Multi-row inserts of as many rows as SQLite's parameter limit allows."""
    width, count = len(columns), len(columns[0])
    head, marker, tail = sql.rpartition(" VALUES ")
    if not marker or not tail.startswith("("):
        raise ValueError(f"not a single-row INSERT: {sql}")
    per_statement = max(1, SQLITE_MAX_PARAMETERS // width)
    for start in range(0, count, per_statement):
        size = min(per_statement, count - start)
        flat: list[Any] = [None] * (size * width)
        for position, values in enumerate(columns):
            flat[position::width] = values[start : start + size]
        statement = f"{head} VALUES {', '.join([tail] * size)}"
        if pipeline is None:
            await connection.exec_driver_sql(statement, tuple(flat))
        else:
            await pipeline.submit(statement, tuple(flat))


def _processed(values: Sequence[Any], processor: Callable[[Any], Any]) -> list[Any]:
    """``processor`` applied to each value, once per distinct object (a column repeats the same
    few objects: ``True``, one timestamp, one audit details dict)."""
    distinct = dict(zip(map(id, values), values, strict=True))
    done = {key: processor(value) for key, value in distinct.items()}
    return list(map(done.__getitem__, map(id, values)))
