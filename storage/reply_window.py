"""The state of a chat's free-reply window, kept per identity; the window's rule is Zalo's
(:mod:`bot.handlers.zalo.window`).

Every inbound message sets ``Identity.last_inbound_at`` and clears ``replies_since_inbound``;
every message sent counts one.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from storage.models import Identity, User


def _identity(channel: str, external_id: str) -> ColumnElement[bool]:
    return and_(Identity.channel == channel, Identity.external_id == external_id)


async def record_inbound(
    session: AsyncSession, channel: str, external_id: str, at: datetime
) -> bool:
    """The person wrote at ``at``: the window opens again and the identity is no longer marked
    as blocking us. A redelivered older message changes nothing. False when the identity is
    unknown (a stranger) or the message was not newer."""
    result = await session.execute(
        update(Identity)
        .where(
            _identity(channel, external_id),
            or_(Identity.last_inbound_at.is_(None), Identity.last_inbound_at < at),
        )
        .values(last_inbound_at=at, replies_since_inbound=0, blocked_at=None)
        .returning(Identity.id)
    )
    return result.first() is not None


async def count_sent(session: AsyncSession, channel: str, external_id: str, count: int = 1) -> None:
    """``count`` messages went to the identity (replies in a conversation are always sent)."""
    await session.execute(
        update(Identity)
        .where(_identity(channel, external_id))
        .values(replies_since_inbound=Identity.replies_since_inbound + count)
    )


async def reserve_replies(
    session: AsyncSession,
    channel: str,
    external_id: str,
    opens_after: datetime,
    limit: int,
    count: int = 1,
) -> bool:
    """Take ``count`` messages of the open window (the person wrote after ``opens_after`` and
    at most ``limit`` messages may follow) in one statement, so two senders never overdraw it;
    False (and nothing taken) when the window is closed or too small."""
    result = await session.execute(
        update(Identity)
        .where(
            _identity(channel, external_id),
            Identity.blocked_at.is_(None),
            Identity.last_inbound_at > opens_after,
            Identity.replies_since_inbound + count <= limit,
        )
        .values(replies_since_inbound=Identity.replies_since_inbound + count)
        .returning(Identity.id)
    )
    return result.first() is not None


async def release_replies(
    session: AsyncSession, channel: str, external_id: str, count: int = 1
) -> None:
    """Give back messages reserved for a send that did not happen."""
    await session.execute(
        update(Identity)
        .where(_identity(channel, external_id), Identity.replies_since_inbound >= count)
        .values(replies_since_inbound=Identity.replies_since_inbound - count)
    )


async def set_blocked(
    session: AsyncSession, channel: str, external_id: str, at: datetime | None
) -> None:
    """The person stopped (``at``) or started again (None) following the account."""
    await session.execute(
        update(Identity).where(_identity(channel, external_id)).values(blocked_at=at)
    )


async def contact_of_identity(
    session: AsyncSession, channel: str, external_id: str
) -> tuple[str, str | None] | None:
    """The name and phone number of the user behind a chat identity (for a ZNS message or an
    SMS instead); None when there is no such user or it was revoked."""
    row = (
        await session.execute(
            select(User.name, User.phone)
            .join(Identity, Identity.user_id == User.id)
            .where(_identity(channel, external_id), User.revoked_at.is_(None))
        )
    ).first()
    return None if row is None else (row[0], row[1] or None)


async def exhaust_window(session: AsyncSession, channel: str, external_id: str, limit: int) -> None:
    """The channel says no free message is left: count the window's ``limit`` as used up until
    the person writes."""
    await session.execute(
        update(Identity).where(_identity(channel, external_id)).values(replies_since_inbound=limit)
    )
