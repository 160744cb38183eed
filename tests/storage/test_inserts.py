"""Rows written in bulk read back exactly like rows written through the ORM, with their ids in
the order given, inside the session's transaction."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.audit import Actor, AuditEntry, record_audit
from storage.inserts import (
    COPY_FROM,
    IMPORT_CACHE_KIB,
    insert_rows,
    insert_with_ids,
    larger_page_cache,
)
from storage.models import AuditLog, Base, User

Sessions = async_sessionmaker[AsyncSession]
AT = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
USERS = Base.metadata.tables["users"]


async def test_bulk_written_timestamps_match_an_equality_filter(sessions: Sessions) -> None:
    async with sessions() as session, session.begin():
        await record_audit(session, Actor("test"), [AuditEntry("x.y", "household", "1")], AT)
    async with sessions() as session:
        found = (await session.scalars(select(AuditLog.at).where(AuditLog.at == AT))).all()
    assert found == [AT]


def users(prefix: str, count: int) -> list[tuple[str, str, datetime]]:
    return [(f"{prefix} {n}", f"+849{prefix}{n:07d}", AT) for n in range(count)]


async def test_ids_continue_after_rows_inserted_without_ids(sessions: Sessions) -> None:
    """The ids returned belong to the rows given, in their order, also after other rows went
    into the same table in between; enough rows for PostgreSQL's COPY path too."""
    names = ("name", "phone", "created_at")
    async with sessions() as session, session.begin():
        first = await insert_with_ids(session, USERS, names, users("1", 3), key="phone")
        await insert_rows(session, USERS, names, users("2", 2))
        second = await insert_with_ids(session, USERS, names, users("3", COPY_FROM), key="phone")
    async with sessions() as session:
        by_phone = dict((await session.execute(select(User.phone, User.id))).all())
    assert first == [by_phone[phone] for _, phone, _ in users("1", 3)]
    assert second == [by_phone[phone] for _, phone, _ in users("3", COPY_FROM)]
    assert len(set(by_phone.values())) == 5 + COPY_FROM


async def test_a_failed_insert_is_raised_and_nothing_is_committed(sessions: Sessions) -> None:
    names = ("name", "phone", "created_at")

    async def write() -> None:
        async with sessions() as session, session.begin():
            await insert_rows(session, USERS, names, users("1", 3))
            await insert_rows(session, USERS, names, users("1", 1))  # the same phone again
            await insert_rows(session, USERS, names, users("2", 3))

    with pytest.raises(IntegrityError):
        await write()
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(User)) == 0


async def test_the_larger_page_cache_is_undone_after_the_block(sessions: Sessions) -> None:
    async with sessions() as session, session.begin():
        connection = await session.connection()
        if connection.dialect.name != "sqlite":
            pytest.skip("the page cache is SQLite's")
        before = await connection.scalar(text("PRAGMA cache_size"))
        async with larger_page_cache(session):
            inside = await connection.scalar(text("PRAGMA cache_size"))
        after = await connection.scalar(text("PRAGMA cache_size"))
    assert inside == -IMPORT_CACHE_KIB
    assert after == before != inside


async def test_many_rows_read_back_as_written(sessions: Sessions) -> None:
    """Enough rows for PostgreSQL's COPY: timestamps, JSON and NULLs come back unchanged."""
    entries = [
        AuditEntry("x.y", "household", str(n), {"n": n, "fields": ["a", "b"]})
        for n in range(COPY_FROM * 2)
    ]
    async with sessions() as session, session.begin():
        await record_audit(session, Actor("test"), entries, AT)
    async with sessions() as session:
        found = (
            await session.execute(
                select(AuditLog.entity_id, AuditLog.details, AuditLog.at, AuditLog.actor_user_id)
            )
        ).all()
    assert sorted((int(e), d, at, u) for e, d, at, u in found) == [
        (n, {"n": n, "fields": ["a", "b"]}, AT, None) for n in range(COPY_FROM * 2)
    ]


async def test_many_rows_as_a_transaction_first_write_are_rolled_back_with_it(
    sessions: Sessions,
) -> None:
    names = ("name", "phone", "created_at")

    async def write_then_fail() -> None:
        async with sessions() as session, session.begin():
            await insert_rows(session, USERS, names, users("1", COPY_FROM))
            raise RuntimeError("stop")

    with pytest.raises(RuntimeError):
        await write_then_fail()
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(User)) == 0


async def test_inserts_of_one_table_with_other_columns_each_write_their_own_columns(
    sessions: Sessions,
) -> None:
    """The compiled statement is kept per table and columns: a second insert naming fewer
    columns (or the same as constants) is not written with the first one's statement."""
    async with sessions() as session, session.begin():
        await insert_rows(session, USERS, ("name", "phone", "created_at"), users("1", 2))
        await insert_rows(session, USERS, ("name",), [("Không số",)], {"created_at": AT})
        await insert_rows(session, USERS, ("name", "phone", "created_at"), users("2", 1))
    async with sessions() as session:
        found = (await session.execute(select(User.name, User.phone, User.created_at))).all()
    assert sorted(found) == sorted(
        [(n, p, at) for n, p, at in users("1", 2) + users("2", 1)] + [("Không số", None, AT)]
    )
