"""``sync_followups``: one follow-up per deprivation of a poor or near-poor household."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from poverty.standards import INDICATOR_BITS
from storage.assessments import NewAssessment, save_assessment
from storage.audit import Actor
from storage.followups import open_followups, report_followup, sync_followups
from storage.households import HouseholdRow, save_households
from storage.models import AuditLog, FollowUp, Household
from tests.conftest import PEOPLE_TZ

ACTOR = Actor("test")
Sessions = async_sessionmaker[AsyncSession]


def row(code: str = "H1", **changes: Any) -> HouseholdRow:
    values: dict[str, Any] = {
        "code": code,
        "head_name": "Nguyễn Văn An",
        "province": "Quảng Trị",
        "commune": "Cam Tuyền",
        "members": 4,
        "status": "ngheo",
        "poor_group": "chinh_sach_giam_ngheo",
        "year": 2025,
        "deprivations": {"bhyt": True, "nha_tieu": True, "viec_lam": False, "vien_thong": None},
    }
    values.update(changes)
    return HouseholdRow(**values)


async def imported(sessions: Sessions, rows: list[HouseholdRow], now: datetime) -> list[int]:
    async with sessions() as session, session.begin():
        await save_households(session, rows, ACTOR, now, default_year=2025, tz=PEOPLE_TZ)
        ids = list(await session.scalars(select(Household.id).order_by(Household.code)))
        await sync_followups(session, ids, now, ACTOR, tz=PEOPLE_TZ)
        return ids


async def states(sessions: Sessions) -> dict[str, str]:
    async with sessions() as session:
        rows = await session.execute(select(FollowUp.indicator, FollowUp.state))
        return {indicator: state for indicator, state in rows}


def mask(*codes: str) -> int:
    return sum(1 << INDICATOR_BITS[code] for code in codes)


async def assess(
    sessions: Sessions,
    household_id: int,
    deprived: tuple[str, ...],
    known: tuple[str, ...],
    now: datetime,
    computed: str = "ngheo",
) -> None:
    async with sessions() as session, session.begin():
        await save_assessment(
            session,
            NewAssessment(
                household_id,
                "2022-2025",
                "nong_thon",
                {},
                1_000_000,
                mask(*deprived),
                mask(*known),
                computed,
                None,
                "console",
            ),
            ACTOR,
            now,
            tz=PEOPLE_TZ,
        )
        await sync_followups(session, [household_id], now, ACTOR, tz=PEOPLE_TZ)


async def test_import_opens_one_followup_per_deprived_indicator(
    sessions: Sessions, now: datetime
) -> None:
    await imported(sessions, [row()], now)
    assert await states(sessions) == {"bhyt": "open", "nha_tieu": "open"}


async def test_followup_carries_policies_and_per_indicator_due_date(
    sessions: Sessions, now: datetime
) -> None:
    await imported(sessions, [row(deprivations={"bhyt": True, "viec_lam": True})], now)
    async with sessions() as session:
        found = {f.indicator: f for f in await open_followups(session)}
    assert "bhyt" in found["bhyt"].policy_codes
    assert found["bhyt"].due_on == date(2026, 11, 23) + timedelta(days=15)
    assert found["viec_lam"].due_on == date(2026, 11, 23) + timedelta(days=30)


async def test_second_sync_opens_nothing_new(sessions: Sessions, now: datetime) -> None:
    ids = await imported(sessions, [row()], now)
    async with sessions() as session, session.begin():
        result = await sync_followups(session, ids, now, ACTOR, tz=PEOPLE_TZ)
    assert (result.opened, result.closed, result.cancelled) == (0, 0, 0)


async def test_household_not_poor_gets_no_followups(sessions: Sessions, now: datetime) -> None:
    await imported(sessions, [row(status="trung_binh", poor_group=None)], now)
    assert await states(sessions) == {}


async def test_later_assessment_without_the_deprivation_closes_it(
    sessions: Sessions, now: datetime
) -> None:
    (household,) = await imported(sessions, [row()], now)
    later = now + timedelta(days=5)
    await assess(sessions, household, ("nha_tieu",), ("bhyt", "nha_tieu"), later)
    assert await states(sessions) == {"bhyt": "done", "nha_tieu": "open"}


async def test_unanswered_indicator_leaves_the_followup_open(
    sessions: Sessions, now: datetime
) -> None:
    (household,) = await imported(sessions, [row()], now)
    await assess(sessions, household, ("nha_tieu",), ("nha_tieu",), now + timedelta(days=1))
    assert await states(sessions) == {"bhyt": "open", "nha_tieu": "open"}


async def test_household_that_left_poverty_has_followups_cancelled(
    sessions: Sessions, now: datetime
) -> None:
    (household,) = await imported(sessions, [row()], now)
    await imported(sessions, [row(status="khong", poor_group=None, year=2026)], now)
    assert await states(sessions) == {"bhyt": "cancelled", "nha_tieu": "cancelled"}
    del household


async def test_mentor_report_done_closes_and_in_progress_keeps_open(
    sessions: Sessions, now: datetime
) -> None:
    await imported(sessions, [row()], now)
    async with sessions() as session, session.begin():
        by_indicator = {f.indicator: f.id for f in await open_followups(session)}
        await report_followup(session, by_indicator["bhyt"], "done", "Đã cấp thẻ", ACTOR, now)
        await report_followup(session, by_indicator["nha_tieu"], "blocked", "Thiếu vốn", ACTOR, now)
    assert await states(sessions) == {"bhyt": "done", "nha_tieu": "blocked"}


async def test_every_followup_change_is_audited_without_names(
    sessions: Sessions, now: datetime
) -> None:
    (household,) = await imported(sessions, [row()], now)
    await assess(sessions, household, (), ("bhyt", "nha_tieu"), now + timedelta(days=1))
    async with sessions() as session:
        rows = await session.execute(
            select(AuditLog.action, AuditLog.details)
            .where(AuditLog.action.like("followup.%"))
            .order_by(AuditLog.id)
        )
        audit = list(rows)
    assert [action for action, _ in audit] == ["followup.open"] * 2 + ["followup.close"] * 2
    assert all("Nguyễn" not in str(details) for _, details in audit)


async def opened_and_audited(
    sessions: Sessions,
) -> tuple[set[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Follow-ups by household code, and their audit rows in order with each follow-up id
    replaced by the household code and indicator it names (ids differ between two ways of
    opening the same follow-ups)."""
    async with sessions() as session:
        found = await session.execute(
            select(
                FollowUp.id,
                Household.code,
                FollowUp.indicator,
                FollowUp.policy_codes,
                FollowUp.state,
                FollowUp.due_on,
                FollowUp.opened_at,
            ).join(Household, Household.id == FollowUp.household_id)
        )
        followups = {row[0]: (row[1], row[2], tuple(row[3]), *row[4:]) for row in found}
        codes = {
            hid: code for hid, code in await session.execute(select(Household.id, Household.code))
        }
        entries = await session.execute(
            select(AuditLog.action, AuditLog.entity_id, AuditLog.details, AuditLog.actor)
            .where(AuditLog.action.like("followup.%"))
            .order_by(AuditLog.id)
        )
        audit = [
            (
                action,
                codes[int(entity_id)],
                *followups[details.pop("followup_id")][:2],
                details,
                actor,
            )
            for action, entity_id, details, actor in entries
        ]
    return set(followups.values()), audit


async def test_import_opens_exactly_what_a_sync_of_the_same_households_opens(
    sessions: Sessions, now: datetime
) -> None:
    """New households get their follow-ups from the rows just saved, without asking the
    database for their evidence; the result must be what sync_followups makes of them."""
    rows = [
        row(f"H{n:03d}", status=status, poor_group=None, deprivations=answers)
        for n, (status, answers) in enumerate(
            [
                ("ngheo", {"bhyt": True, "nha_tieu": True, "viec_lam": False}),
                ("can_ngheo", {"bhyt": True, "di_hoc_tre_em": True, "vien_thong": None}),
                ("ngheo", {code: True for code in INDICATOR_BITS}),
                ("trung_binh", {"bhyt": True}),
                ("khong", {"nha_tieu": True}),
                ("ngheo", {"bhyt": False, "nha_tieu": None}),
                ("can_ngheo", {}),
            ]
            * 3
        )
    ]
    async with sessions() as session, session.begin():
        await save_households(session, rows, ACTOR, now, default_year=2025, tz=PEOPLE_TZ)
    by_import = await opened_and_audited(sessions)
    assert len(by_import[0]) == 3 * (2 + 2 + len(INDICATOR_BITS))
    async with sessions() as session, session.begin():
        await session.execute(delete(AuditLog).where(AuditLog.action.like("followup.%")))
        await session.execute(delete(FollowUp))
        ids = list(await session.scalars(select(Household.id)))
        await sync_followups(session, ids, now, ACTOR, tz=PEOPLE_TZ)
    assert await opened_and_audited(sessions) == by_import


async def test_reimport_of_a_household_with_followups_syncs_them(
    sessions: Sessions, now: datetime
) -> None:
    """An existing household goes through the full sync: a new deprivation opens one, the old
    ones stay open and nothing is opened twice."""
    await imported(sessions, [row()], now)
    later = now + timedelta(days=3)
    answers = {"bhyt": True, "nha_tieu": True, "nuoc_sinh_hoat": True}
    async with sessions() as session, session.begin():
        await save_households(
            session, [row(deprivations=answers)], ACTOR, later, default_year=2025, tz=PEOPLE_TZ
        )
    assert await states(sessions) == {"bhyt": "open", "nha_tieu": "open", "nuoc_sinh_hoat": "open"}
    async with sessions() as session:
        count = await session.scalar(select(func.count()).select_from(FollowUp))
    assert count == 3


@pytest.mark.parametrize(
    ("official", "computed", "deprived", "known"),
    [
        ("ngheo", "ngheo", ("nha_tieu", "viec_lam"), ("bhyt", "nha_tieu", "viec_lam")),
        ("ngheo", "khong", ("viec_lam",), ("bhyt", "nha_tieu", "viec_lam")),
        ("trung_binh", "can_ngheo", ("bhyt",), ("bhyt",)),
        ("trung_binh", "trung_binh", ("bhyt",), ("bhyt", "nha_tieu")),
    ],
)
async def test_a_saved_check_leaves_the_followups_a_sync_from_the_database_would_leave(
    sessions: Sessions,
    now: datetime,
    official: str,
    computed: str,
    deprived: tuple[str, ...],
    known: tuple[str, ...],
) -> None:
    """save_assessment syncs from the check it has just written, without reading it back."""
    poor_group = "chinh_sach_giam_ngheo" if official == "ngheo" else None
    (household,) = await imported(sessions, [row(status=official, poor_group=poor_group)], now)
    later = now + timedelta(days=3)
    async with sessions() as session, session.begin():
        new = NewAssessment(
            household, "2022-2025", "nong_thon", {}, 1_000_000, mask(*deprived), mask(*known),
            computed, None, "console",
        )  # fmt: skip
        await save_assessment(session, new, ACTOR, later, tz=PEOPLE_TZ)
    after_save = await states(sessions)
    async with sessions() as session, session.begin():
        again = await sync_followups(session, [household], later, ACTOR, tz=PEOPLE_TZ)
    assert (again.opened, again.closed, again.cancelled) == (0, 0, 0)
    assert await states(sessions) == after_save
