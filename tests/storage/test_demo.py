"""The demo commune: the Cam Lộ plan's proportions, facts that agree with each household's
status, health insurance rarely missing for poor households, two years of official records,
a few support plans and support records; the same figures every time."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from poverty.classification import classify
from poverty.standards import standard_for_year
from storage.demo import (
    PLAN_HOUSEHOLDS,
    PLAN_MINORITY,
    PLAN_NEAR_POOR,
    PLAN_POOR,
    create_demo_data,
    demo_households,
    demo_years,
)
from storage.models import Household, HouseholdPlan, OfficialRecord, SupportRecord
from tests.conftest import FIXED_NOW, PEOPLE_TZ

COUNT = 3000


def share(count: int, plan: int) -> int:
    return round(count * plan / PLAN_HOUSEHOLDS)


@pytest.mark.parametrize("count", [120, 600, COUNT])
def test_demo_follows_the_cam_lo_plan_proportions(count: int) -> None:
    rows = demo_households(count, 2026)
    statuses = Counter(row.status for row in rows)

    assert len(rows) == count
    assert statuses["ngheo"] == share(count, PLAN_POOR)
    assert statuses["can_ngheo"] == share(count, PLAN_NEAR_POOR)
    assert sum(row.ethnic_minority for row in rows) == share(count, PLAN_MINORITY)


def test_near_poor_households_outnumber_poor_ones_as_in_the_plan() -> None:
    statuses = Counter(row.status for row in demo_households(COUNT, 2026))

    assert statuses["can_ngheo"] > statuses["ngheo"] > 0


@pytest.mark.parametrize("year", [2026, 2027])
def test_every_households_facts_give_its_official_status(year: int) -> None:
    standard = standard_for_year(year)
    for row in demo_households(COUNT, year):
        result = classify(standard, row.area, row.income_per_person, row.deprivations).result
        assert result == row.status, row


def test_health_insurance_is_rarely_missing_for_poor_households() -> None:
    poor = [row for row in demo_households(COUNT, 2026) if row.status == "ngheo"]
    missing = sum(bool(row.deprivations.get("bhyt")) for row in poor)

    assert missing <= len(poor) * 0.1


def test_the_year_before_has_households_that_have_left_the_list_since() -> None:
    years = demo_years(COUNT, (2025, 2026))
    before = {row.code: row.status for row in years[2025]}
    escaped = [r.code for r in years[2026] if before[r.code] == "ngheo" and r.status != "ngheo"]
    fell = [r.code for r in years[2026] if r.status == "ngheo" and before[r.code] != "ngheo"]

    assert escaped
    assert fell


def test_demo_is_the_same_every_time() -> None:
    assert demo_years(600, (2025, 2026)) == demo_years(600, (2025, 2026))


async def test_demo_data_writes_two_years_of_records_plans_and_support(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        result = await create_demo_data(session, FIXED_NOW, 2026, households=600, tz=PEOPLE_TZ)

    assert result.created == 600
    async with sessions() as session:
        records = dict(
            (
                await session.execute(
                    select(OfficialRecord.year, func.count()).group_by(OfficialRecord.year)
                )
            ).all()
        )
        poor_now = await session.scalar(
            select(func.count())
            .select_from(Household)
            .where(Household.official_status == "ngheo", Household.official_year == 2026)
        )
        plans = await session.scalar(select(func.count()).select_from(HouseholdPlan))
        supports = await session.scalar(select(func.count()).select_from(SupportRecord))
    assert records == {2025: 600, 2026: 600}
    assert poor_now == share(600, PLAN_POOR)
    assert plans
    assert supports
