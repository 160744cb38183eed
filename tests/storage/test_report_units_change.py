"""Reports across a reorganisation: by today's units for every year (the 2022 baseline
re-grouped into the new commune), or by the units as they were (``former_units``), with the
warnings in both."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import Household
from storage.reports import Report, appendix_1, appendix_2
from storage.units import find_unit
from tests.storage.test_reorganisation import MERGE, apply, build, write


def identity(text: str) -> str:
    return text


def table(report: Report) -> list[tuple[str, int]]:
    return [(row.label(identity), int(row.values[report.keys[1]] or 0)) for row in report.rows]


def warnings(report: Report) -> list[tuple[str, str]]:
    return [(w.unit_label(identity), w.message.render(identity)) for w in report.warnings]


async def reports(
    sessions: async_sessionmaker[AsyncSession], under: str, *, former_units: bool = False
) -> tuple[Report, Report]:
    async with sessions() as session:
        unit = await find_unit(session, under)
        first = await appendix_1(session, unit, 2022, former_units=former_units)
        second = await appendix_2(session, unit, 2022, former_units=former_units)
    return first, second


async def merged(sessions: async_sessionmaker[AsyncSession], tmp_path: Path) -> None:
    area = await build(sessions)
    async with sessions() as session, session.begin():
        await session.execute(
            update(Household)
            .where(Household.id == area.households["tan_dinh"][0])
            .values(latest_class="khong")
        )


async def test_the_2022_baseline_is_regrouped_into_the_new_commune(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await merged(sessions, tmp_path)
    await apply(sessions, write(tmp_path, MERGE))

    province, _ = await reports(sessions, "Tỉnh Quảng Trị")
    commune, second = await reports(sessions, "Xã Cam Lộ")

    assert table(province) == [("Huyện Gio Linh", 1), ("Xã Cam Lộ", 9)]
    assert table(commune) == [("Khu phố 1", 3), ("Thôn Tân Định", 3), ("Thôn An Mỹ", 3)]
    assert commune.total["ho_ngheo"] == second.total["ho_ngheo"] == 3
    assert (
        "Thôn Tân Định",
        "1 hộ có phân loại chính thức khác kết quả rà soát gần nhất.",
    ) in warnings(commune)


async def test_former_units_reproduce_the_2022_tables_exactly(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await merged(sessions, tmp_path)
    before_district = await reports(sessions, "Huyện Cam Lộ")
    before_province = await reports(sessions, "Tỉnh Quảng Trị")
    await apply(sessions, write(tmp_path, MERGE))

    after_district = await reports(sessions, "Huyện Cam Lộ", former_units=True)
    after_province = await reports(sessions, "Tỉnh Quảng Trị", former_units=True)

    for before, after in (
        (before_district, after_district),
        (before_province, after_province),
    ):
        for old, new in zip(before, after, strict=True):
            assert table(new) == table(old)
            assert new.rows == old.rows
            assert new.total == old.total
            assert warnings(new) == warnings(old)
    assert table(after_district[0]) == [
        ("Thị trấn Cam Lộ", 3),
        ("Xã Cam Thành", 3),
        ("Xã Cam Tuyền", 3),
    ]
    disagreement = ("Xã Cam Thành", "1 hộ có phân loại chính thức khác kết quả rà soát gần nhất.")
    assert disagreement in warnings(after_district[0])
