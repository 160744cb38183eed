"""What every inbound message does first: record its update, count it against the flood limit,
find who sent it, and lock their conversation.

On PostgreSQL the first three are one statement (common table expressions): the server sits
across a round trip, which costs more than the statements themselves, so a message makes five
round trips (BEGIN, this, the conversation, saving it, COMMIT) instead of seven. A redelivered
update is not counted. The conversation is read by a statement of its own, after the counter's
row lock is held: two messages of one person then take their locks in the same order, and the
second reads the conversation as the first left it (a statement sees what was committed before
it began, and this one may have waited for the first message's commit). On SQLite, with no
round trips and one writer at a time, they are three statements in a row (the update record,
the counter, then the sender and their conversation in one ``SELECT``: each statement costs
several calls to aiosqlite's thread), and a redelivered update stops after the first.

Either way the statements run in one ``AsyncSession.run_sync`` call: the synchronous session
executes them one after the other, instead of one switch into and out of the async session per
statement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Boolean,
    Select,
    String,
    and_,
    bindparam,
    exists,
    func,
    literal,
    literal_column,
    select,
    true,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from storage.access import (
    GRANTS,
    IDENTITIES,
    IdentityLookup,
    grants_query,
    lookup_from_rows_in,
)
from storage.conversations import (
    CONVERSATION_COLUMNS,
    PROCESSED,
    Conversation,
    conversation_from_row,
    load_conversation_in,
    mark_processed_in,
)
from storage.db import dialect_name
from storage.rates import RATES, count_message_in, counting_upsert, window_start
from storage.types import UTCDateTime


@dataclass(frozen=True)
class Opening:
    """``is_new``: the update was not handled before (always, without an update id); a
    redelivery should be answered with nothing. ``count``: the identity's messages in the flood
    window, this one included (None when not counted). ``sender`` and ``conversation`` are read
    only for a new update; the conversation is locked for the rest of the transaction."""

    is_new: bool
    count: int | None
    sender: IdentityLookup
    conversation: Conversation | None


REDELIVERED = Opening(False, None, IdentityLookup(None), None)


async def open_message(
    session: AsyncSession,
    channel: str,
    external_id: str,
    update_id: str | None,
    now: datetime,
    window: timedelta | None,
) -> Opening:
    """Record ``update_id`` (when given), count the message in ``window`` (when given), and read
    the sender and their conversation, in the session's transaction."""
    return await session.run_sync(_open, channel, external_id, update_id, now, window)


def _open(
    session: Session,
    channel: str,
    external_id: str,
    update_id: str | None,
    now: datetime,
    window: timedelta | None,
) -> Opening:
    if dialect_name(session) == "postgresql":
        return _open_on_postgresql(session, channel, external_id, update_id, now, window)
    if update_id is not None and not mark_processed_in(session, channel, update_id, now):
        return REDELIVERED
    count = None
    if window is not None:
        count = count_message_in(session, channel, external_id, now, window)
    rows = session.execute(
        _SENDER_AND_CONVERSATION, {"channel": channel, "external_id": external_id}
    ).all()
    return Opening(
        True,
        count,
        lookup_from_rows_in(session, channel, external_id, _sender_rows(rows)),
        conversation_from_row(rows[0][_SENDER_WIDTH:]) if rows[0][_SENDER_WIDTH] else None,
    )


def _sender_rows(rows: Sequence[Any]) -> list[Any]:
    return [row[:_SENDER_WIDTH] for row in rows if row[0] is not None]


def _open_on_postgresql(
    session: Session,
    channel: str,
    external_id: str,
    update_id: str | None,
    now: datetime,
    window: timedelta | None,
) -> Opening:
    parameters = {
        "channel": channel,
        "external_id": external_id,
        "update_id": update_id,
        "now": now,
        "window_start": window_start(now, window) if window is not None else now,
        "counting": window is not None,
    }
    rows = session.execute(_OPENING, parameters).all()
    fresh, count = rows[0][:2]
    if update_id is not None and not fresh:
        return REDELIVERED
    senders = [row[2:] for row in rows if row[2] is not None]
    return Opening(
        True,
        count,
        lookup_from_rows_in(session, channel, external_id, senders),
        load_conversation_in(session, channel, external_id),
    )


def _opening_statement() -> Select[Any]:
    """One row per grant of the sender (one row when they have none or are unknown): whether
    the update was new, the count, then the grant row of :func:`storage.access.grants_query`."""
    channel = bindparam("channel", type_=String())
    external_id = bindparam("external_id", type_=String())
    update_id = bindparam("update_id", type_=String())
    now = bindparam("now", type_=UTCDateTime())
    start = bindparam("window_start", type_=UTCDateTime())
    counting = bindparam("counting", type_=Boolean())
    marked = (
        postgresql.insert(PROCESSED)
        .from_select(
            ["channel", "update_id", "processed_at"],
            select(channel, update_id, now).where(update_id.is_not(None)),
        )
        .on_conflict_do_nothing(index_elements=["channel", "update_id"])
        .returning(PROCESSED.c.id)
        .cte("marked")
    )
    fresh_message = update_id.is_(None) | exists(select(marked.c.id))
    count = counting_upsert(
        postgresql.insert(RATES).from_select(
            ["channel", "external_id", "window_start", "count"],
            select(channel, external_id, start, literal(1)).where(counting, fresh_message),
        )
    ).cte("counted")
    of_identity = and_(IDENTITIES.c.channel == channel, IDENTITIES.c.external_id == external_id)
    sender = (
        grants_query(of_identity, via_identity=True)
        .add_columns(GRANTS.c.id.label("grant_id"))
        .order_by(None)
        .cte("sender")
    )
    one = select(literal_column("1").label("one")).subquery("one")
    return (
        select(
            select(func.count()).select_from(marked).scalar_subquery().label("fresh"),
            select(count.c.count).scalar_subquery().label("count"),
            *list(sender.c)[:-1],
        )
        .select_from(one)
        .outerjoin(sender, true())
        .order_by(sender.c.grant_id)
    )


def _sender_and_conversation_statement() -> Select[Any]:
    """SQLite: one row per grant of the sender (one row when they have none or are unknown):
    the grant row of :func:`storage.access.grants_query`, then the conversation's columns
    (NULL without one)."""
    channel = bindparam("channel", type_=String())
    external_id = bindparam("external_id", type_=String())
    of_identity = and_(IDENTITIES.c.channel == channel, IDENTITIES.c.external_id == external_id)
    sender = (
        grants_query(of_identity, via_identity=True)
        .add_columns(GRANTS.c.id.label("grant_id"))
        .order_by(None)
        .subquery("sender")
    )
    state = CONVERSATION_COLUMNS[0].table
    conversation = (
        select(*CONVERSATION_COLUMNS)
        .where(state.c.channel == channel, state.c.external_id == external_id)
        .subquery("conversation")
    )
    one = select(literal_column("1").label("one")).subquery("one")
    return (
        select(*list(sender.c)[:-1], *conversation.c)
        .select_from(one)
        .outerjoin(sender, true())
        .outerjoin(conversation, true())
        .order_by(sender.c.grant_id)
    )


_OPENING = _opening_statement()
_SENDER_AND_CONVERSATION = _sender_and_conversation_statement()
_SENDER_WIDTH = len(_SENDER_AND_CONVERSATION.selected_columns) - len(CONVERSATION_COLUMNS)
