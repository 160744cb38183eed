"""Inserting many rows at once, at the speed of the database driver.

SQLAlchemy prepares every row of an ``executemany`` in Python (parameter dictionaries, type
processing), which at tens of thousands of rows costs more than SQLite's own insert. Here the
statement is compiled once for the connection's dialect, each column's bind processor runs once
per distinct object, and the driver receives plain values in its own parameter style.

SQLite gets multi-row ``INSERT … VALUES (…), (…), …`` statements, a third faster than an
``executemany`` of one-row statements (whose per-row overhead in the ``sqlite3`` module is larger
than the insert itself); asyncpg's ``executemany`` already pipelines its rows, so PostgreSQL
keeps it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

SQLITE_MAX_PARAMETERS = 32_766 if sqlite3.sqlite_version_info >= (3, 32) else 999
"""Bound parameters SQLite accepts in one statement (its compile-time default)."""
LARGEST_ROWID = 2**63 - 1
"""Past this SQLite picks new rowids at random, so they are no longer one more than the largest."""


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
    compiled = insert(table).compile(dialect=dialect, column_keys=[*names, *fixed])
    given = dict(zip(names, zip(*rows, strict=True), strict=True))
    columns: list[Sequence[Any]] = []
    for name in compiled.positiontup or ():
        processor = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if name in fixed:
            value = fixed[name] if processor is None else processor(fixed[name])
            columns.append([value] * len(rows))
        else:
            values = given[name]
            columns.append(values if processor is None else _processed(values, processor))
    if dialect.name == "sqlite":
        await _insert_sqlite(connection, str(compiled), columns)
    else:
        await connection.exec_driver_sql(str(compiled), list(zip(*columns, strict=True)))


async def insert_with_ids(
    session: AsyncSession,
    table: Table,
    names: Sequence[str],
    rows: Sequence[Sequence[Any]],
    constants: Mapping[str, Any] | None = None,
    *,
    key: str,
) -> list[int]:
    """Insert ``rows`` like :func:`insert_rows` and return the new rows' ``id``, in row order.

    PostgreSQL: the ids are taken from the column's sequence first and inserted with the rows.
    SQLite: a new rowid is one more than the largest, and the transaction holds the only write
    lock from its first insert on, so the rows just inserted hold the ids up to the largest one.
    Should the table have reached SQLite's largest rowid (new ones are then random), the ids are
    looked up by ``key``, a unique column of the rows.
    """
    if not rows:
        return []
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        ids = await _next_ids(connection, table, len(rows))
        with_ids = [(new_id, *row) for new_id, row in zip(ids, rows, strict=True)]
        await insert_rows(session, table, ("id", *names), with_ids, constants)
        return ids
    await insert_rows(session, table, names, rows, constants)
    largest = await connection.scalar(select(func.max(table.c.id)))
    if largest is not None and largest < LARGEST_ROWID:
        return list(range(largest - len(rows) + 1, largest + 1))
    keys = [row[names.index(key)] for row in rows]
    found = await connection.execute(select(table.c[key], table.c.id).where(table.c[key].in_(keys)))
    by_key = {value: row_id for value, row_id in found}
    return [by_key[value] for value in keys]


async def _next_ids(connection: AsyncConnection, table: Table, count: int) -> list[int]:
    """``count`` fresh values of the sequence behind ``table.id`` (PostgreSQL)."""
    found = await connection.execute(
        text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"),
        {"table": table.name, "n": count},
    )
    return [row_id for (row_id,) in found]


async def _insert_sqlite(
    connection: AsyncConnection, sql: str, columns: list[Sequence[Any]]
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
        await connection.exec_driver_sql(statement, tuple(flat))


def _processed(values: Sequence[Any], processor: Callable[[Any], Any]) -> list[Any]:
    """``processor`` applied to each value, once per distinct object (a column repeats the same
    few objects: ``True``, one timestamp, one audit details dict)."""
    distinct = dict(zip(map(id, values), values, strict=True))
    done = {key: processor(value) for key, value in distinct.items()}
    return list(map(done.__getitem__, map(id, values)))
