"""The flood limit's counter: messages per channel identity in fixed one-minute windows.

Kept in the database (one row per identity, see :class:`storage.models.MessageRate`) rather than
in a process, so the limit holds when several workers share the load. The count is one upsert in
the message's own transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import dialect_insert
from storage.models import MessageRate


def window_start(now: datetime, window: timedelta) -> datetime:
    """The start of the fixed window ``now`` falls in (windows are aligned to the epoch)."""
    seconds = int(window.total_seconds())
    stamp = int(now.timestamp())
    return datetime.fromtimestamp(stamp - stamp % seconds, tz=now.tzinfo)


async def count_message(
    session: AsyncSession, channel: str, external_id: str, now: datetime, window: timedelta
) -> int:
    """Count one more message of this identity; the number in the current window, this one
    included."""
    start = window_start(now, window)
    statement = dialect_insert(session)(MessageRate).values(
        channel=channel, external_id=external_id, window_start=start, count=1
    )
    same_window = statement.excluded.window_start == MessageRate.window_start
    upsert = statement.on_conflict_do_update(
        index_elements=["channel", "external_id"],
        set_={
            "count": case((same_window, MessageRate.count + 1), else_=1),
            "window_start": start,
        },
    ).returning(MessageRate.count)
    return int((await session.execute(upsert)).scalar_one())
