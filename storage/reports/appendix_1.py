"""Phụ lục 1: households, ethnic-minority households, poor households and their groups, and
near-poor households, per child unit (the "Biểu tổng hợp hộ nghèo, cận nghèo" of the district and
commune plans).

The near-poor figures (:data:`NEAR_POOR_KEYS`) are in every row's ``values`` but are not columns
of the report: the JSON and CSV keys are a contract that stays as it is, and only the xlsx and
PDF appendices, the terminal table and the manager's summary show them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from poverty.i18n import N_
from poverty.standards import standard_for_year
from storage.models import Household, OfficialRecord
from storage.reports.assembly import Counts, Layout, assemble
from storage.reports.checks import (
    BTXH,
    BTXH_KEY,
    CHECK_KEYS,
    CSGN,
    CSGN_KEY,
    DISAGREES_KEY,
    POOR_KEY,
    TOO_FEW_KEY,
    assessed_household,
    count_if,
    is_poor,
    status_disagrees,
    too_few_deprivations,
)
from storage.reports.grouping import GroupKey, grouping_for
from storage.reports.model import Column, Report, Value, percent
from storage.units import Unit

TITLE = N_("BIỂU TỔNG HỢP HỘ NGHÈO, CẬN NGHÈO NĂM {year}")
EMPTY = N_("Chưa có số liệu hộ năm {year} của {unit}.")

COLUMNS = (
    Column("tong_so_ho", N_("Dân cư (Hộ)")),
    Column("ho_dtts", N_("Hộ DTTS")),
    Column(POOR_KEY, N_("Hộ nghèo")),
    Column("ty_le_ngheo", N_("Tỷ lệ %"), "percent"),
    Column("ho_ngheo_dtts", N_("Hộ nghèo DTTS")),
    Column(BTXH_KEY, N_("Hộ BTXH")),
    Column(CSGN_KEY, N_("Hộ CSGN")),
)
NEAR_POOR = "can_ngheo"
NEAR_POOR_KEY = "ho_can_ngheo"
NEAR_POOR_RATE_KEY = "ty_le_can_ngheo"
NEAR_POOR_MINORITY_KEY = "ho_can_ngheo_dtts"
NEAR_POOR_KEYS = (NEAR_POOR_KEY, NEAR_POOR_RATE_KEY, NEAR_POOR_MINORITY_KEY)
"""Figures of every row that are not report columns (see the module docstring)."""
NEAR_POOR_COLUMNS = (
    Column(NEAR_POOR_KEY, N_("Hộ cận nghèo")),
    Column(NEAR_POOR_RATE_KEY, N_("Tỷ lệ cận nghèo %"), "percent"),
    Column(NEAR_POOR_MINORITY_KEY, N_("Hộ cận nghèo DTTS")),
)
"""The near-poor figures as columns of the forms meant for people (the terminal table)."""
_COUNT_KEYS = (
    "tong_so_ho",
    "ho_dtts",
    "ho_ngheo_dtts",
    NEAR_POOR_KEY,
    NEAR_POOR_MINORITY_KEY,
    *CHECK_KEYS,
)


def _values(counts: Counts) -> dict[str, Value]:
    return {
        "tong_so_ho": counts["tong_so_ho"],
        "ho_dtts": counts["ho_dtts"],
        POOR_KEY: counts[POOR_KEY],
        "ty_le_ngheo": percent(counts[POOR_KEY], counts["tong_so_ho"]),
        "ho_ngheo_dtts": counts["ho_ngheo_dtts"],
        BTXH_KEY: counts[BTXH_KEY],
        CSGN_KEY: counts[CSGN_KEY],
        NEAR_POOR_KEY: counts[NEAR_POOR_KEY],
        NEAR_POOR_RATE_KEY: percent(counts[NEAR_POOR_KEY], counts["tong_so_ho"]),
        NEAR_POOR_MINORITY_KEY: counts[NEAR_POOR_MINORITY_KEY],
    }


LAYOUT = Layout(
    kind="phu-luc-1",
    title=TITLE,
    columns=COLUMNS,
    count_keys=_COUNT_KEYS,
    values=_values,
    presence_key="tong_so_ho",
    empty_note=EMPTY,
    counts_disagreements=True,
)


async def appendix_1(
    session: AsyncSession,
    under: Unit,
    year: int,
    records: ColumnElement[bool] | None = None,
    *,
    former_units: bool = False,
) -> Report:
    """Phụ lục 1 for the children of ``under`` in ``year``, from the official records.

    One aggregate query (``GROUP BY`` the child column, ``SUM(CASE …)``) over the records of the
    unit and year, which the ``(unit, year)`` indexes serve, outer-joined with the assessed
    households so the same pass counts official statuses that disagree with the latest
    assessment. ``records``, when given, keeps only the official records it matches (a special
    group of households). ``ty_le_ngheo`` is poor
    households over all households, in percent, rounded half up to two decimals (0 when the unit
    has no households); ``ty_le_can_ngheo`` likewise for near-poor households.
    """
    standard = standard_for_year(year)
    grouping = await grouping_for(session, under, former=former_units, year=year)
    record = OfficialRecord
    ethnic: ColumnElement[bool] = record.ethnic_minority.is_(True)
    statement: Select[*tuple[Any, ...]] = (
        select(
            grouping.child_column.label("child"),
            func.count().label("tong_so_ho"),
            count_if(ethnic).label("ho_dtts"),
            count_if(is_poor()).label(POOR_KEY),
            count_if(and_(is_poor(), ethnic)).label("ho_ngheo_dtts"),
            count_if(and_(is_poor(), record.poor_group == BTXH)).label(BTXH_KEY),
            count_if(and_(is_poor(), record.poor_group == CSGN)).label(CSGN_KEY),
            count_if(record.status == NEAR_POOR).label(NEAR_POOR_KEY),
            count_if(and_(record.status == NEAR_POOR, ethnic)).label(NEAR_POOR_MINORITY_KEY),
            too_few_deprivations(standard).label(TOO_FEW_KEY),
            status_disagrees().label(DISAGREES_KEY),
        )
        .select_from(record)
        .outerjoin(Household, assessed_household(grouping))
        .where(grouping.covers, record.year == year)
        .group_by(grouping.child_column)
    )
    if records is not None:
        statement = statement.where(records)
    result = await session.execute(statement)
    groups: dict[GroupKey, Counts] = {
        row["child"]: {key: int(value) for key, value in row.items() if key != "child"}
        for row in result.mappings()
    }
    return await assemble(session, LAYOUT, grouping, year, standard, groups)
