"""Warnings of the appendices: what does not add up, counted per unit."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.reports import Report, appendix_1, appendix_2
from tests.storage.factories import Factory, Spec, as_unit

THREE = ("viec_lam", "bhyt", "nha_tieu")
TWO = ("viec_lam", "bhyt")


def identity(text: str) -> str:
    return text


def rendered(report: Report) -> list[tuple[str, str]]:
    return [(w.unit_label(identity), w.message.render(identity)) for w in report.warnings]


async def test_official_status_that_disagrees_with_the_latest_assessment_is_counted_per_unit(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        make = Factory(session)
        province = await make.unit("Quảng Trị", "province")
        district = await make.unit("Cam Lộ", "district", province)
        first = await make.unit("Cam Tuyên", "commune", district)
        second = await make.unit("Cam Hiếu", "commune", district)
        poor = Spec("ngheo", "bao_tro_xa_hoi", deprived=THREE)
        await make.households(
            first,
            2025,
            [
                Spec("khong", latest_class="ngheo"),
                Spec("can_ngheo", latest_class="trung_binh"),
                Spec("khong", latest_class="khong"),
                Spec("khong"),
                Spec("ngheo", "bao_tro_xa_hoi", deprived=THREE, latest_class="can_ngheo"),
            ],
        )
        await make.households(second, 2025, [poor, Spec("khong", latest_class="khong")])
    async with sessions() as session:
        report = await appendix_1(session, as_unit(district), 2025)
        second_report = await appendix_2(session, as_unit(district), 2025)

    assert rendered(report) == [
        ("Cam Tuyên", "3 hộ có phân loại chính thức khác kết quả rà soát gần nhất.")
    ]
    assert report.summary.status_disagrees == 3
    assert rendered(second_report) == rendered(report)


async def test_poor_household_with_fewer_deprivations_than_the_standard_requires_is_flagged(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        make = Factory(session)
        province = await make.unit("Quảng Trị", "province")
        commune = await make.unit("Cam Tuyên", "commune", province)
        await make.households(
            commune,
            2023,
            [
                Spec("ngheo", "bao_tro_xa_hoi", deprived=TWO, income=500_000),
                Spec("ngheo", "bao_tro_xa_hoi", deprived=THREE),
                Spec("ngheo", "chinh_sach_giam_ngheo", deprived=()),
                Spec("can_ngheo", deprived=()),
            ],
        )
    async with sessions() as session:
        report = await appendix_1(session, as_unit(commune), 2023)

    assert rendered(report) == [
        (
            "Không thuộc thôn nào",
            "2 hộ nghèo có ít hơn 3 chỉ số thiếu hụt theo chuẩn 2022-2025.",
        )
    ]
    assert report.summary.too_few_deprivations == 2


async def test_2016_household_poor_by_income_alone_is_not_flagged_for_few_deprivations(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        make = Factory(session)
        province = await make.unit("Quảng Trị", "province")
        commune = await make.unit("Cam Tuyên", "commune", province)
        poor = "ngheo"
        group = "bao_tro_xa_hoi"
        await make.households(
            commune,
            2018,
            [
                Spec(poor, group, deprived=("bhyt",), income=650_000),
                Spec(poor, group, deprived=("bhyt",), income=700_000),
                Spec(poor, group, deprived=(), income=880_000, area="thanh_thi"),
                Spec(poor, group, deprived=("bhyt",), income=None),
                Spec(poor, group, deprived=("bhyt",), income=850_000),
                Spec(poor, group, deprived=("tiep_can_y_te", "bhyt", "nha_tieu"), income=950_000),
            ],
        )
    async with sessions() as session:
        report = await appendix_1(session, as_unit(commune), 2018)
        second = await appendix_2(session, as_unit(commune), 2018)

    assert rendered(report) == [
        (
            "Không thuộc thôn nào",
            "2 hộ nghèo có ít hơn 3 chỉ số thiếu hụt theo chuẩn 2016-2020.",
        )
    ]
    assert second.keys[:3] == ("don_vi", "ho_ngheo", "tiep_can_y_te")
    assert "viec_lam" not in second.keys
    assert second.total["tiep_can_y_te"] == 1
    assert second.total["bhyt"] == 5


async def test_deprivations_outside_the_years_standard_do_not_count_towards_the_minimum(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        make = Factory(session)
        province = await make.unit("Quảng Trị", "province")
        commune = await make.unit("Cam Tuyên", "commune", province)
        await make.households(
            commune,
            2024,
            [Spec("ngheo", "bao_tro_xa_hoi", deprived=("viec_lam", "bhyt", "tiep_can_y_te"))],
        )
    async with sessions() as session:
        report = await appendix_1(session, as_unit(commune), 2024)

    assert report.summary.too_few_deprivations == 1


async def test_a_table_that_adds_up_has_no_warnings(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        make = Factory(session)
        province = await make.unit("Quảng Trị", "province")
        commune = await make.unit("Cam Tuyên", "commune", province)
        await make.households(
            commune,
            2025,
            [
                Spec("ngheo", "bao_tro_xa_hoi", deprived=THREE, latest_class="ngheo"),
                Spec("ngheo", "chinh_sach_giam_ngheo", deprived=THREE),
                Spec("can_ngheo", "chinh_sach_giam_ngheo"),
                Spec("khong", latest_class="khong"),
            ],
        )
    async with sessions() as session:
        report = await appendix_1(session, as_unit(commune), 2025)

    assert report.warnings == ()
    assert report.summary.total == 0
    assert report.total["ho_ngheo_csgn"] == 1


async def test_household_that_moved_away_is_not_compared_with_its_new_assessment(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        make = Factory(session)
        province = await make.unit("Quảng Trị", "province")
        old = await make.unit("Cam Tuyên", "commune", province)
        new = await make.unit("Cam Hiếu", "commune", province)
        await make.households(old, 2025, [Spec("khong", latest_class="can_ngheo")])
        await make.households(
            new,
            2025,
            [Spec("khong", latest_class="can_ngheo")],
            placement={
                "province_id": province.id,
                "district_id": None,
                "commune_id": old.id,
                "village_id": None,
            },
        )
    async with sessions() as session:
        first = await appendix_1(session, as_unit(old), 2025)
        second = await appendix_2(session, as_unit(old), 2025)

    assert first.total["tong_so_ho"] == 2
    assert first.summary.status_disagrees == 1
    assert second.summary.status_disagrees == 1
