"""The replay cache of signed webhooks: a request's signature is remembered for the length of
its timestamp window, in the database, so every worker sharing it refuses the same copy.

A signature covers the body (and the timestamp), so a captured request sent again, with any
unsigned header changed, is recognised here; past the window the channel's timestamp check
refuses it. Expired rows of the channel are deleted as new ones are written.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import dialect_insert
from storage.models import WebhookSignature


async def remember_signature(
    session: AsyncSession, channel: str, digest: str, now: datetime, keep: timedelta
) -> bool:
    """Record ``digest`` (hex, at most 64 characters) for ``keep``; False when it was already
    recorded and has not expired, that is when this request is a replay."""
    await session.execute(
        delete(WebhookSignature).where(
            WebhookSignature.channel == channel, WebhookSignature.expires_at < now
        )
    )
    statement = (
        dialect_insert(session)(WebhookSignature)
        .values(channel=channel, digest=digest.lower(), expires_at=now + keep)
        .on_conflict_do_nothing(index_elements=["channel", "digest"])
        .returning(WebhookSignature.id)
    )
    return (await session.execute(statement)).first() is not None
