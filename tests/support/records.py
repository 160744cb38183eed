"""Helpers for support-plan tests: official records of several years, follow-ups, mentors."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import FollowUp, Household, MentorAssignment, OfficialRecord


async def add_records(
    sessions: async_sessionmaker[AsyncSession],
    household_id: int,
    statuses: dict[int, str],
    now: datetime,
) -> None:
    """One official record per ``{year: status}``, with the household's unit ids."""
    async with sessions() as session, session.begin():
        household = await session.get(Household, household_id)
        assert household is not None
        for year, status in statuses.items():
            session.add(
                OfficialRecord(
                    household_id=household_id,
                    year=year,
                    province_id=household.province_id,
                    district_id=household.district_id,
                    commune_id=household.commune_id,
                    village_id=household.village_id,
                    status=status,
                    standard_id="2022-2025",
                    updated_at=now,
                )
            )


async def add_followup(
    sessions: async_sessionmaker[AsyncSession], household_id: int, indicator: str, now: datetime
) -> int:
    async with sessions() as session, session.begin():
        row = FollowUp(
            household_id=household_id,
            indicator=indicator,
            policy_codes=[],
            state="open",
            due_on=date(2026, 12, 31),
            opened_at=now,
        )
        session.add(row)
        await session.flush()
        return row.id


async def add_mentor(
    sessions: async_sessionmaker[AsyncSession], household_id: int, user_id: int, since: date
) -> None:
    async with sessions() as session, session.begin():
        session.add(
            MentorAssignment(
                household_id=household_id, mentor_user_id=user_id, valid_from=since, valid_to=None
            )
        )
