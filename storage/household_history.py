"""A household's history as people read it: its official classes year by year, its checks
(when, which class, the year and standard they applied to, the channel, how many photos), and
the requests to be reviewed that were recorded for it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Assessment, CheckPhoto, OfficialRecord, ReviewRequest

MAX_CHECKS = 10


@dataclass(frozen=True)
class OfficialYear:
    year: int
    status: str
    standard_id: str


@dataclass(frozen=True)
class PastCheck:
    at: datetime
    computed_class: str | None
    applies_year: int
    standard_id: str
    channel: str
    photos: int


@dataclass(frozen=True)
class PastRequest:
    on: date
    note: str


@dataclass(frozen=True)
class HouseholdHistory:
    official: tuple[OfficialYear, ...]
    checks: tuple[PastCheck, ...]
    """The latest :data:`MAX_CHECKS` checks, newest first."""
    requests: tuple[PastRequest, ...]


async def household_history(session: AsyncSession, household_id: int) -> HouseholdHistory:
    records = await session.execute(
        select(OfficialRecord.year, OfficialRecord.status, OfficialRecord.standard_id)
        .where(OfficialRecord.household_id == household_id)
        .order_by(OfficialRecord.year)
    )
    photos = (
        select(CheckPhoto.assessment_id, func.count().label("n"))
        .where(CheckPhoto.household_id == household_id)
        .group_by(CheckPhoto.assessment_id)
        .subquery()
    )
    checks = await session.execute(
        select(
            Assessment.created_at,
            Assessment.computed_class,
            Assessment.applies_year,
            Assessment.standard_id,
            Assessment.channel,
            func.coalesce(photos.c.n, 0),
        )
        .outerjoin(photos, photos.c.assessment_id == Assessment.id)
        .where(Assessment.household_id == household_id)
        .order_by(Assessment.created_at.desc(), Assessment.id.desc())
        .limit(MAX_CHECKS)
    )
    requests = await session.execute(
        select(ReviewRequest.requested_on, ReviewRequest.note)
        .where(ReviewRequest.household_id == household_id)
        .order_by(ReviewRequest.requested_on)
    )
    return HouseholdHistory(
        tuple(OfficialYear(*row) for row in records),
        tuple(
            PastCheck(at, cls, year, std, channel, int(n))
            for at, cls, year, std, channel, n in checks
        ),
        tuple(PastRequest(*row) for row in requests),
    )
