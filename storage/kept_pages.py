"""Pages of a reply kept for later (table ``kept_pages``): what a channel could not show at once.

Why a table of its own and not the conversation row: a long reply is often not part of a
conversation (a mentor's digest sent by the scheduler, a code's answer, a list after which the
conversation ends), and a conversation row is deleted when its flow finishes. Kept in the
database, the rest outlives a restart and any worker can serve it. One row per identity and
``ref`` (SMS keeps one rest per number; Telegram one option list per paged message), replaced
by the next long reply and ignored once ``expires_at`` has passed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import dialect_insert
from storage.models import KeptPages


async def keep_pages(
    session: AsyncSession,
    channel: str,
    external_id: str,
    pages: Sequence[Any],
    now: datetime,
    keep: timedelta,
    ref: str = "",
) -> None:
    """Keep ``pages`` (JSON-ready values) for ``keep``, replacing what this identity had under
    ``ref``; expired rows of every identity are removed on the way."""
    await session.execute(delete(KeptPages).where(KeptPages.expires_at <= now))
    row = {
        "channel": channel,
        "external_id": external_id,
        "ref": ref,
        "pages": list(pages),
        "created_at": now,
        "expires_at": now + keep,
    }
    insert = dialect_insert(session)(KeptPages).values(row)
    await session.execute(
        insert.on_conflict_do_update(
            index_elements=["channel", "external_id", "ref"],
            set_={"pages": insert.excluded.pages, "created_at": now, "expires_at": now + keep},
        )
    )


async def kept_pages(
    session: AsyncSession, channel: str, external_id: str, now: datetime, ref: str = ""
) -> list[Any] | None:
    """The pages kept for this identity and ``ref``, locked for the rest of the transaction;
    an empty list when all were taken, None when nothing (or only an expired rest) is kept."""
    pages = await session.scalar(
        select(KeptPages.pages)
        .where(
            KeptPages.channel == channel,
            KeptPages.external_id == external_id,
            KeptPages.ref == ref,
            KeptPages.expires_at > now,
        )
        .with_for_update()
    )
    return list(pages) if pages is not None else None


async def take_page(
    session: AsyncSession, channel: str, external_id: str, now: datetime
) -> Any | None:
    """The next kept page of this identity (``ref`` empty), removed from the rest; None when
    there is none left. The row stays, emptied, until it expires, so a late ``TIEP`` can be
    told that nothing is left."""
    pages = await kept_pages(session, channel, external_id, now)
    if not pages:
        return None
    await session.execute(
        update(KeptPages)
        .where(
            KeptPages.channel == channel,
            KeptPages.external_id == external_id,
            KeptPages.ref == "",
        )
        .values(pages=pages[1:])
    )
    return pages[0]
