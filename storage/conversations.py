"""Conversation state and processed updates: the engine's memory between messages.

A conversation is keyed by the channel identity, so the same person on Telegram and SMS holds
two independent conversations. Loading takes a row lock on PostgreSQL (``FOR UPDATE``), so two
messages of one person handled by two workers at once are answered one after the other.

Each statement has a form for the synchronous session (``…_in``), so the opening of a message
(:mod:`storage.opening`) runs several of them in one ``AsyncSession.run_sync`` call, and the
usual form for the async session.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import CursorResult, Delete, Insert, Select, Table, bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from storage.db import dialect_name, insert_for
from storage.models import ConversationState, ProcessedUpdate

# The engine runs these statements on every message, so each is built once (per database
# dialect) with bound parameters: SQLAlchemy then finds its compiled form without rebuilding
# and hashing the statement every time. Core statements on the tables: no ORM objects loaded.
_STATES = cast(Table, ConversationState.__table__)
PROCESSED = cast(Table, ProcessedUpdate.__table__)
_KEY = ("channel", "external_id")
_STATE_COLUMNS = (
    "channel", "external_id", "user_id", "flow", "step", "answers", "history", "paused",
    "suspended", "started_at", "updated_at", "expires_at",
)  # fmt: skip
CONVERSATION_COLUMNS = tuple(_STATES.c[name] for name in _STATE_COLUMNS)
"""What a conversation is read from (:func:`conversation_from_row`)."""
_IDENTITY = (_STATES.c.channel == bindparam("channel")) & (
    _STATES.c.external_id == bindparam("external_id")
)
_LOAD: Select[Any] = select(*CONVERSATION_COLUMNS).where(_IDENTITY).with_for_update()
_DELETE: Delete = delete(_STATES).where(_IDENTITY)


@cache
def _save_statement(dialect: str) -> Insert:
    insert = insert_for(dialect)(_STATES).values(
        {name: bindparam(name, type_=_STATES.c[name].type) for name in _STATE_COLUMNS}
    )
    changed = {name: insert.excluded[name] for name in _STATE_COLUMNS if name not in _KEY}
    return cast(Insert, insert.on_conflict_do_update(index_elements=list(_KEY), set_=changed))


@cache
def _mark_statement(dialect: str) -> Insert:
    insert = insert_for(dialect)(PROCESSED)
    return cast(Insert, insert.on_conflict_do_nothing(index_elements=["channel", "update_id"]))


@dataclass
class Conversation:
    """One person's place in one flow. Mutable: the engine edits it, then saves it."""

    channel: str
    external_id: str
    user_id: int | None
    flow: str
    started_at: datetime
    updated_at: datetime
    expires_at: datetime
    step: str | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    history: list[str] = field(default_factory=list)
    paused: bool = False
    suspended: list[dict[str, Any]] = field(default_factory=list)
    """Conversations this one interrupted, oldest first, as JSON-ready dicts."""


async def load_conversation(
    session: AsyncSession, channel: str, external_id: str
) -> Conversation | None:
    """The conversation of this identity, locked for the rest of the transaction."""
    return await session.run_sync(load_conversation_in, channel, external_id)


def load_conversation_in(session: Session, channel: str, external_id: str) -> Conversation | None:
    """:func:`load_conversation` in a synchronous session."""
    found = session.execute(_LOAD, {"channel": channel, "external_id": external_id}).first()
    return None if found is None else conversation_from_row(found)


def conversation_from_row(found: Sequence[Any]) -> Conversation:
    """The conversation of a row of :data:`CONVERSATION_COLUMNS`, in that order."""
    row = dict(zip(_STATE_COLUMNS, found, strict=True))
    answers, history = dict(row.pop("answers")), list(row.pop("history"))
    suspended = list(row.pop("suspended") or ())
    return Conversation(**row, answers=answers, history=history, suspended=suspended)


async def save_conversation(session: AsyncSession, conversation: Conversation) -> None:
    """Insert or replace the conversation of its identity."""
    values = {name: getattr(conversation, name) for name in _STATE_COLUMNS}
    await session.execute(_save_statement(dialect_name(session)), values)


async def delete_conversation(session: AsyncSession, channel: str, external_id: str) -> None:
    await session.execute(_DELETE, {"channel": channel, "external_id": external_id})


async def mark_processed(
    session: AsyncSession, channel: str, update_id: str, now: datetime
) -> bool:
    """Record the update; False when it was already processed (a redelivery)."""
    return await session.run_sync(mark_processed_in, channel, update_id, now)


def mark_processed_in(session: Session, channel: str, update_id: str, now: datetime) -> bool:
    """:func:`mark_processed` in a synchronous session."""
    result = session.execute(
        _mark_statement(dialect_name(session)),
        {"channel": channel, "update_id": update_id, "processed_at": now},
    )
    return cast(CursorResult[Any], result).rowcount > 0
