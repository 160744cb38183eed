"""Photos sent during a household check: recorded at once with the household and the sender's
identity, linked to the assessment when that check is saved (:func:`attach_pending_photos`).
The file itself stays with the channel (its reference is kept, not its bytes). A check that is
cancelled leaves its photos with the household, unlinked."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import CheckPhoto

PHOTOS_PENDING_FOR = timedelta(days=3)
"""How far back a saved check looks for its photos: as long as a conversation lives."""


async def add_check_photo(
    session: AsyncSession,
    household_id: int,
    channel: str,
    external_id: str,
    user_id: int | None,
    file_ref: str,
    now: datetime,
) -> int:
    photo = CheckPhoto(
        household_id=household_id,
        user_id=user_id,
        channel=channel,
        external_id=external_id,
        file_ref=file_ref,
        received_at=now,
    )
    session.add(photo)
    await session.flush()
    return photo.id


async def attach_pending_photos(
    session: AsyncSession,
    channel: str,
    external_id: str,
    household_id: int,
    assessment_id: int,
    since: datetime,
) -> int:
    """Link the photos this identity sent for the household since ``since`` (the check's
    start) and not yet linked to the assessment just saved; returns how many."""
    result = await session.execute(
        update(CheckPhoto)
        .where(
            CheckPhoto.channel == channel,
            CheckPhoto.external_id == external_id,
            CheckPhoto.household_id == household_id,
            CheckPhoto.assessment_id.is_(None),
            CheckPhoto.received_at >= since,
        )
        .values(assessment_id=assessment_id)
        .returning(CheckPhoto.id)
    )
    return len(result.all())
