"""Inserting many rows at once: an import writes a province, a message that opens follow-ups a
few rows.

Every insert runs in the session's transaction, through SQLAlchemy's public API, and the values
of each column go through the column type's bind processor (time zones, JSON, booleans) as for
any insert, once per distinct object (a column repeats the same few: one timestamp, ``True``).

- SQLite: multi-row ``INSERT … VALUES (…), (…), …`` statements of as many rows as SQLite's
  parameter limit allows, through ``AsyncConnection.exec_driver_sql``. SQLAlchemy's own
  ``executemany`` (with or without "insertmanyvalues") prepares a dictionary of parameters per
  row and runs the type processing per value: at a province's import that took longer than
  SQLite's own work, and the import fell to a third of its speed.
- PostgreSQL: from :data:`COPY_FROM` rows on, ``COPY … FROM STDIN`` through asyncpg's
  ``copy_records_to_table`` on the session's own connection
  (``AsyncConnection.get_raw_connection()``), so the copy belongs to the same transaction;
  fewer rows go through SQLAlchemy's ``executemany`` (with ``RETURNING``, its
  "insertmanyvalues", where the ids are wanted).
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

SQLITE_MAX_PARAMETERS = 32_766 if sqlite3.sqlite_version_info >= (3, 32) else 999
"""Bound parameters SQLite accepts in one statement (its compile-time default)."""
LARGEST_ROWID = 2**63 - 1
"""Past this SQLite picks new rowids at random, so they are no longer one more than the largest."""
COPY_FROM = 100
"""Rows from which PostgreSQL gets ``COPY … FROM STDIN`` instead of an ``executemany``: one
stream instead of a statement per row, several times faster for an import."""
IMPORT_CACHE_KIB = 65_536
"""SQLite page cache inside :func:`larger_page_cache`, in KiB: the default 2 MiB cannot hold the
index pages a province's import keeps touching, so SQLite would write them out and read them
back over and over. Only the cache grows; ``synchronous`` and the journal are left alone."""


@asynccontextmanager
async def larger_page_cache(session: AsyncSession) -> AsyncIterator[None]:
    """On SQLite, the session's connection has a page cache of :data:`IMPORT_CACHE_KIB` inside
    the block (an import writes through it); elsewhere nothing changes."""
    connection = await session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    cache = await connection.scalar(text("PRAGMA cache_size"))
    await connection.exec_driver_sql(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        await connection.exec_driver_sql(f"PRAGMA cache_size = {int(cache)}")


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
    through the column types' bind processing (time zones, JSON, booleans) as for any insert.
    """
    if not rows:
        return
    connection = await session.connection()
    dialect = connection.dialect.name
    if dialect == "sqlite":
        await _insert_sqlite(connection, table, names, rows, constants or {})
    elif dialect == "postgresql" and len(rows) >= COPY_FROM:
        await _copy(connection, table, names, rows, constants or {})
    else:
        await session.execute(insert(table), _parameters(names, rows, constants))


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

    PostgreSQL: ``INSERT … RETURNING`` with SQLAlchemy's ``sort_by_parameter_order``; for a
    COPY the ids are taken from the column's sequence first and copied with the rows.
    SQLite (whose ``RETURNING`` order is not defined): a new rowid is one more than the
    largest, and the transaction holds the only write lock from its first insert on, so the
    rows just inserted hold the ids up to the largest one. Should the table have reached
    SQLite's largest rowid (new ones are then random), the ids are looked up by ``key``, a
    unique column of the rows (a table without one, ``key`` None, then raises
    :class:`OverflowError`).
    """
    if not rows:
        return []
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        if len(rows) >= COPY_FROM:
            ids = await _next_ids(connection, table, len(rows))
            with_ids = [(new_id, *row) for new_id, row in zip(ids, rows, strict=True)]
            await insert_rows(session, table, ("id", *names), with_ids, constants)
            return ids
        returning = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        found = await session.execute(returning, _parameters(names, rows, constants))
        return list(found.scalars())
    await insert_rows(session, table, names, rows, constants)
    largest = await session.scalar(select(func.max(table.c.id)))
    if largest is not None and largest < LARGEST_ROWID:
        return list(range(largest - len(rows) + 1, largest + 1))
    if key is None:
        raise OverflowError(f"{table.name}: no rowid left to insert in order")
    keys = [row[names.index(key)] for row in rows]
    found_keys = await session.execute(
        select(table.c[key], table.c.id).where(table.c[key].in_(keys))
    )
    by_key = {value: row_id for value, row_id in found_keys}
    return [by_key[value] for value in keys]


def _parameters(
    names: Sequence[str], rows: Sequence[Sequence[Any]], constants: Mapping[str, Any] | None
) -> list[dict[str, Any]]:
    fixed = dict(constants or {})
    return [{**dict(zip(names, row, strict=True)), **fixed} for row in rows]


async def _next_ids(connection: AsyncConnection, table: Table, count: int) -> list[int]:
    """``count`` fresh values of the sequence behind ``table.id`` (PostgreSQL)."""
    found = await connection.execute(
        text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"),
        {"table": table.name, "n": count},
    )
    return [row_id for (row_id,) in found]


def _bound_columns(
    connection: AsyncConnection,
    table: Table,
    names: Sequence[str],
    rows: Sequence[Sequence[Any]],
    constants: Mapping[str, Any],
) -> list[Sequence[Any]]:
    """The values of each column (``names``, then ``constants``) as the driver receives them:
    through the column type's bind processor for the connection's dialect."""
    dialect = connection.dialect
    columns: list[Sequence[Any]] = []
    given = list(zip(*rows, strict=True))
    for position, name in enumerate([*names, *constants]):
        processor = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        values: Sequence[Any] = (
            given[position] if position < len(names) else [constants[name]] * len(rows)
        )
        columns.append(values if processor is None else _processed(values, processor))
    return columns


async def _insert_sqlite(
    connection: AsyncConnection,
    table: Table,
    names: Sequence[str],
    rows: Sequence[Sequence[Any]],
    constants: Mapping[str, Any],
) -> None:
    """Multi-row inserts of as many rows as SQLite's parameter limit allows."""
    columns = _bound_columns(connection, table, names, rows, constants)
    keys = [*names, *constants]
    width, count = len(keys), len(rows)
    quoted = ", ".join(f'"{key}"' for key in keys)
    head = f'INSERT INTO "{table.name}" ({quoted}) VALUES '
    one_row = f"({', '.join(['?'] * width)})"
    per_statement = max(1, SQLITE_MAX_PARAMETERS // width)
    for start in range(0, count, per_statement):
        size = min(per_statement, count - start)
        flat: list[Any] = [None] * (size * width)
        for position, values in enumerate(columns):
            flat[position::width] = values[start : start + size]
        await connection.exec_driver_sql(head + ", ".join([one_row] * size), tuple(flat))


async def _copy(
    connection: AsyncConnection,
    table: Table,
    names: Sequence[str],
    rows: Sequence[Sequence[Any]],
    constants: Mapping[str, Any],
) -> None:
    """``COPY`` through asyncpg, inside the session's transaction: a statement through the
    session first makes sure the transaction has begun (the driver begins it lazily), so a
    rollback undoes the copy too."""
    columns = _bound_columns(connection, table, names, rows, constants)
    await connection.exec_driver_sql("SELECT 1")
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection
    await driver.copy_records_to_table(
        table.name,
        records=list(zip(*columns, strict=True)),
        columns=[*names, *constants],
        schema_name=table.schema,
    )


def _processed(values: Sequence[Any], processor: Callable[[Any], Any]) -> list[Any]:
    """``processor`` applied to each value, once per distinct object (a column repeats the same
    few objects: ``True``, one timestamp, one audit details dict)."""
    distinct = dict(zip(map(id, values), values, strict=True))
    done = {key: processor(value) for key, value in distinct.items()}
    return list(map(done.__getitem__, map(id, values)))
