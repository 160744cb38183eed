"""Zalo's free-reply window, kept per identity (reference/channels.md §2.5).

After a person writes to the OA, the OA may send them up to 8 messages within 48 hours for free;
the count starts again whenever they write. Every inbound message sets
``Identity.last_inbound_at`` and clears ``replies_since_inbound``; every message sent counts one.
A reminder goes by Zalo only while the window is open and otherwise by SMS at the user's phone.
Both numbers are settings (:class:`ReplyWindow`), since Zalo may change them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from storage.models import Identity, User


@dataclass(frozen=True)
class ReplyWindow:
    length: timedelta = timedelta(hours=48)
    messages: int = 8

    def is_open(self, last_inbound_at: datetime | None, replies: int, now: datetime) -> bool:
        return (
            last_inbound_at is not None
            and now - last_inbound_at < self.length
            and replies < self.messages
        )

    def opens_after(self, now: datetime) -> datetime:
        """Inbound messages later than this keep the window open at ``now``."""
        return now - self.length


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
    now: datetime,
    window: ReplyWindow,
    count: int = 1,
) -> bool:
    """Take ``count`` messages of the open window in one statement, so two senders never
    overdraw it; False (and nothing taken) when the window is closed or too small."""
    result = await session.execute(
        update(Identity)
        .where(
            _identity(channel, external_id),
            Identity.blocked_at.is_(None),
            Identity.last_inbound_at > window.opens_after(now),
            Identity.replies_since_inbound + count <= window.messages,
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


async def phone_of_identity(session: AsyncSession, channel: str, external_id: str) -> str | None:
    """The phone number of the user behind a chat identity, for an SMS instead; None when the
    user has none or was revoked."""
    phone: str | None = await session.scalar(
        select(User.phone)
        .join(Identity, Identity.user_id == User.id)
        .where(_identity(channel, external_id), User.revoked_at.is_(None))
    )
    return phone or None


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


async def exhaust_window(
    session: AsyncSession, channel: str, external_id: str, window: ReplyWindow
) -> None:
    """Zalo says no free message is left: count the window as used up until the person writes."""
    await session.execute(
        update(Identity)
        .where(_identity(channel, external_id))
        .values(replies_since_inbound=window.messages)
    )
