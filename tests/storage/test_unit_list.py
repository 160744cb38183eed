"""Loading an official list of units (code, name, type, parent code): row by row checks, all or
nothing, matching units already on file, and the tree ``units list`` prints."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.importing import ImportRejectedError
from exchange.importing.unit_rows import read_unit_list
from storage.audit import Actor
from storage.models import AdminUnit, AuditLog
from storage.unit_list import UnitImportSummary, import_unit_list, unit_tree
from storage.units import find_unit
from tests.conftest import FIXED_NOW
from tests.storage.factories import Factory

ACTOR = Actor("test:units")
HEADER = "ma,ten,loai,ma_cap_tren\n"
LIST = (
    HEADER
    + "45,Quảng Trị,Tỉnh,\n"
    + "19459,Cam Lộ,Xã,45\n"
    + "19460,Hiếu Giang,Xã,45\n"
    + "DK01,Côn Đảo,Đặc khu,45\n"
)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "don_vi.csv"
    path.write_text(text, encoding="utf-8")
    return path


async def load(sessions: async_sessionmaker[AsyncSession], path: Path) -> UnitImportSummary:
    checked = read_unit_list(path)
    async with sessions() as session, session.begin():
        return await import_unit_list(session, checked, ACTOR, FIXED_NOW)


async def count_units(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(AdminUnit)) or 0)


async def test_an_official_list_creates_units_with_their_kind_and_code(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    summary = await load(sessions, write(tmp_path, LIST))

    assert summary == UnitImportSummary(created=4, updated=0, unchanged=0)
    async with sessions() as session:
        commune = await find_unit(session, "19459")
        special = await find_unit(session, "Đặc khu Côn Đảo")
        audits = await session.scalar(select(func.count()).select_from(AuditLog))
    assert (commune.name, commune.kind, commune.level) == ("Xã Cam Lộ", "xa", "commune")
    assert (special.kind, special.level, special.official_code) == ("dac_khu", "commune", "DK01")
    assert audits == 4


async def test_loading_the_same_list_again_changes_nothing(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    path = write(tmp_path, LIST)
    await load(sessions, path)

    again = await load(sessions, path)

    assert again == UnitImportSummary(created=0, updated=0, unchanged=4)
    assert await count_units(sessions) == 4


async def test_units_already_on_file_are_matched_by_name_and_get_the_code(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    async with sessions() as session, session.begin():
        make = Factory(session)
        province = await make.unit("Quảng Trị", "province")
        await make.unit("Cam Lộ", "commune", province)

    summary = await load(sessions, write(tmp_path, LIST))

    assert summary == UnitImportSummary(created=2, updated=2, unchanged=0)
    assert await count_units(sessions) == 4
    async with sessions() as session:
        assert (await find_unit(session, "45")).name == "Quảng Trị"


async def test_a_list_with_bad_rows_is_refused_row_by_row_and_nothing_is_written(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    text = (
        HEADER
        + "45,Quảng Trị,Tỉnh,\n"
        + "19459,Cam Lộ,Huyện lỵ,45\n"  # unknown type
        + "19460,Hiếu Giang,Xã,99\n"  # unknown parent
        + "19461,Cam Hiếu,Xã,\n"  # a commune needs a parent
        + "45,Quảng Trị,Tỉnh,\n"  # code given twice
        + "A1,Thôn Một,Thôn,A2\n"
        + "A2,Thôn Hai,Thôn,A1\n"  # cycle
        + "19462,,Xã,45\n"  # no name
    )

    with pytest.raises(ImportRejectedError) as raised:
        await load(sessions, write(tmp_path, text))

    rows = sorted({issue.row for issue in raised.value.issues if issue.row is not None})
    assert rows == [3, 4, 5, 6, 7, 8, 9]
    assert await count_units(sessions) == 0


async def test_the_tree_lists_current_units_and_former_ones_on_request(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await load(sessions, write(tmp_path, LIST))
    async with sessions() as session, session.begin():
        make = Factory(session)
        province = await session.scalar(select(AdminUnit).where(AdminUnit.official_code == "45"))
        assert province is not None
        old = await make.unit("Huyện Cam Lộ", "district", province)
        old.valid_to = date(2025, 7, 1)

    async with sessions() as session:
        root = await find_unit(session, "45")
        now = [(line.depth, line.unit.name) for line in await unit_tree(session, root)]
        then = [line.unit.name for line in await unit_tree(session, None, history=True)]

    assert now == [
        (0, "Tỉnh Quảng Trị"),
        (1, "Xã Cam Lộ"),
        (1, "Đặc khu Côn Đảo"),
        (1, "Xã Hiếu Giang"),
    ]
    assert then[-1] == "Huyện Cam Lộ"
