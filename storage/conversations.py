"""Conversation state and processed updates: the engine's memory between messages.

A conversation is keyed by the channel identity, so the same person on Telegram and SMS holds
two independent conversations. Loading takes a row lock on PostgreSQL (``FOR UPDATE``), so two
messages of one person handled by two workers at once are answered one after the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import dialect_insert
from storage.models import ConversationState, ProcessedUpdate


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


async def load_conversation(
    session: AsyncSession, channel: str, external_id: str
) -> Conversation | None:
    """The conversation of this identity, locked for the rest of the transaction."""
    row = await session.scalar(
        select(ConversationState)
        .where(ConversationState.channel == channel, ConversationState.external_id == external_id)
        .with_for_update()
    )
    if row is None:
        return None
    return Conversation(
        channel=row.channel,
        external_id=row.external_id,
        user_id=row.user_id,
        flow=row.flow,
        started_at=row.started_at,
        updated_at=row.updated_at,
        expires_at=row.expires_at,
        step=row.step,
        answers=dict(row.answers),
        history=list(row.history),
        paused=row.paused,
    )


async def save_conversation(session: AsyncSession, conversation: Conversation) -> None:
    """Insert or replace the conversation of its identity."""
    values = {
        "channel": conversation.channel,
        "external_id": conversation.external_id,
        "user_id": conversation.user_id,
        "flow": conversation.flow,
        "step": conversation.step,
        "answers": conversation.answers,
        "history": conversation.history,
        "paused": conversation.paused,
        "started_at": conversation.started_at,
        "updated_at": conversation.updated_at,
        "expires_at": conversation.expires_at,
    }
    statement = dialect_insert(session)(ConversationState).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=["channel", "external_id"],
        set_={k: v for k, v in values.items() if k not in ("channel", "external_id")},
    )
    await session.execute(statement)


async def delete_conversation(session: AsyncSession, channel: str, external_id: str) -> None:
    await session.execute(
        delete(ConversationState).where(
            ConversationState.channel == channel, ConversationState.external_id == external_id
        )
    )


async def delete_expired_conversations(session: AsyncSession, now: datetime) -> int:
    """Remove conversations whose time ran out (a clean-up job may call this)."""
    result = await session.execute(
        delete(ConversationState).where(ConversationState.expires_at <= now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def mark_processed(
    session: AsyncSession, channel: str, update_id: str, now: datetime
) -> bool:
    """Record the update; False when it was already processed (a redelivery)."""
    statement = (
        dialect_insert(session)(ProcessedUpdate)
        .values(channel=channel, update_id=update_id, processed_at=now)
        .on_conflict_do_nothing(index_elements=["channel", "update_id"])
    )
    result = await session.execute(statement)
    return bool(getattr(result, "rowcount", 0))
