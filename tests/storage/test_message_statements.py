"""The engine's per-message statements (conversations, processed updates, the flood counter,
the sender) read and write inside the session's transaction, on SQLite and PostgreSQL alike,
and go through SQLAlchemy's execution, where its events (and the fault suite) see them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.access import lookup_identity
from storage.conversations import (
    Conversation,
    delete_conversation,
    load_conversation,
    mark_processed,
    save_conversation,
)
from storage.models import ConversationState, Identity, ProcessedUpdate, User
from storage.rates import count_message

Sessions = async_sessionmaker[AsyncSession]


def conversation(now: datetime, **changes: Any) -> Conversation:
    values: dict[str, Any] = {
        "channel": "telegram",
        "external_id": "10001",
        "user_id": None,
        "flow": "household_check",
        "started_at": now,
        "updated_at": now + timedelta(minutes=2),
        "expires_at": now + timedelta(days=3),
        "step": "thu_nhap",
        "answers": {"ho": {"ho": {"code": "TL00001", "head_name": "Nguyễn Thị Hoà"}}, "n": 3},
        "history": ["ho"],
        "paused": True,
    }
    return Conversation(**{**values, **changes})


@contextmanager
def statements_executed(engine: AsyncEngine) -> Iterator[list[str]]:
    """The statements SQLAlchemy's ``before_cursor_execute`` event saw inside the block."""
    seen: list[str] = []

    def record(_connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


async def test_a_saved_conversation_reads_back_equal_by_statement_and_by_orm(
    sessions: Sessions, now: datetime
) -> None:
    saved = conversation(now)
    async with sessions() as session, session.begin():
        await save_conversation(session, saved)
    async with sessions() as session:
        loaded = await load_conversation(session, "telegram", "10001")
        row = await session.scalar(select(ConversationState))

    assert loaded == saved
    assert row is not None
    assert (row.answers, row.history, row.paused) == (saved.answers, saved.history, True)
    assert (row.started_at, row.expires_at) == (saved.started_at, saved.expires_at)
    assert row.updated_at.utcoffset() == timedelta(0)


async def test_saving_again_replaces_the_conversation_and_deleting_removes_it(
    sessions: Sessions, now: datetime
) -> None:
    async with sessions() as session, session.begin():
        await save_conversation(session, conversation(now))
        await save_conversation(session, conversation(now, step=None, paused=False, history=[]))
    async with sessions() as session:
        replaced = await load_conversation(session, "telegram", "10001")
    async with sessions() as session, session.begin():
        await delete_conversation(session, "telegram", "10001")
    async with sessions() as session:
        gone = await load_conversation(session, "telegram", "10001")
        count = len((await session.scalars(select(ConversationState))).all())

    assert replaced == conversation(now, step=None, paused=False, history=[])
    assert (gone, count) == (None, 0)


async def test_an_update_is_recorded_once_and_a_rollback_forgets_it(
    sessions: Sessions, now: datetime
) -> None:
    async def record_then_fail() -> None:
        async with sessions() as session, session.begin():
            assert await mark_processed(session, "telegram", "7", now)
            raise RuntimeError("the message failed after its update was recorded")

    with pytest.raises(RuntimeError):
        await record_then_fail()
    async with sessions() as session, session.begin():
        first = await mark_processed(session, "telegram", "7", now)
    async with sessions() as session, session.begin():
        again = await mark_processed(session, "telegram", "7", now)
        other_channel = await mark_processed(session, "zalo", "7", now)
    async with sessions() as session:
        rows = (await session.scalars(select(ProcessedUpdate.channel))).all()

    assert (first, again, other_channel) == (True, False, True)
    assert sorted(rows) == ["telegram", "zalo"]


async def test_one_session_over_two_transactions_writes_each_on_its_own_connection(
    sessions: Sessions, now: datetime
) -> None:
    async def record_then_fail(session: AsyncSession) -> None:
        async with session.begin():
            await mark_processed(session, "telegram", "2", now)
            raise RuntimeError("undo the second transaction only")

    async with sessions() as session:
        async with session.begin():
            await mark_processed(session, "telegram", "1", now)
        with pytest.raises(RuntimeError):
            await record_then_fail(session)
        async with session.begin():
            await mark_processed(session, "telegram", "3", now)
    async with sessions() as session:
        rows = (await session.scalars(select(ProcessedUpdate.update_id))).all()

    assert sorted(rows) == ["1", "3"]


async def test_a_savepoint_rolled_back_undoes_the_statements_inside_it(
    sessions: Sessions, now: datetime
) -> None:
    async def delete_then_fail(session: AsyncSession) -> None:
        async with session.begin_nested():
            await delete_conversation(session, "telegram", "10001")
            raise RuntimeError("the flow failed")

    async with sessions() as session, session.begin():
        await save_conversation(session, conversation(now))
        with pytest.raises(RuntimeError):
            await delete_then_fail(session)
        kept = await load_conversation(session, "telegram", "10001")

    assert kept == conversation(now)


async def test_the_flood_counter_counts_per_window_and_starts_again_in_the_next(
    sessions: Sessions, now: datetime
) -> None:
    minute = timedelta(minutes=1)
    async with sessions() as session, session.begin():
        counts = [await count_message(session, "sms", "0912345678", now, minute) for _ in range(3)]
        later = await count_message(session, "sms", "0912345678", now + minute, minute)

    assert (counts, later) == ([1, 2, 3], 1)


async def test_the_identity_lookup_sees_orm_changes_not_yet_flushed(
    sessions: Sessions, now: datetime
) -> None:
    async with sessions() as session, session.begin():
        user = User(name="Lê Văn Bình", created_at=now)
        session.add(user)
        await session.flush()
        session.add(
            Identity(user_id=user.id, channel="telegram", external_id="555", created_at=now)
        )
        found = await lookup_identity(session, "telegram", "555")

    assert found.access is not None
    assert (found.access.user_id, found.access.name) == (user.id, "Lê Văn Bình")


async def test_a_broken_constraint_is_sqlalchemys_integrity_error_and_rolls_back(
    sessions: Sessions, now: datetime
) -> None:
    async def save_for_a_missing_user() -> None:
        async with sessions() as session, session.begin():
            await mark_processed(session, "telegram", "8", now)
            await save_conversation(session, conversation(now, user_id=404))

    with pytest.raises(IntegrityError):
        await save_for_a_missing_user()
    async with sessions() as session:
        rows = (await session.scalars(select(ProcessedUpdate))).all()

    assert rows == []


async def test_every_per_message_statement_is_seen_by_sqlalchemy_events(
    sessions: Sessions, engine: AsyncEngine, now: datetime
) -> None:
    with statements_executed(engine) as executed:
        async with sessions() as session, session.begin():
            await mark_processed(session, "telegram", "9", now)
            await count_message(session, "telegram", "10001", now, timedelta(minutes=1))
            await lookup_identity(session, "telegram", "10001")
            await load_conversation(session, "telegram", "10001")
            await save_conversation(session, conversation(now))
            await delete_conversation(session, "telegram", "10001")

    kinds = [statement.split()[0] for statement in executed]
    assert kinds == ["INSERT", "INSERT", "SELECT", "SELECT", "INSERT", "DELETE"]
