"""Engine and session set-up for SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session

MIGRATIONS = Path(__file__).parent / "migrations"
# Partial, dialect-specific indexes that migration 0002 creates for the appendix reports; they are
# not declared on the models, so comparing models with the database must skip them.
MIGRATION_ONLY_INDEXES = ("ix_official_records_poor_", "ix_households_assessed_")
# Connections kept open to PostgreSQL. SQLAlchemy's default (5) is below the number of chats a
# bot serves at once, and every connection over the pool's size is closed when it comes back,
# so a busy bot kept opening new ones (a new server process each, several milliseconds).
POSTGRES_POOL_SIZE = 20
POSTGRES_MAX_OVERFLOW = 10


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Alembic filter: everything but the migration-only indexes."""
    return not (type_ == "index" and reflected and (name or "").startswith(MIGRATION_ONLY_INDEXES))


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def create_engine(url: str, *, search_path: str | None = None, echo: bool = False) -> AsyncEngine:
    """An async engine (SQLAlchemy's own ``aiosqlite`` or ``asyncpg`` dialect); SQLite gets WAL,
    foreign keys and a busy timeout on every connection through the ``connect`` event.

    ``search_path`` puts a PostgreSQL connection in one schema (the tests use it to stay apart).
    """
    options: dict[str, Any] = {}
    if not is_sqlite(url):
        options.update(pool_size=POSTGRES_POOL_SIZE, max_overflow=POSTGRES_MAX_OVERFLOW)
    if is_sqlite(url):
        options["pool_reset_on_return"] = None  # _sqlite_reset does it, see there
    if search_path and not is_sqlite(url):
        options["connect_args"] = {"server_settings": {"search_path": search_path}}
    engine = create_async_engine(url, echo=echo, **options)
    if is_sqlite(url):
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "savepoint", _sqlite_begin_before_savepoint)
        event.listen(engine.sync_engine.pool, "reset", _sqlite_reset)
    return engine


def _sqlite_reset(dbapi_connection: Any, record: Any, state: Any) -> None:
    """The pool's reset of a connection that comes back: a rollback, skipped when SQLite has no
    transaction open (a message's session has committed by then). Each rollback is a call to
    aiosqlite's thread, one of about twenty a message makes."""
    driver = record.driver_connection
    if driver is None or driver.in_transaction:
        dbapi_connection.rollback()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _sqlite_begin_before_savepoint(connection: Connection, _name: str | None) -> None:
    """Open the outer transaction before a SAVEPOINT if nothing has opened it yet.

    The sqlite3 driver begins a transaction only before INSERT, UPDATE or DELETE. A SAVEPOINT
    that comes first (a flow's finish after a message of only reads) opens a transaction of its
    own, and releasing it commits everything: a failure later in the same message could then
    no longer undo the flow's writes.
    """
    driver = connection.connection.driver_connection
    if driver is not None and not driver.in_transaction:
        connection.exec_driver_sql("BEGIN")


def dialect_insert(session: AsyncSession) -> Any:
    """The INSERT of the session's database, which knows ``ON CONFLICT`` (an upsert or a
    duplicate skipped in one statement on both SQLite and PostgreSQL)."""
    return insert_for(dialect_name(session))


def dialect_name(session: AsyncSession | Session) -> str:
    return session.get_bind().dialect.name


def insert_for(dialect: str) -> Any:
    """:func:`dialect_insert` by the dialect's name (for statements built once per dialect)."""
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Create or upgrade the schema to ``revision`` with the Alembic migrations."""

    def run(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    if engine.dialect.name != "sqlite":
        async with engine.begin() as connection:
            await connection.run_sync(run)
        return
    if revision == "head" and await is_up_to_date(engine):
        return  # nothing to migrate: spare a large database the foreign key check below
    # SQLite rebuilds a table to change its constraints (Alembic's batch mode), and dropping
    # the old table of a unit tree that other rows refer to fails while foreign keys are on.
    # The SQLite manual's procedure for such a change: foreign keys off outside the
    # transaction, the change, a foreign_key_check before the commit, foreign keys on again.
    async with engine.connect() as connection:
        await connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        await connection.commit()
        try:
            async with connection.begin():
                await connection.run_sync(run)
                broken = (await connection.exec_driver_sql("PRAGMA foreign_key_check")).all()
                if broken:
                    raise RuntimeError(f"foreign keys broken by the migration: {broken[:5]}")
        finally:
            await connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            await connection.commit()


async def current_revision(engine: AsyncEngine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    def read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with engine.connect() as connection:
        return await connection.run_sync(read)


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def is_up_to_date(engine: AsyncEngine) -> bool:
    """Whether the schema is at the newest migration (commands refuse to run on an old one)."""
    return await current_revision(engine) == head_revision()


T = TypeVar("T")
IN_CHUNK = 1000
"""How many values one ``IN (…)`` list carries (SQLite's and PostgreSQL's limits are far above)."""


def chunks(items: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    """``items`` in consecutive slices of at most ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
