"""Applying a reorganisation: three communes of a district merged into one new commune, with
villages, households, users and open follow-ups inside; dry run, re-run and refused files."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.importing import ImportRejectedError, import_households, read_households
from exchange.importing.reorganisation_rows import read_reorganisation
from storage.audit import Actor
from storage.models import (
    AdminUnit,
    AuditLog,
    FollowUp,
    Household,
    HouseholdPlan,
    Invite,
    MentorAssignment,
    RoleGrant,
    User,
)
from storage.reorganisation import ReorganisationResult, reorganise
from storage.reports import appendix_1
from storage.units import find_unit, former_note
from tests.conftest import FIXED_NOW, PEOPLE_TZ
from tests.fixtures.household_files import household, write_csv
from tests.storage.factories import Factory, Spec

ACTOR = Actor("test:reorganise")
MERGE = (
    "don_vi_cu,don_vi_moi,ngay_hieu_luc\n"
    "Huyện Cam Lộ / Thị trấn Cam Lộ,Tỉnh Quảng Trị / Xã Cam Lộ,01/07/2025\n"
    "Huyện Cam Lộ / Xã Cam Thành,Tỉnh Quảng Trị / Xã Cam Lộ,01/07/2025\n"
    "Quảng Trị / Cam Lộ / Cam Tuyền,Tỉnh Quảng Trị / Xã Cam Lộ,01/07/2025\n"
)


@dataclass(frozen=True)
class Area:
    units: dict[str, int]
    households: dict[str, list[int]]
    manager: int


async def build(sessions: async_sessionmaker[AsyncSession]) -> Area:
    """Huyện Cam Lộ with Thị trấn Cam Lộ (Khu phố 1), Xã Cam Thành (Thôn Tân Định) and Xã Cam
    Tuyền (Thôn An Mỹ), three households each; Huyện Gio Linh with Xã Gio An, untouched.
    A manager of Cam Thành, an invite for the town, a mentor with an open follow-up and a plan
    for a household of Cam Tuyền."""
    async with sessions() as session, session.begin():
        make = Factory(session)
        province = await make.unit("Tỉnh Quảng Trị", "province")
        district = await make.unit("Huyện Cam Lộ", "district", province)
        town = await make.unit("Thị trấn Cam Lộ", "commune", district)
        thanh = await make.unit("Xã Cam Thành", "commune", district)
        tuyen = await make.unit("Xã Cam Tuyền", "commune", district)
        other = await make.unit("Huyện Gio Linh", "district", province)
        gio_an = await make.unit("Xã Gio An", "commune", other)
        villages = {
            "khu_pho_1": await make.unit("Khu phố 1", "village", town),
            "tan_dinh": await make.unit("Thôn Tân Định", "village", thanh),
            "an_my": await make.unit("Thôn An Mỹ", "village", tuyen),
        }
        households = {
            key: await make.households(village, 2022, [Spec("ngheo"), Spec("khong"), Spec("khong")])
            for key, village in villages.items()
        }
        households["gio_an"] = await make.households(gio_an, 2022, [Spec("khong")])
        manager = User(name="Lãnh đạo Cam Thành", phone="+84900000111", created_at=FIXED_NOW)
        mentor = User(name="Người đỡ đầu", phone="+84900000112", created_at=FIXED_NOW)
        session.add_all([manager, mentor])
        await session.flush()
        poor = households["an_my"][0]
        session.add_all(
            [
                RoleGrant(
                    user_id=manager.id, role="manager", unit_id=thanh.id, granted_at=FIXED_NOW
                ),
                Invite(
                    code_hash="a" * 64,
                    role="cadre",
                    unit_id=town.id,
                    created_at=FIXED_NOW,
                    expires_at=FIXED_NOW + timedelta(days=7),
                ),
                MentorAssignment(
                    household_id=poor, mentor_user_id=mentor.id, valid_from=date(2025, 1, 1)
                ),
                FollowUp(
                    household_id=poor,
                    indicator="bhyt",
                    policy_codes=[],
                    state="open",
                    due_on=date(2026, 12, 20),
                    opened_at=FIXED_NOW,
                ),
                HouseholdPlan(household_id=poor, updated_at=FIXED_NOW),
            ]
        )
    units = {
        "province": province.id,
        "district": district.id,
        "town": town.id,
        "thanh": thanh.id,
        "tuyen": tuyen.id,
        "other": other.id,
        "gio_an": gio_an.id,
    } | {key: row.id for key, row in villages.items()}
    return Area(units, households, manager.id)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sap_xep.csv"
    path.write_text(text, encoding="utf-8")
    return path


async def apply(
    sessions: async_sessionmaker[AsyncSession], path: Path, *, dry_run: bool = False
) -> ReorganisationResult:
    checked = read_reorganisation(path)
    assert checked.errors == ()
    async with sessions() as session:
        transaction = await session.begin()
        try:
            result = await reorganise(session, checked.rows, ACTOR, FIXED_NOW)
        except BaseException:
            await transaction.rollback()
            raise
        if dry_run:
            await transaction.rollback()
        else:
            await transaction.commit()
    return result


async def snapshot(sessions: async_sessionmaker[AsyncSession]) -> tuple[object, ...]:
    async with sessions() as session:
        units = (
            await session.execute(
                select(
                    AdminUnit.id,
                    AdminUnit.parent_id,
                    AdminUnit.path,
                    AdminUnit.valid_to,
                    AdminUnit.replaced_by_id,
                ).order_by(AdminUnit.id)
            )
        ).all()
        households = (
            await session.execute(
                select(
                    Household.id,
                    Household.unit_id,
                    Household.province_id,
                    Household.district_id,
                    Household.commune_id,
                    Household.village_id,
                ).order_by(Household.id)
            )
        ).all()
        grants = (await session.execute(select(RoleGrant.id, RoleGrant.unit_id))).all()
        invites = (await session.execute(select(Invite.id, Invite.unit_id))).all()
        audits = await session.scalar(select(func.count()).select_from(AuditLog))
    return (tuple(units), tuple(households), tuple(grants), tuple(invites), audits)


async def test_three_communes_merge_into_one_new_commune_with_everything_inside(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    area = await build(sessions)

    result = await apply(sessions, write(tmp_path, MERGE))

    assert [(m.row, m.operation, m.households) for m in result.moves] == [
        (2, "merge", 3),
        (3, "merge", 3),
        (4, "merge", 3),
    ]
    assert [m.created for m in result.moves] == [True, False, False]
    assert result.moves[2].followups == result.moves[2].assignments == 1
    assert result.moves[2].plans == 1
    assert result.closed == ("Tỉnh Quảng Trị / Huyện Cam Lộ",)
    async with sessions() as session:
        new = await find_unit(session, "Cam Lộ")
        assert (new.name, new.kind, new.level, new.valid_from) == (
            "Xã Cam Lộ",
            "xa",
            "commune",
            date(2025, 7, 1),
        )
        assert new.parent_id == area.units["province"]
        villages = (
            await session.scalars(
                select(AdminUnit.name).where(AdminUnit.parent_id == new.id).order_by(AdminUnit.name)
            )
        ).all()
        assert villages == ["Khu phố 1", "Thôn An Mỹ", "Thôn Tân Định"]
        moved = (
            await session.execute(
                select(Household.province_id, Household.district_id, Household.commune_id).where(
                    Household.id.in_(area.households["an_my"] + area.households["tan_dinh"])
                )
            )
        ).all()
        assert set(moved) == {(area.units["province"], None, new.id)}
        untouched = await session.get(Household, area.households["gio_an"][0])
        assert untouched is not None
        assert untouched.commune_id == area.units["gio_an"]
        grant = await session.scalar(select(RoleGrant).where(RoleGrant.user_id == area.manager))
        invite = await session.scalar(select(Invite))
        assert grant is not None
        assert invite is not None
        assert grant.unit_id == invite.unit_id == new.id
        followup = await session.scalar(select(FollowUp))
        assert followup is not None
        assert followup.state == "open"
        for key in ("town", "thanh", "tuyen"):
            old = await session.get(AdminUnit, area.units[key])
            assert old is not None
            assert (old.valid_to, old.replaced_by_id) == (date(2025, 7, 1), new.id)
        district = await session.get(AdminUnit, area.units["district"])
        assert district is not None
        assert (district.valid_to, district.replaced_by_id) == (date(2025, 7, 1), None)
        gio_linh = await session.get(AdminUnit, area.units["other"])
        assert gio_linh is not None
        assert gio_linh.valid_to is None
        town = await find_unit(session, "Thị trấn Cam Lộ")
        note = await former_note(session, town)
        assert note is not None
        assert note.render(str) == (
            "“Thị trấn Cam Lộ” đã được sáp nhập vào “Tỉnh Quảng Trị / Xã Cam Lộ” "
            "từ ngày 01/07/2025."
        )
        actions = dict(
            (
                await session.execute(
                    select(AuditLog.action, func.count()).group_by(AuditLog.action)
                )
            ).all()
        )
    assert actions == {
        "unit.created": 1,
        "unit.moved": 3,
        "unit.closed": 4,
        "unit.reassigned": 2,
        "household.moved": 9,
    }


async def test_a_dry_run_reports_the_moves_and_changes_nothing(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await build(sessions)
    before = await snapshot(sessions)

    result = await apply(sessions, write(tmp_path, MERGE), dry_run=True)

    assert len(result.moves) == 3
    assert await snapshot(sessions) == before


async def test_running_the_same_file_again_changes_nothing(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await build(sessions)
    path = write(tmp_path, MERGE)
    await apply(sessions, path)
    after_first = await snapshot(sessions)

    again = await apply(sessions, path)

    assert again.moves == ()
    assert again.unchanged_rows == (2, 3, 4)
    assert await snapshot(sessions) == after_first


async def test_a_village_on_its_own_line_goes_elsewhere_than_its_commune(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    area = await build(sessions)
    text = MERGE + "Cam Tuyền / Thôn An Mỹ,Huyện Gio Linh / Xã Gio An,01/07/2025\n"

    result = await apply(sessions, write(tmp_path, text))

    assert [m.operation for m in result.moves] == ["move", "merge", "merge", "merge"]
    async with sessions() as session:
        village = await session.get(AdminUnit, area.units["an_my"])
        assert village is not None
        assert (village.parent_id, village.valid_to) == (area.units["gio_an"], None)
        communes = (
            await session.scalars(
                select(Household.commune_id).where(Household.id.in_(area.households["an_my"]))
            )
        ).all()
        assert set(communes) == {area.units["gio_an"]}


@pytest.mark.parametrize(
    ("extra", "rows"),
    [
        ("Huyện Cam Lộ / Xã Cam Hiếu,Tỉnh Quảng Trị / Xã Cam Lộ,01/07/2025\n", [5]),  # unknown
        ("Xã Cam Thành,Huyện Gio Linh / Xã Gio An,01/07/2025\n", [3, 5]),  # two places
        ("Xã Gio An,Xã Cam Tuyền,01/07/2025\nXã Cam Tuyền,Xã Gio An,01/07/2025\n", [4, 5, 6]),
        ("Huyện Gio Linh,Tỉnh Quảng Trị / Xã Cam Lộ,01/07/2025\n", [5]),  # a district
        ("Thôn An Mỹ,Tỉnh Quảng Trị,01/07/2025\n", [5]),  # a village into a province
    ],
)
async def test_a_bad_file_is_refused_row_by_row_and_nothing_changes(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path, extra: str, rows: list[int]
) -> None:
    await build(sessions)
    before = await snapshot(sessions)

    with pytest.raises(ImportRejectedError) as raised:
        await apply(sessions, write(tmp_path, MERGE + extra))

    assert sorted({issue.row for issue in raised.value.issues if issue.row}) == rows
    assert await snapshot(sessions) == before


async def test_villages_of_the_same_name_are_refused_until_one_is_renamed(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    area = await build(sessions)
    async with sessions() as session, session.begin():
        thanh = await session.get(AdminUnit, area.units["thanh"])
        assert thanh is not None
        await Factory(session).unit("Thôn An Mỹ", "village", thanh)
    before = await snapshot(sessions)

    with pytest.raises(ImportRejectedError) as raised:
        await apply(sessions, write(tmp_path, MERGE))
    renamed = MERGE + "Cam Tuyền / Thôn An Mỹ,Xã Cam Lộ / Thôn An Mỹ 2,01/07/2025\n"
    result = await apply(sessions, write(tmp_path, renamed))

    assert [issue.row for issue in raised.value.issues] == [4]
    assert await snapshot(sessions) != before
    assert result.moves[0].operation == "merge"


async def test_an_old_household_file_after_the_merge_goes_to_the_new_commune(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    area = await build(sessions)
    await apply(sessions, write(tmp_path, MERGE))
    path = write_csv(
        tmp_path / "ho_cu.csv",
        [
            household(
                "CU-1", tinh="Tỉnh Quảng Trị", huyen="Huyện Cam Lộ", xa="Xã Cam Tuyền",
                thon="Thôn An Mỹ",
            )
        ],
    )  # fmt: skip

    checked = read_households(path, default_year=2022)
    async with sessions() as session, session.begin():
        await import_households(session, checked, ACTOR, FIXED_NOW, default_year=2022, tz=PEOPLE_TZ)

    async with sessions() as session:
        new = await find_unit(session, "Tỉnh Quảng Trị / Xã Cam Lộ")
        imported = await session.scalar(select(Household).where(Household.code == "CU-1"))
    assert imported is not None
    assert (imported.unit_id, imported.commune_id, imported.district_id) == (
        area.units["an_my"],
        new.id,
        None,
    )


async def test_a_province_merged_into_another_brings_its_communes_and_records(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    async with sessions() as session, session.begin():
        make = Factory(session)
        kept = await make.unit("Tỉnh Quảng Trị", "province")
        merged = await make.unit("Tỉnh Quảng Bình", "province")
        commune = await make.unit("Xã Bảo Ninh", "commune", merged)
        village = await make.unit("Thôn Sa Động", "village", commune)
        households = await make.households(village, 2022, [Spec("ngheo"), Spec("khong")])
    path = write(
        tmp_path, "don_vi_cu,don_vi_moi,ngay_hieu_luc\nTỉnh Quảng Bình,Tỉnh Quảng Trị,01/07/2025\n"
    )

    result = await apply(sessions, path)

    assert [(m.operation, m.villages, m.households) for m in result.moves] == [("merge", 1, 2)]
    async with sessions() as session:
        found = await find_unit(session, "Tỉnh Quảng Trị / Xã Bảo Ninh / Thôn Sa Động")
        placed = (
            await session.scalars(select(Household.province_id).where(Household.id.in_(households)))
        ).all()
        report = await appendix_1(session, await find_unit(session, "Tỉnh Quảng Trị"), 2022)
        former = await appendix_1(
            session, await find_unit(session, "Tỉnh Quảng Bình"), 2022, former_units=True
        )
    assert found.id == village.id
    assert set(placed) == {kept.id}
    assert [(row.name, row["tong_so_ho"]) for row in report.rows] == [("Xã Bảo Ninh", 2)]
    assert [(row.name, row["tong_so_ho"]) for row in former.rows] == [("Xã Bảo Ninh", 2)]
