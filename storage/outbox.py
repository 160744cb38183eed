"""The outbox: every message to a person is a row here before any channel sees it.

Planning writes rows with a deterministic ``idempotency_key`` (UNIQUE), so planning the same
reminder twice inserts nothing. Dispatchers claim due rows by moving them to ``sending`` with a
lease (``claimed_until``) in one ``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)``
statement: on PostgreSQL several workers take disjoint rows without waiting on each other; on
SQLite the statement runs under the database's single writer lock. A worker that dies leaves its
lease to expire and the row is claimed again; a finished send is recorded only by the worker that
still holds the claim.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from storage.db import dialect_insert
from storage.models import Identity, OutboxMessage

ERROR_LENGTH = 200


@dataclass(frozen=True)
class NewMessage:
    """A message to queue. ``quiet`` messages (reminders) wait out the quiet hours."""

    key: str
    channel: str
    external_id: str
    text: str
    user_id: int | None = None
    choices: tuple[str, ...] = ()
    quiet: bool = True
    not_before: datetime | None = None


@dataclass(frozen=True)
class ClaimedMessage:
    """A row this worker holds until ``claimed_until``; ``attempts`` counts this one."""

    id: int
    key: str
    channel: str
    external_id: str
    text: str
    choices: tuple[str, ...] = field(default_factory=tuple)
    attempts: int = 1


async def enqueue(
    session: AsyncSession,
    messages: Sequence[NewMessage],
    now: datetime,
    *,
    withheld: str | None = None,
) -> int:
    """Queue ``messages``; keys already in the outbox are skipped. Returns how many were new.
    With ``withheld`` (the reason) they are recorded as ``failed`` and never sent: what a
    limit kept back stays visible with the rest of the outbox."""
    if not messages:
        return 0
    rows = [
        {
            "idempotency_key": m.key,
            "user_id": m.user_id,
            "channel": m.channel,
            "external_id": m.external_id,
            "text": m.text,
            "choices": list(m.choices),
            "quiet": m.quiet,
            "state": "pending" if withheld is None else "failed",
            "attempts": 0,
            "next_try_at": m.not_before or now,
            "created_at": now,
            "last_error": None if withheld is None else withheld[:ERROR_LENGTH],
        }
        for m in messages
    ]
    insert = dialect_insert(session)
    inserted = 0
    for start in range(0, len(rows), 1000):
        statement = (
            insert(OutboxMessage)
            .values(rows[start : start + 1000])
            .on_conflict_do_nothing(index_elements=["idempotency_key"])
            .returning(OutboxMessage.id)
        )
        inserted += len((await session.execute(statement)).all())
    return inserted


async def claim(
    session: AsyncSession,
    worker: str,
    now: datetime,
    *,
    lease: timedelta,
    limit: int,
    quiet_hours: bool = False,
    channels: Sequence[str] | None = None,
) -> list[ClaimedMessage]:
    """Take up to ``limit`` due rows for ``worker``: pending ones whose time has come, and
    ``sending`` ones whose lease ran out (their worker died). During quiet hours only messages
    that are not reminders are taken; with ``channels``, only rows for those channels (a worker
    never takes a message it has no way to send)."""
    due = or_(
        and_(OutboxMessage.state == "pending", OutboxMessage.next_try_at <= now),
        and_(OutboxMessage.state == "sending", OutboxMessage.claimed_until < now),
    )
    if quiet_hours:
        due = and_(due, OutboxMessage.quiet.is_(False))
    if channels is not None:
        due = and_(due, OutboxMessage.channel.in_(channels))
    chosen = (
        select(OutboxMessage.id)
        .where(due)
        .order_by(OutboxMessage.next_try_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    statement = (
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(chosen))
        .values(
            state="sending",
            claimed_by=worker,
            claimed_until=now + lease,
            attempts=OutboxMessage.attempts + 1,
        )
        .returning(
            OutboxMessage.id,
            OutboxMessage.idempotency_key,
            OutboxMessage.channel,
            OutboxMessage.external_id,
            OutboxMessage.text,
            OutboxMessage.choices,
            OutboxMessage.attempts,
        )
    )
    rows = (await session.execute(statement)).all()
    claimed = [
        ClaimedMessage(row[0], row[1], row[2], row[3], row[4], tuple(row[5]), row[6])
        for row in rows
    ]
    return sorted(claimed, key=lambda m: m.id)


def _held(message_id: int, worker: str) -> ColumnElement[bool]:
    """The row is still this worker's claim."""
    return and_(
        OutboxMessage.id == message_id,
        OutboxMessage.claimed_by == worker,
        OutboxMessage.state == "sending",
    )


async def mark_sent(
    session: AsyncSession,
    message_id: int,
    worker: str,
    now: datetime,
    *,
    via: str | None = None,
    cost: str | None = None,
) -> bool:
    """Record the send, with the channel it went out on and its cost class; False when the
    claim was lost (the lease ran out and another took it)."""
    result = await session.execute(
        update(OutboxMessage)
        .where(_held(message_id, worker))
        .values(state="sent", sent_at=now, claimed_until=None, sent_via=via, cost_class=cost)
        .returning(OutboxMessage.id)
    )
    return result.first() is not None


@dataclass(frozen=True)
class DeliveryCount:
    """Messages sent since a time, by the channel they went out on and their cost class."""

    via: str
    cost: str
    count: int


async def delivery_counts(session: AsyncSession, since: datetime) -> list[DeliveryCount]:
    """What was sent since ``since``, grouped by channel and cost class (the paid ones show
    what reminders cost)."""
    via = func.coalesce(OutboxMessage.sent_via, OutboxMessage.channel)
    cost = func.coalesce(OutboxMessage.cost_class, "")
    rows = await session.execute(
        select(via, cost, func.count())
        .where(OutboxMessage.state == "sent", OutboxMessage.sent_at >= since)
        .group_by(via, cost)
        .order_by(via, cost)
    )
    return [DeliveryCount(str(v), str(c), int(n)) for v, c, n in rows]


async def mark_retry(
    session: AsyncSession, message_id: int, worker: str, at: datetime, error: str
) -> bool:
    """Put the row back to be tried again at ``at``."""
    result = await session.execute(
        update(OutboxMessage)
        .where(_held(message_id, worker))
        .values(
            state="pending",
            next_try_at=at,
            claimed_until=None,
            claimed_by=None,
            last_error=error[:ERROR_LENGTH],
        )
        .returning(OutboxMessage.id)
    )
    return result.first() is not None


async def mark_failed(
    session: AsyncSession, message_id: int, worker: str, error: str, *, blocked: bool, now: datetime
) -> bool:
    """Give up on the row; ``blocked`` also marks the recipient's identity as blocking the bot,
    so nothing more is planned for it until they write again."""
    result = await session.execute(
        update(OutboxMessage)
        .where(_held(message_id, worker))
        .values(
            state="blocked" if blocked else "failed",
            claimed_until=None,
            last_error=error[:ERROR_LENGTH],
        )
        .returning(OutboxMessage.channel, OutboxMessage.external_id)
    )
    row = result.first()
    if row is None:
        return False
    if blocked:
        await session.execute(
            update(Identity)
            .where(
                Identity.channel == row[0],
                Identity.external_id == row[1],
                Identity.blocked_at.is_(None),
            )
            .values(blocked_at=now)
        )
    return True


async def count_by_state(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(
        select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
    )
    return {state: count for state, count in rows}


@dataclass(frozen=True)
class Waiting:
    """The queue as an operator watches it: how many rows are not sent yet, and since when the
    oldest one that is due has waited (``None`` when none is due)."""

    unsent: int
    oldest_due: datetime | None


async def waiting(session: AsyncSession, now: datetime) -> Waiting:
    """Two aggregates over the unsent rows only (the ``state, next_try_at`` index)."""
    unsent = OutboxMessage.state.in_(("pending", "sending"))
    count = await session.scalar(select(func.count()).where(unsent))
    oldest = await session.scalar(
        select(func.min(OutboxMessage.next_try_at)).where(unsent, OutboxMessage.next_try_at <= now)
    )
    return Waiting(int(count or 0), oldest)
