"""``save_households``: the one write path for households (importer and demo data)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from poverty.errors import InvalidInputError, UnknownIndicatorError
from poverty.standards import INDICATOR_BITS
from storage.audit import Actor
from storage.households import HouseholdRow, SaveResult, save_households
from storage.models import (
    AuditLog,
    FollowUp,
    Household,
    MentorAssignment,
    OfficialRecord,
    User,
)
from tests.conftest import PEOPLE_TZ

ACTOR = Actor("test")
Sessions = async_sessionmaker[AsyncSession]


def row(code: str = "H1", **changes: Any) -> HouseholdRow:
    values: dict[str, Any] = {
        "code": code,
        "head_name": "Nguyễn Văn An",
        "province": "Quảng Trị",
        "commune": "Cam Tuyền",
        "village": "Thôn 1",
        "members": 4,
        "status": "ngheo",
        "poor_group": "chinh_sach_giam_ngheo",
        "year": 2025,
        "income_per_person": 1_200_000,
        "deprivations": {"bhyt": True, "viec_lam": False, "nha_tieu": None},
    }
    values.update(changes)
    return HouseholdRow(**values)


async def save(sessions: Sessions, rows: list[HouseholdRow], now: datetime) -> SaveResult:
    async with sessions() as session, session.begin():
        return await save_households(session, rows, ACTOR, now, default_year=2025, tz=PEOPLE_TZ)


async def count(sessions: Sessions, model: type[Any]) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def audit_rows(sessions: Sessions) -> list[tuple[str, dict[str, Any]]]:
    async with sessions() as session:
        rows = await session.execute(
            select(AuditLog.action, AuditLog.details).order_by(AuditLog.id)
        )
        return [(action, details) for action, details in rows]


async def test_new_households_are_created_with_units_and_name_key(
    sessions: Sessions, now: datetime
) -> None:
    result = await save(sessions, [row("H1"), row("H2", head_name="TRẦN Thị Bình")], now)
    assert result == SaveResult(created=2, updated=0, unchanged=0)
    async with sessions() as session:
        household = await session.scalar(select(Household).where(Household.code == "H2"))
    assert household is not None
    assert household.head_name_key == "tran thi binh"
    assert (household.official_status, household.official_group, household.official_year) == (
        "ngheo",
        "chinh_sach_giam_ngheo",
        2025,
    )
    assert household.village_id == household.unit_id
    assert household.created_at == now


async def test_reimport_updates_by_code_without_duplicating(
    sessions: Sessions, now: datetime
) -> None:
    await save(sessions, [row("H1"), row("H2")], now)
    result = await save(sessions, [row("H1", members=5), row("H2")], now + timedelta(days=1))
    assert result == SaveResult(created=0, updated=1, unchanged=1)
    assert await count(sessions, Household) == 2
    async with sessions() as session:
        members = await session.scalar(select(Household.members).where(Household.code == "H1"))
    assert members == 5


async def test_audit_has_one_row_per_change_naming_fields_only(
    sessions: Sessions, now: datetime
) -> None:
    await save(sessions, [row("H1", mentor_phone="+84912345678"), row("H2")], now)
    await save(
        sessions,
        [row("H1", head_name="Nguyễn Văn Ân", income_per_person=900_000), row("H2")],
        now,
    )
    audits = [(a, d) for a, d in await audit_rows(sessions) if a.startswith("household.")]
    assert [action for action, _ in audits] == [
        "household.create",
        "household.create",
        "household.update",
    ]
    assert audits[2][1] == {"fields": ["head_name", "income_per_person"]}
    text = repr(audits)
    assert "Nguyễn" not in text
    assert "912345678" not in text


async def test_unchanged_rows_are_not_rewritten_or_audited(
    sessions: Sessions, now: datetime
) -> None:
    await save(sessions, [row("H1")], now)
    result = await save(sessions, [row("H1")], now + timedelta(days=1))
    assert result == SaveResult(created=0, updated=0, unchanged=1)
    assert [action for action, _ in await audit_rows(sessions)] == [
        "household.create",
        "followup.open",
    ]
    async with sessions() as session:
        updated_at = await session.scalar(select(Household.updated_at))
    assert updated_at == now


async def test_official_record_holds_deprived_and_known_masks(
    sessions: Sessions, now: datetime
) -> None:
    await save(sessions, [row("H1")], now)
    async with sessions() as session:
        record = await session.scalar(select(OfficialRecord))
    assert record is not None
    bhyt, viec_lam = 1 << INDICATOR_BITS["bhyt"], 1 << INDICATOR_BITS["viec_lam"]
    assert record.deprived_mask == bhyt
    assert record.known_mask == bhyt | viec_lam
    assert (record.year, record.status, record.standard_id) == (2025, "ngheo", "2022-2025")
    assert record.income_per_person == 1_200_000


async def test_one_official_record_per_household_and_year(
    sessions: Sessions, now: datetime
) -> None:
    await save(sessions, [row("H1", year=2024)], now)
    await save(sessions, [row("H1", year=2025)], now)
    result = await save(sessions, [row("H1", year=2025, status="can_ngheo")], now)
    assert result.updated == 1
    async with sessions() as session:
        records = (
            await session.execute(
                select(OfficialRecord.year, OfficialRecord.status).order_by(OfficialRecord.year)
            )
        ).all()
    assert [tuple(r) for r in records] == [(2024, "ngheo"), (2025, "can_ngheo")]


async def test_row_without_year_uses_the_default_year(sessions: Sessions, now: datetime) -> None:
    await save(sessions, [row("H1", year=None)], now)
    async with sessions() as session:
        assert await session.scalar(select(OfficialRecord.year)) == 2025


async def test_row_without_status_writes_no_official_record(
    sessions: Sessions, now: datetime
) -> None:
    await save(sessions, [row("H1", status=None, poor_group=None)], now)
    assert await count(sessions, OfficialRecord) == 0


async def test_mentor_phone_creates_the_mentor_and_an_open_assignment(
    sessions: Sessions, now: datetime
) -> None:
    await save(sessions, [row("H1", mentor_phone="+84912345678"), row("H2")], now)
    async with sessions() as session:
        user = await session.scalar(select(User))
        assignment = await session.scalar(select(MentorAssignment))
    assert user is not None
    assert (user.name, user.phone) == ("Người đỡ đầu", "+84912345678")
    assert assignment is not None
    assert assignment.mentor_user_id == user.id
    assert (assignment.valid_from, assignment.valid_to) == (date(2026, 11, 23), None)


async def test_mentor_hand_over_closes_the_old_assignment_and_keeps_history(
    sessions: Sessions, now: datetime
) -> None:
    await save(sessions, [row("H1", mentor_phone="+84912345678")], now)
    await save(sessions, [row("H1", mentor_phone="+84912345678")], now)
    later = now + timedelta(days=30)
    result = await save(sessions, [row("H1", mentor_phone="+84987654321")], later)
    assert result.updated == 1
    async with sessions() as session:
        history = (
            await session.execute(
                select(User.phone, MentorAssignment.valid_from, MentorAssignment.valid_to)
                .join(User, User.id == MentorAssignment.mentor_user_id)
                .order_by(MentorAssignment.id)
            )
        ).all()
    assert [tuple(h) for h in history] == [
        ("+84912345678", date(2026, 11, 23), date(2026, 12, 23)),
        ("+84987654321", date(2026, 12, 23), None),
    ]
    assert (await audit_rows(sessions))[-1] == ("household.update", {"fields": ["mentor"]})


async def test_existing_user_with_that_phone_becomes_the_mentor(
    sessions: Sessions, now: datetime
) -> None:
    async with sessions() as session, session.begin():
        session.add(User(name="Chị Hoa", phone="+84912345678", created_at=now))
    await save(sessions, [row("H1", mentor_phone="+84912345678")], now)
    assert await count(sessions, User) == 1


async def test_commune_without_province_must_be_known_uniquely(
    sessions: Sessions, now: datetime
) -> None:
    with pytest.raises(InvalidInputError):
        await save(sessions, [row("H1", province=None, commune="Xã Không Có")], now)
    await save(sessions, [row("H1")], now)
    result = await save(sessions, [row("H2", province=None)], now)
    assert result.created == 1


async def test_large_batches_are_saved_in_chunks(sessions: Sessions, now: datetime) -> None:
    rows = [row(f"H{i:05d}", village=f"Thôn {i % 7}") for i in range(4500)]
    assert await save(sessions, rows, now) == SaveResult(4500, 0, 0)
    assert await count(sessions, OfficialRecord) == 4500
    assert await save(sessions, rows, now) == SaveResult(0, 0, 4500)


async def test_new_households_get_their_own_ids_across_statements_and_chunks(
    sessions: Sessions, now: datetime
) -> None:
    """Ids of new households come from the insert itself (no lookup by code): each official
    record and audit row must point at the household of its own row, also past the first chunk
    and when older households exist."""
    await save(sessions, [row("OLD1"), row("OLD2")], now)
    rows = [row(f"N{i:05d}", income_per_person=1_000_000 + i) for i in range(6000)]
    assert await save(sessions, rows, now) == SaveResult(6000, 0, 0)
    async with sessions() as session:
        pairs = (
            await session.execute(
                select(Household.code, OfficialRecord.income_per_person).join(
                    OfficialRecord, OfficialRecord.household_id == Household.id
                )
            )
        ).all()
        household_ids = set((await session.scalars(select(Household.id))).all())
        audited = set((await session.scalars(select(AuditLog.entity_id))).all())
    incomes = {code: income for code, income in pairs}
    assert len(incomes) == 6002
    assert all(incomes[f"N{i:05d}"] == 1_000_000 + i for i in range(6000))
    assert audited == {str(household_id) for household_id in household_ids}


async def test_unknown_indicator_is_refused_only_when_answered(
    sessions: Sessions, now: datetime
) -> None:
    await save(sessions, [row("H1", deprivations={"bhyt": True, "khong_co": None})], now)
    with pytest.raises(UnknownIndicatorError):
        await save(sessions, [row("H2", deprivations={"bhyt": True, "khong_co": False})], now)


async def test_import_opens_a_followup_per_deprivation_of_a_poor_household(
    sessions: Sessions, now: datetime
) -> None:
    await save(sessions, [row("H1"), row("H2", status="khong", poor_group=None)], now)
    async with sessions() as session:
        opened = (
            await session.execute(
                select(Household.code, FollowUp.indicator).join(
                    FollowUp, FollowUp.household_id == Household.id
                )
            )
        ).all()
    assert [tuple(r) for r in opened] == [("H1", "bhyt")]
