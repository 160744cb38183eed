"""The flood limit's counter: messages per channel identity in fixed one-minute windows.

Kept in the database (one row per identity, see :class:`storage.models.MessageRate`) rather than
in a process, so the limit holds when several workers share the load. The count is one upsert in
the message's own transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from typing import Any, cast

from sqlalchemy import Table, bindparam, case
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from storage.db import dialect_name, insert_for
from storage.models import MessageRate

RATES = cast(Table, MessageRate.__table__)


def window_start(now: datetime, window: timedelta) -> datetime:
    """The start of the fixed window ``now`` falls in (windows are aligned to the epoch)."""
    seconds = int(window.total_seconds())
    stamp = int(now.timestamp())
    return datetime.fromtimestamp(stamp - stamp % seconds, tz=now.tzinfo)


@cache
def _count_statement(dialect: str) -> Any:
    """Built once per dialect (it runs on every message), with bound parameters."""
    start = bindparam("window_start", type_=RATES.c.window_start.type)
    insert = insert_for(dialect)(RATES).values(
        channel=bindparam("channel"), external_id=bindparam("external_id"), window_start=start,
        count=1,
    )  # fmt: skip
    return counting_upsert(insert)


def counting_upsert(insert: Any) -> Any:
    """``insert`` (of one ``message_rates`` row with ``count`` 1) as the counter's upsert: one
    more in the same window, 1 in a new one; it returns the count."""
    same_window = insert.excluded.window_start == RATES.c.window_start
    upsert = insert.on_conflict_do_update(
        index_elements=["channel", "external_id"],
        set_={
            "count": case((same_window, RATES.c.count + 1), else_=1),
            "window_start": insert.excluded.window_start,
        },
    )
    return upsert.returning(RATES.c.count)


async def count_message(
    session: AsyncSession, channel: str, external_id: str, now: datetime, window: timedelta
) -> int:
    """Count one more message of this identity; the number in the current window, this one
    included."""
    return await session.run_sync(count_message_in, channel, external_id, now, window)


def count_message_in(
    session: Session, channel: str, external_id: str, now: datetime, window: timedelta
) -> int:
    """:func:`count_message` in a synchronous session."""
    values = {
        "channel": channel,
        "external_id": external_id,
        "window_start": window_start(now, window),
    }
    return int(session.execute(_count_statement(dialect_name(session)), values).scalar_one())
