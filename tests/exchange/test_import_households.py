"""``import_households``: all or nothing, or the valid rows with ``skip_invalid``."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from exchange.importing import (
    ImportRejectedError,
    ImportSummary,
    import_households,
    read_households,
)
from storage.audit import Actor
from storage.households import save_households
from storage.models import (
    AdminUnit,
    AuditLog,
    FollowUp,
    Household,
    MentorAssignment,
    OfficialRecord,
    User,
)
from tests.conftest import PEOPLE_TZ
from tests.fixtures.household_files import household, write_csv

Sessions = async_sessionmaker[AsyncSession]
ACTOR = Actor("cli:import")


async def run_import(
    sessions: Sessions, path: Path, now: datetime, *, skip_invalid: bool = False
) -> ImportSummary:
    checked = read_households(path, default_year=2025)
    async with sessions() as session, session.begin():
        return await import_households(
            session, checked, ACTOR, now, default_year=2025, skip_invalid=skip_invalid, tz=PEOPLE_TZ
        )


async def counts(sessions: Sessions) -> tuple[int, ...]:
    found: list[int] = []
    async with sessions() as session:
        for model in (Household, OfficialRecord, AdminUnit, AuditLog):
            found.append(int(await session.scalar(select(func.count()).select_from(model)) or 0))
    return tuple(found)


async def empty(sessions: Sessions) -> None:
    async with sessions() as session, session.begin():
        for model in (AuditLog, FollowUp, MentorAssignment, OfficialRecord, Household):
            await session.execute(delete(model))


async def test_nothing_is_written_when_any_row_is_invalid(
    sessions: Sessions, now: datetime, tmp_path: Path
) -> None:
    await run_import(sessions, write_csv(tmp_path / "a.csv", [household("H0")]), now)
    before = await counts(sessions)
    rows = [household("H1", tinh="Tỉnh Mới"), household("H2", so_nhan_khau="abc")]
    with pytest.raises(ImportRejectedError) as caught:
        await run_import(sessions, write_csv(tmp_path / "b.csv", rows), now)
    assert caught.value.invalid_rows == 1
    assert [(i.row, i.column) for i in caught.value.issues] == [(3, "so_nhan_khau")]
    assert await counts(sessions) == before


async def test_skip_invalid_writes_the_valid_rows_and_lists_the_others(
    sessions: Sessions, now: datetime, tmp_path: Path
) -> None:
    rows = [household("H1"), household("H2", so_nhan_khau="abc"), household("H3")]
    summary = await run_import(
        sessions, write_csv(tmp_path / "h.csv", rows), now, skip_invalid=True
    )
    assert (summary.created, summary.updated, summary.unchanged) == (2, 0, 0)
    assert summary.invalid_rows == 1
    assert [(i.row, i.column) for i in summary.errors] == [(3, "so_nhan_khau")]
    async with sessions() as session:
        codes = (await session.scalars(select(Household.code).order_by(Household.code))).all()
    assert codes == ["H1", "H3"]


async def test_commune_without_province_that_is_unknown_is_a_row_error(
    sessions: Sessions, now: datetime, tmp_path: Path
) -> None:
    rows = [household("H1"), household("H2", tinh="", xa="Xã Lạ"), household("H3", tinh="")]
    with pytest.raises(ImportRejectedError) as caught:
        await run_import(sessions, write_csv(tmp_path / "h.csv", rows), now)
    issue = caught.value.issues[0]
    assert (issue.row, issue.column, issue.params) == (3, "xa", {"xa": "Xã Lạ"})
    assert await counts(sessions) == (0, 0, 0, 0)


async def test_commune_known_in_one_province_needs_no_province_column(
    sessions: Sessions, now: datetime, tmp_path: Path
) -> None:
    rows = [household("H1"), household("H2", tinh="")]
    summary = await run_import(sessions, write_csv(tmp_path / "h.csv", rows), now)
    assert summary.created == 2
    async with sessions() as session:
        provinces = set((await session.scalars(select(Household.province_id))).all())
    assert len(provinces) == 1


async def test_reimport_reports_updated_and_unchanged(
    sessions: Sessions, now: datetime, tmp_path: Path
) -> None:
    first = [household("H1"), household("H2")]
    await run_import(sessions, write_csv(tmp_path / "a.csv", first), now)
    second = [household("H1", so_nhan_khau="6"), household("H2"), household("H3")]
    summary = await run_import(sessions, write_csv(tmp_path / "b.csv", second), now)
    assert (summary.created, summary.updated, summary.unchanged) == (1, 1, 1)
    assert (await counts(sessions))[0] == 3


async def test_blank_status_is_recorded_as_not_poor_for_the_year(
    sessions: Sessions, now: datetime, tmp_path: Path
) -> None:
    await run_import(sessions, write_csv(tmp_path / "h.csv", [household("H1")]), now)
    async with sessions() as session:
        record = (await session.execute(select(OfficialRecord.status, OfficialRecord.year))).one()
    assert tuple(record) == ("khong", 2025)


async def test_places_are_looked_up_once_per_import(
    sessions: Sessions, engine: AsyncEngine, now: datetime, tmp_path: Path
) -> None:
    """The tree that checked the rows' places is the one that writes them: each unit is looked
    up once, however many rows, batches or checks name it."""
    rows = [household("H1"), household("H2"), household("H3", thon="Thôn 2")]
    path = write_csv(tmp_path / "h.csv", rows)
    lookups: list[str] = []

    def count(*args: object) -> None:
        if str(args[2]).startswith("SELECT admin_units."):
            lookups.append(str(args[2]))

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        assert (await run_import(sessions, path, now)).created == 3
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    assert len(lookups) == 4  # province, commune, two villages


def but(table: Any, *names: str) -> list[Any]:
    return [column for column in table.c if column.name not in names]


async def stored(sessions: Sessions) -> dict[str, list[tuple[object, ...]]]:
    """Every household-related row by household code, without ids and timestamps."""
    async with sessions() as session:
        codes = dict((await session.execute(select(Household.id, Household.code))).all())
        households = await session.execute(
            select(Household)
            .order_by(Household.code)
            .with_only_columns(
                *(
                    c
                    for c in Household.__table__.c
                    if c.name not in ("id", "created_at", "updated_at")
                )
            )
        )
        records = await session.execute(select(*but(OfficialRecord.__table__, "id", "updated_at")))
        followups = await session.execute(
            select(
                FollowUp.household_id, FollowUp.indicator, FollowUp.policy_codes, FollowUp.due_on
            )
        )
        assignments = await session.execute(
            select(MentorAssignment.household_id, User.phone).join(
                User, User.id == MentorAssignment.mentor_user_id
            )
        )
        audit = await session.execute(
            select(AuditLog.action, AuditLog.entity_id, AuditLog.details).order_by(AuditLog.id)
        )
        return {
            "households": [tuple(row) for row in households],
            "records": sorted((codes[row[0]], *row[1:]) for row in records),
            "followups": sorted((codes[h], i, tuple(p), d) for h, i, p, d in followups),
            "assignments": sorted((codes[h], phone) for h, phone in assignments),
            "audit": sorted(
                (action, codes[int(entity_id)], sorted(details.items()).__repr__())
                for action, entity_id, details in audit
                if action.startswith("household.")
            ),
        }


async def test_a_file_is_written_as_saving_its_rows_one_by_one_writes_it(
    sessions: Sessions, now: datetime, tmp_path: Path
) -> None:
    """The importer hands the saver the file's columns, with deprivation masks summed column by
    column; the same rows given one by one to save_households must leave the same data."""
    statuses = ["ngheo", "can_ngheo", "trung_binh", "khong", ""]
    rows = [
        household(
            f"H{n:03d}",
            thon=f"Thôn {n % 3}",
            phan_loai=statuses[n % 5],
            nhom="btxh" if statuses[n % 5] == "ngheo" else "",
            thu_nhap_binh_quan=str(900_000 + n) if n % 4 else "",
            thieu_bhyt=("1", "0", "")[n % 3],
            thieu_nha_tieu=("1", "0", "", "x")[n % 4],
            thieu_viec_lam=("", "1")[n % 2],
            nguoi_do_dau_sdt="0912345678" if n % 6 == 0 else "",
        )
        for n in range(40)
    ]
    path = write_csv(tmp_path / "h.csv", rows)
    summary = await run_import(sessions, path, now)
    assert summary.created == 40
    imported = await stored(sessions)
    assert imported["followups"]
    await empty(sessions)
    async with sessions() as session, session.begin():
        one_by_one = list(read_households(path, default_year=2025).rows)
        await save_households(session, one_by_one, ACTOR, now, default_year=2025, tz=PEOPLE_TZ)
    assert await stored(sessions) == imported
