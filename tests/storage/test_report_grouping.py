"""Which rows an appendix has, for each level of unit it covers."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.reports import appendix_1, appendix_2
from storage.reports.model import Report
from tests.storage.factories import Factory, Spec, as_unit

POOR = Spec("ngheo", "bao_tro_xa_hoi", deprived=("viec_lam", "bhyt", "nha_tieu"))
NOT_POOR = Spec("khong")


def identity(text: str) -> str:
    return text


def table(report: Report) -> list[tuple[str, int, int]]:
    return [
        (row.label(identity), int(row["tong_so_ho"]), int(row["ho_ngheo"]))
        for row in report.all_rows
    ]


async def test_commune_rows_are_its_villages_then_households_outside_any_village(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        make = Factory(session)
        province = await make.unit("Quảng Trị", "province")
        commune = await make.unit("Cam Tuyên", "commune", province)
        upper = await make.unit("Thôn Thượng", "village", commune)
        await make.unit("Thôn Giữa", "village", commune)
        lower = await make.unit("Thôn Hạ", "village", commune)
        await make.households(upper, 2025, [POOR, NOT_POOR, NOT_POOR])
        await make.households(lower, 2025, [NOT_POOR])
        await make.households(commune, 2025, [POOR, NOT_POOR])
    async with sessions() as session:
        report = await appendix_1(session, as_unit(commune), 2025)

    assert table(report) == [
        ("Thôn Thượng", 3, 1),
        ("Thôn Giữa", 0, 0),
        ("Thôn Hạ", 1, 0),
        ("Không thuộc thôn nào", 2, 1),
        ("Tổng cộng", 6, 2),
    ]
    assert report.rows[0]["ty_le_ngheo"] == Decimal("33.33")
    assert report.rows[1]["ty_le_ngheo"] == Decimal("0.00")


async def test_commune_without_households_outside_villages_has_no_such_row(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        make = Factory(session)
        province = await make.unit("Quảng Trị", "province")
        commune = await make.unit("Cam Tuyên", "commune", province)
        village = await make.unit("Thôn Thượng", "village", commune)
        await make.households(village, 2025, [POOR])
    async with sessions() as session:
        report = await appendix_1(session, as_unit(commune), 2025)

    assert table(report) == [("Thôn Thượng", 1, 1), ("Tổng cộng", 1, 1)]


async def test_province_with_districts_groups_by_district_and_communes_placed_directly(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        make = Factory(session)
        province = await make.unit("Quảng Trị", "province")
        cam_lo = await make.unit("Cam Lộ", "district", province)
        await make.unit("Đakrông", "district", province)
        cam_tuyen = await make.unit("Cam Tuyên", "commune", cam_lo)
        cam_hieu = await make.unit("Cam Hiếu", "commune", cam_lo)
        direct = await make.unit("Cồn Cỏ", "commune", province)
        await make.households(cam_tuyen, 2025, [POOR, NOT_POOR])
        await make.households(cam_hieu, 2025, [NOT_POOR])
        await make.households(direct, 2025, [POOR])
    async with sessions() as session:
        report = await appendix_1(session, as_unit(province), 2025)

    assert table(report) == [
        ("Cam Lộ", 3, 1),
        ("Đakrông", 0, 0),
        ("Cồn Cỏ", 1, 1),
        ("Tổng cộng", 4, 2),
    ]


async def test_province_without_districts_groups_by_commune(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        make = Factory(session)
        province = await make.unit("Quảng Trị", "province")
        first = await make.unit("Cam Lộ", "commune", province)
        second = await make.unit("Hiếu Giang", "commune", province)
        village = await make.unit("Thôn Một", "village", second)
        await make.households(first, 2025, [POOR, POOR, NOT_POOR])
        await make.households(village, 2025, [NOT_POOR])
    async with sessions() as session:
        report = await appendix_1(session, as_unit(province), 2025)

    assert table(report) == [("Cam Lộ", 3, 2), ("Hiếu Giang", 1, 0), ("Tổng cộng", 4, 2)]


async def test_district_rows_are_its_communes_in_id_order_including_empty_ones(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        make = Factory(session)
        province = await make.unit("Quảng Trị", "province")
        district = await make.unit("Cam Lộ", "district", province)
        await make.unit("Thanh An", "commune", district)
        cam_thanh = await make.unit("Cam Thành", "commune", district)
        await make.households(cam_thanh, 2025, [POOR])
    async with sessions() as session:
        report = await appendix_2(session, as_unit(district), 2025)

    assert [row.name for row in report.rows] == ["Thanh An", "Cam Thành"]
    assert [row["ho_ngheo"] for row in report.all_rows] == [0, 1, 1]
    assert [row["bhyt"] for row in report.all_rows] == [0, 1, 1]
    assert report.rows[0]["viec_lam"] == 0


async def test_village_report_is_a_single_row_and_the_total(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        make = Factory(session)
        province = await make.unit("Quảng Trị", "province")
        commune = await make.unit("Cam Tuyên", "commune", province)
        village = await make.unit("Thôn Thượng", "village", commune)
        other = await make.unit("Thôn Hạ", "village", commune)
        await make.households(village, 2025, [POOR, NOT_POOR])
        await make.households(other, 2025, [POOR])
    async with sessions() as session:
        report = await appendix_1(session, as_unit(village), 2025)

    assert table(report) == [("Thôn Thượng", 2, 1), ("Tổng cộng", 2, 1)]


async def test_records_of_a_commune_moved_since_keep_their_row(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        make = Factory(session)
        province = await make.unit("Quảng Trị", "province")
        old = await make.unit("Cam Lộ", "district", province)
        new = await make.unit("Đông Hà", "district", province)
        stayed = await make.unit("Cam Hiếu", "commune", old)
        moved = await make.unit("Cam Thanh", "commune", new)
        await make.households(stayed, 2020, [NOT_POOR])
        await make.households(
            moved,
            2020,
            [POOR],
            placement={
                "province_id": province.id,
                "district_id": old.id,
                "commune_id": moved.id,
                "village_id": None,
            },
        )
    async with sessions() as session:
        report = await appendix_1(session, as_unit(old), 2020)

    assert table(report) == [("Cam Hiếu", 1, 0), ("Cam Thanh", 1, 1), ("Tổng cộng", 2, 1)]


async def test_unit_without_households_gives_zero_rows_and_a_note(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        make = Factory(session)
        province = await make.unit("Quảng Trị", "province")
        district = await make.unit("Cam Lộ", "district", province)
        await make.unit("Cam Tuyên", "commune", district)
    async with sessions() as session:
        report = await appendix_1(session, as_unit(district), 2025)

    assert table(report) == [("Cam Tuyên", 0, 0), ("Tổng cộng", 0, 0)]
    assert report.total["ty_le_ngheo"] == Decimal("0.00")
    assert report.warnings == ()
    assert report.note is not None
    assert report.note.render(identity) == "Chưa có số liệu hộ năm 2025 của Quảng Trị / Cam Lộ."


async def test_year_without_records_gives_zeros_and_a_note(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        make = Factory(session)
        province = await make.unit("Quảng Trị", "province")
        commune = await make.unit("Cam Tuyên", "commune", province)
        await make.households(commune, 2024, [POOR, NOT_POOR])
    async with sessions() as session:
        first = await appendix_1(session, as_unit(commune), 2025)
        second = await appendix_2(session, as_unit(commune), 2025)

    assert table(first) == [("Không thuộc thôn nào", 0, 0), ("Tổng cộng", 0, 0)]
    assert first.note is not None
    assert second.total["ho_ngheo"] == 0
    assert second.note is not None
    assert second.note.render(identity) == "Không có hộ nghèo năm 2025 của Quảng Trị / Cam Tuyên."
