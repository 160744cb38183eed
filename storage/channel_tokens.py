"""API tokens of a channel account (Zalo OA) and the one refresh that may run at a time.

Zalo's refresh token is single use: every refresh returns a new one and the old one dies. If two
workers refreshed at once, the loser would store a dead refresh token and the OA would need to be
authorised again by hand. So a refresh runs inside a transaction that holds the channel's row:
``SELECT … FOR UPDATE`` on PostgreSQL, and on SQLite a write to the row first, which takes the
database's single writer lock. The second worker waits, then finds fresh tokens and does not
refresh. The new access and refresh tokens are stored in that same transaction.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.db import dialect_insert
from storage.models import ChannelToken


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str
    expires_at: datetime

    def __repr__(self) -> str:  # tokens never reach a log through a repr
        return f"Tokens(expires_at={self.expires_at.isoformat()})"


Refresh = Callable[[str], Awaitable[Tokens]]
"""Given the current refresh token, ask the provider for new tokens."""


async def load_tokens(session: AsyncSession, channel: str) -> Tokens | None:
    row = await session.get(ChannelToken, channel, populate_existing=True)
    return Tokens(row.access_token, row.refresh_token, row.expires_at) if row else None


async def store_tokens(session: AsyncSession, channel: str, tokens: Tokens, now: datetime) -> None:
    """Insert or replace the channel's tokens."""
    values = {
        "access_token": tokens.access_token,
        "refresh_token": tokens.refresh_token,
        "expires_at": tokens.expires_at,
        "updated_at": now,
    }
    statement = (
        dialect_insert(session)(ChannelToken)
        .values(channel=channel, **values)
        .on_conflict_do_update(index_elements=["channel"], set_=values)
    )
    await session.execute(statement)


async def _lock_row(session: AsyncSession, channel: str) -> Tokens | None:
    """The channel's tokens, with the row (PostgreSQL) or the database (SQLite) held for writing
    until the transaction ends."""
    if session.get_bind().dialect.name == "sqlite":
        await session.execute(
            update(ChannelToken)
            .where(ChannelToken.channel == channel)
            .values(updated_at=ChannelToken.updated_at)
        )
        return await load_tokens(session, channel)
    row = await session.scalar(
        select(ChannelToken).where(ChannelToken.channel == channel).with_for_update()
    )
    return Tokens(row.access_token, row.refresh_token, row.expires_at) if row else None


async def refresh_tokens(
    sessions: async_sessionmaker[AsyncSession],
    channel: str,
    refresh: Refresh,
    now: Callable[[], datetime],
    *,
    is_needed: Callable[[Tokens], bool],
) -> Tokens | None:
    """Refresh the channel's tokens unless, once the lock is held, ``is_needed`` says another
    worker already did; None when no tokens are stored. A failing ``refresh`` raises and leaves
    the stored tokens as they were."""
    async with sessions() as session, session.begin():
        current = await _lock_row(session, channel)
        if current is None:
            return None
        if not is_needed(current):
            return current
        fresh = await refresh(current.refresh_token)
        await store_tokens(session, channel, fresh, now())
        return fresh
