"""Rows that are kept only for a while, removed by the scheduler's tick so that a province's
database does not grow with every message for years.

- ``processed_updates``: one row per webhook update, there only to answer a redelivery once.
  Telegram keeps an undelivered update for 24 hours and SMS gateways retry for hours, so a
  week is ample.
- ``conversation_states`` that ran out: the engine still reads an expired conversation once,
  to tell its owner that the unfinished work was dropped, so it is removed only a month later.

``message_rates`` keeps one row per sender (its window rolls in place) and ``webhook_signatures``
and ``kept_pages`` prune their own expired rows when they write, so none of them needs this.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ConversationState, ProcessedUpdate

PROCESSED_UPDATES_KEPT = timedelta(days=7)
EXPIRED_CONVERSATIONS_KEPT = timedelta(days=30)


@dataclass(frozen=True)
class Pruned:
    """How many rows of each kind were removed."""

    processed_updates: int = 0
    conversations: int = 0


async def prune_old_rows(session: AsyncSession, now: datetime) -> Pruned:
    """Remove the update records older than :data:`PROCESSED_UPDATES_KEPT` and the
    conversations expired for longer than :data:`EXPIRED_CONVERSATIONS_KEPT` (both by an
    indexed column), in the caller's transaction."""
    updates = await session.execute(
        delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < now - PROCESSED_UPDATES_KEPT)
    )
    conversations = await session.execute(
        delete(ConversationState).where(
            ConversationState.expires_at < now - EXPIRED_CONVERSATIONS_KEPT
        )
    )
    return Pruned(_count(updates), _count(conversations))


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
