"""The queries behind the warnings of an appendix (``canh_bao``); what each warning says is
decided by :mod:`poverty.report_warnings` from the counts.

- **BTXH + CSGN ≠ poor**: poor households recorded with neither group. Only poor households are
  counted in either group, so the sum can only fall short of the poor count, never exceed it.
- **Too few deprivations**: poor households whose known deprivations (bits of the standard's
  indicators set in ``deprived_mask``) are fewer than the standard's ``min_deprivations``. Under
  the 2016–2020 standard (QĐ 59/2015/QĐ-TTg, read with the QĐ 1614/QĐ-TTg conversion scheme) a
  household at or below the ``poor_outright`` income line is poor whatever its deprivations, so
  such a household is not flagged when its income is known and at or below that line of its area.
- **Official status ≠ latest assessment**: households of the table whose ``latest_class`` is set
  and differs from the status recorded for the report's year. The latest assessment describes a
  household where it lives now, so it is compared only while the household still lives in the
  unit the report covers; one that has moved away since that year is left out. That condition
  also lets the check read just the assessed households of the unit (a partial index) instead
  of looking up every record's household.

A rate that is not poor/total is not checked: every rate is computed from the counts of the same
query, and the figures typed into an official appendix are not stored, so there is nothing for a
rate to disagree with.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Mapping

from sqlalchemy import ColumnElement, and_, case, false, func, not_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from poverty.report_warnings import RowCounts
from poverty.report_warnings import row_warnings as warnings_of
from poverty.standards import Standard
from storage.models import Household, OfficialRecord
from storage.reports.grouping import Grouping, GroupKey
from storage.reports.model import Message, ReportRow, ReportWarning, WarningSummary

POOR = "ngheo"
BTXH = "bao_tro_xa_hoi"
CSGN = "chinh_sach_giam_ngheo"

POOR_KEY = "ho_ngheo"
BTXH_KEY = "ho_ngheo_btxh"
CSGN_KEY = "ho_ngheo_csgn"
TOO_FEW_KEY = "kiem_tra_thieu_chi_so"
DISAGREES_KEY = "kiem_tra_lech_ra_soat"
CHECK_KEYS = (POOR_KEY, BTXH_KEY, CSGN_KEY, TOO_FEW_KEY, DISAGREES_KEY)

_record = OfficialRecord


def count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """``SUM(CASE WHEN condition THEN 1 ELSE 0 END)``."""
    return func.sum(case((condition, 1), else_=0))


def is_poor() -> ColumnElement[bool]:
    return _record.status == POOR


def deprived_in(bit: int) -> ColumnElement[bool]:
    """Whether the record's ``deprived_mask`` has the indicator's bit set."""
    return _record.deprived_mask.op("&", return_type=_record.deprived_mask.type)(1 << bit) != 0


def deprivation_count(standard: Standard) -> ColumnElement[int]:
    """Number of the standard's indicators the record is deprived in (portable bit test)."""
    terms = [case((deprived_in(i.bit), 1), else_=0) for i in standard.indicators]
    return functools.reduce(operator.add, terms)


def poor_by_income_alone(standard: Standard) -> ColumnElement[bool]:
    """Income known and at or below the standard's ``poor_outright`` line of the record's area;
    always false for standards without such a line."""
    lines = [
        and_(
            _record.area == area,
            _record.income_per_person.is_not(None),
            _record.income_per_person <= income.poor_outright,
        )
        for area, income in standard.income_lines.items()
        if income.poor_outright is not None
    ]
    return or_(*lines) if lines else false()


def too_few_deprivations(standard: Standard) -> ColumnElement[int]:
    """Per group: poor households with fewer known deprivations than the standard requires."""
    flagged = and_(
        deprivation_count(standard) < standard.min_deprivations,
        not_(poor_by_income_alone(standard)),
    )
    return func.sum(case((_record.status != POOR, 0), (flagged, 1), else_=0))


def assessed_household(grouping: Grouping) -> ColumnElement[bool]:
    """Join condition of a record with its household when that household has been assessed and
    still lives in the unit of the report; as an outer join every record stays in the
    aggregate."""
    if grouping.household_column is None:  # former units: the household wherever it is now
        return and_(Household.id == _record.household_id, Household.latest_class.is_not(None))
    return and_(
        Household.id == _record.household_id,
        Household.latest_class.is_not(None),
        grouping.household_column == grouping.under.id,
    )


def status_disagrees() -> ColumnElement[int]:
    """Per group, over records outer-joined by :func:`assessed_household`: households whose
    latest assessment differs from the year's official status."""
    return count_if(Household.latest_class != _record.status)


async def count_disagreements(
    session: AsyncSession,
    grouping: Grouping,
    year: int,
    records: ColumnElement[bool] | None = None,
) -> dict[GroupKey, int]:
    """Per group: households whose latest assessment differs from the year's official status,
    for reports whose own query does not cover every record of the unit."""
    statement = (
        select(grouping.child_column, func.count())
        .select_from(_record)
        .join(Household, assessed_household(grouping))
        .where(
            grouping.covers,
            _record.year == year,
            Household.latest_class != _record.status,
        )
        .group_by(grouping.child_column)
    )
    if records is not None:
        statement = statement.where(records)
    rows = await session.execute(statement)
    return {key: int(count) for key, count in rows}


def row_counts(counts: Mapping[str, int]) -> RowCounts:
    """The counts :mod:`poverty.report_warnings` reads, from a row's raw counts (see
    :data:`CHECK_KEYS`)."""
    return RowCounts(
        counts[POOR_KEY],
        counts[BTXH_KEY],
        counts[CSGN_KEY],
        counts[TOO_FEW_KEY],
        counts[DISAGREES_KEY],
    )


def row_warnings(
    row: ReportRow, counts: Mapping[str, int], standard: Standard
) -> list[ReportWarning]:
    """The warnings of one row, from its raw counts."""
    return [
        ReportWarning(row, Message(w.msgid, w.params))
        for w in warnings_of(row_counts(counts), standard)
    ]


def summarize(total: Mapping[str, int]) -> WarningSummary:
    """The household counts behind the warnings, from the total row's raw counts."""
    counts = row_counts(total)
    return WarningSummary(
        ungrouped_poor=counts.ungrouped_poor,
        too_few_deprivations=counts.too_few_deprivations,
        status_disagrees=counts.status_disagrees,
    )
