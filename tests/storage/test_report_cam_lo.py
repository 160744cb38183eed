"""The appendices of the Cam Lộ plan (Kế hoạch 23/KH-UBND, 2022) rebuilt from household rows."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.reports import Report, appendix_1, appendix_2
from tests.storage.factories import (
    CAM_LO,
    CAM_LO_DEPRIVED_TOTAL,
    CAM_LO_YEAR,
    Factory,
    Spec,
    as_unit,
    build_cam_lo,
)

NO_NEAR_POOR = {"ho_can_ngheo": 0, "ty_le_can_ngheo": Decimal("0.00"), "ho_can_ngheo_dtts": 0}
"""The rows built from the plan record poor households only: the near-poor figures, which the
xlsx shows but which are not report columns, are zero."""


def identity(text: str) -> str:
    return text


async def cam_lo_reports(
    sessions: async_sessionmaker[AsyncSession],
) -> tuple[Report, Report, list[list[Spec]]]:
    async with sessions() as session, session.begin():
        district, specs = await build_cam_lo(Factory(session))
    async with sessions() as session:
        first = await appendix_1(session, as_unit(district), CAM_LO_YEAR)
        second = await appendix_2(session, as_unit(district), CAM_LO_YEAR)
    return first, second, specs


async def test_appendix_1_reproduces_the_cam_lo_rows_and_totals(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    report, _, _ = await cam_lo_reports(sessions)

    rows = [row.label(identity) for row in report.rows]
    assert rows == [seed.name for seed in CAM_LO]
    for row, seed in zip(report.rows, CAM_LO, strict=True):
        assert dict(row.values) | {"ty_le_ngheo": None} == {
            "tong_so_ho": seed.households,
            "ho_dtts": seed.ethnic,
            "ho_ngheo": seed.poor,
            "ty_le_ngheo": None,
            "ho_ngheo_dtts": seed.poor_ethnic,
            "ho_ngheo_btxh": seed.btxh,
            "ho_ngheo_csgn": seed.csgn,
            **NO_NEAR_POOR,
        }
    assert report.total.label(identity) == "Tổng cộng"
    assert dict(report.total.values) == {
        "tong_so_ho": 14905,
        "ho_dtts": 101,
        "ho_ngheo": 453,
        "ty_le_ngheo": Decimal("3.04"),
        "ho_ngheo_dtts": 42,
        "ho_ngheo_btxh": 345,
        "ho_ngheo_csgn": 100,
        **NO_NEAR_POOR,
    }


async def test_appendix_1_rates_are_poor_over_households_as_in_the_plan(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    report, _, _ = await cam_lo_reports(sessions)

    rates = {row.name: row["ty_le_ngheo"] for row in report.rows}
    expected = {seed.name: Decimal(seed.rate) for seed in CAM_LO}
    expected["Cam Tuyên"] = Decimal("7.36")
    assert rates == expected


async def test_appendix_1_warns_that_cam_tuyen_btxh_and_csgn_do_not_add_up_to_its_poor(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    report, _, _ = await cam_lo_reports(sessions)

    group_warnings = [
        (w.unit_label(identity), w.message.render(identity))
        for w in report.warnings
        if "BTXH" in w.message.msgid
    ]
    assert group_warnings == [
        (
            "Cam Tuyên",
            "Hộ BTXH (53) + hộ CSGN (48) khác số hộ nghèo (109): 8 hộ nghèo chưa ghi nhóm.",
        )
    ]
    assert report.summary.ungrouped_poor == 8


async def test_cam_lo_poor_households_with_fewer_than_three_deprivations_are_counted(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    report, second, specs = await cam_lo_reports(sessions)

    expected = [
        sum(1 for spec in commune if spec.status == "ngheo" and len(spec.deprived) < 3)
        for commune in specs
    ]
    found = dict.fromkeys((seed.name for seed in CAM_LO), 0)
    for warning in report.warnings:
        if "chỉ số thiếu hụt" in warning.message.msgid:
            found[warning.row.name] = int(str(warning.message.params["count"]))
    assert list(found.values()) == expected
    assert report.summary.too_few_deprivations == sum(expected) > 0
    assert second.summary == report.summary


async def test_appendix_2_counts_deprivations_per_indicator_from_the_bitmasks(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    _, report, _ = await cam_lo_reports(sessions)

    codes = [column.key for column in report.columns][1:]
    assert len(codes) == 12
    assert report.keys[:3] == ("don_vi", "ho_ngheo", "viec_lam")
    for row, seed in zip(report.rows, CAM_LO, strict=True):
        assert row.name == seed.name
        assert row["ho_ngheo"] == seed.poor
        assert tuple(row[code] for code in codes) == seed.deprived
    assert report.total["ho_ngheo"] == 453
    assert tuple(report.total[code] for code in codes) == CAM_LO_DEPRIVED_TOTAL
    assert [entry.number for entry in report.legend] == list(range(1, 13))
    assert report.legend[0].name == "Việc làm"
