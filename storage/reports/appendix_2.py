"""Phụ lục 2: poor households deprived in each indicator of the standard that applies to the
year, per child unit (the "Biểu tổng hợp hộ nghèo thiếu hụt về các chỉ số xã hội")."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from poverty.i18n import N_
from poverty.standards import Standard, standard_for_year
from storage.models import OfficialRecord
from storage.reports.assembly import Counts, Layout, assemble
from storage.reports.checks import (
    BTXH,
    BTXH_KEY,
    CHECK_KEYS,
    CSGN,
    CSGN_KEY,
    POOR_KEY,
    TOO_FEW_KEY,
    count_if,
    deprived_in,
    is_poor,
    too_few_deprivations,
)
from storage.reports.grouping import GroupKey, grouping_for
from storage.reports.model import Column, LegendEntry, Report, Value
from storage.units import Unit

TITLE = N_("BIỂU TỔNG HỢP HỘ NGHÈO THIẾU HỤT VỀ CÁC CHỈ SỐ XÃ HỘI NĂM {year}")
EMPTY = N_("Không có hộ nghèo năm {year} của {unit}.")
POOR_TITLE = N_("Tổng số hộ nghèo")


def layout(standard: Standard) -> Layout:
    """Columns ``ho_ngheo`` and one per indicator code, in the standard's order."""
    codes = standard.codes

    def values(counts: Counts) -> dict[str, Value]:
        return {POOR_KEY: counts[POOR_KEY], **{code: counts[code] for code in codes}}

    return Layout(
        kind="phu-luc-2",
        title=TITLE,
        columns=(
            Column(POOR_KEY, POOR_TITLE),
            *(Column(i.code, i.name) for i in standard.indicators),
        ),
        count_keys=(*codes, *CHECK_KEYS),
        values=values,
        presence_key=POOR_KEY,
        empty_note=EMPTY,
        legend=tuple(
            LegendEntry(number, i.code, i.name)
            for number, i in enumerate(standard.indicators, start=1)
        ),
    )


async def appendix_2(
    session: AsyncSession,
    under: Unit,
    year: int,
    records: ColumnElement[bool] | None = None,
    *,
    former_units: bool = False,
) -> Report:
    """Phụ lục 2 for the children of ``under`` in ``year``, from the official records.

    One aggregate query over the year's poor records under the unit (``GROUP BY`` the child
    column, one ``SUM(CASE …)`` per indicator testing its bit of ``deprived_mask``), plus the
    count of households whose latest assessment disagrees with their official status.
    ``records``, when given, keeps only the official records it matches.
    """
    standard = standard_for_year(year)
    grouping = await grouping_for(session, under, former=former_units, year=year)
    record = OfficialRecord
    statement: Select[*tuple[Any, ...]] = (
        select(
            grouping.child_column.label("child"),
            func.count().label(POOR_KEY),
            count_if(record.poor_group == BTXH).label(BTXH_KEY),
            count_if(record.poor_group == CSGN).label(CSGN_KEY),
            too_few_deprivations(standard).label(TOO_FEW_KEY),
            *(count_if(deprived_in(i.bit)).label(i.code) for i in standard.indicators),
        )
        .where(and_(grouping.covers, record.year == year, is_poor()))
        .group_by(grouping.child_column)
    )
    if records is not None:
        statement = statement.where(records)
    result = await session.execute(statement)
    groups: dict[GroupKey, Counts] = {
        row["child"]: {key: int(value) for key, value in row.items() if key != "child"}
        for row in result.mappings()
    }
    return await assemble(
        session, layout(standard), grouping, year, standard, groups, records=records
    )
