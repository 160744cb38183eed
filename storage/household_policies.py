"""What the policy lookup needs to know about one household: its official status, its latest
known deprivations and whether it recently left the poor or near-poor list.

Deprivations come from the latest assessment when there is one (the most recent check by a
cadre), otherwise from the latest official record (what the commune approved). A household is
"newly escaped" (hộ mới thoát nghèo) when its current official status and latest official
record are neither poor nor near-poor and an earlier record of the last :data:`ESCAPED_YEARS`
years still had it poor or near-poor: social policy bank loans stay open for up to three years
after leaving the list (QĐ 28/2015/QĐ-TTg; the duration is still to be checked against the text).

Every query is limited to the user's area (:func:`storage.access.households_in_scope`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from poverty.standards import from_mask
from storage.access import Access, households_in_scope
from storage.models import Assessment, Household, OfficialRecord

ESCAPED_YEARS = 3
POOR_STATUSES = ("ngheo", "can_ngheo")

DeprivationSource = Literal["assessment", "official_record"]


@dataclass(frozen=True)
class HouseholdNeeds:
    """A household's status and deprivations as the policy lookup reads them.

    ``source`` says where ``deprived`` comes from (None when nothing is known); ``assessed_at``
    is the time of that assessment, ``record_year`` the year of that official record.
    """

    code: str
    head_name: str
    official_status: str | None
    official_year: int | None
    newly_escaped: bool
    deprived: tuple[str, ...]
    source: DeprivationSource | None
    assessed_at: datetime | None
    record_year: int | None


async def household_needs(
    session: AsyncSession, access: Access, code: str, today: date
) -> HouseholdNeeds | None:
    """The needs of the household with ``code`` if it lies in the user's area, else None."""
    household = await session.scalar(
        select(Household).where(households_in_scope(access), Household.code == code)
    )
    if household is None:
        return None
    records = (
        await session.execute(
            select(OfficialRecord.year, OfficialRecord.status, OfficialRecord.deprived_mask)
            .where(OfficialRecord.household_id == household.id)
            .order_by(OfficialRecord.year.desc())
        )
    ).all()
    assessment = (
        await session.get(Assessment, household.latest_assessment_id)
        if household.latest_assessment_id is not None
        else None
    )
    deprived: tuple[str, ...] = ()
    source: DeprivationSource | None = None
    record_year: int | None = None
    if assessment is not None:
        deprived, source = from_mask(assessment.deprived_mask), "assessment"
    elif records:
        record_year = records[0].year
        deprived, source = from_mask(records[0].deprived_mask), "official_record"
    escaped = (
        bool(records)
        and household.official_status not in POOR_STATUSES
        and records[0].status not in POOR_STATUSES
        and any(
            status in POOR_STATUSES and year >= today.year - ESCAPED_YEARS
            for year, status, _ in records[1:]
        )
    )
    return HouseholdNeeds(
        code=household.code,
        head_name=household.head_name,
        official_status=household.official_status,
        official_year=household.official_year,
        newly_escaped=escaped,
        deprived=deprived,
        source=source,
        assessed_at=assessment.created_at if assessment is not None else None,
        record_year=record_year,
    )
