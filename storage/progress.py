"""Review progress: how many households of each child unit were checked in this review period.

The annual review of poor and near-poor households runs from 1 September to 14 December
(QĐ 24/2021/QĐ-TTg, Art. 3), so the period of a day starts on the 1 September before it (the
same year from September on, the previous year before). A household counts as checked when it
has at least one assessment since that day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, SQLColumnExpression, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from poverty.i18n import N_
from storage.models import Assessment, Household
from storage.reports.model import NO_VILLAGE_LABEL, TOTAL_LABEL, percent
from storage.units import Unit, children

REVIEW_START_MONTH = 9
OTHER_UNITS_LABEL = N_("Đơn vị khác")


def review_period_start(today: date) -> date:
    """1 September of the review year ``today`` belongs to."""
    year = today.year if today.month >= REVIEW_START_MONTH else today.year - 1
    return date(year, REVIEW_START_MONTH, 1)


@dataclass(frozen=True)
class ProgressRow:
    """One child unit: households, those checked since the period started, and the share.
    ``fixed`` rows (the total, households outside any child unit) carry a msgid as ``name``."""

    name: str
    households: int
    checked: int
    fixed: bool = False

    @property
    def share(self) -> float:
        return float(percent(self.checked, self.households))


@dataclass(frozen=True)
class Progress:
    unit: Unit
    since: date
    rows: tuple[ProgressRow, ...]
    total: ProgressRow


def _columns(unit: Unit) -> tuple[SQLColumnExpression[int | None], SQLColumnExpression[int | None]]:
    """The household column that filters on ``unit`` and the one naming its child unit."""
    if unit.level == "province":
        return Household.province_id, func.coalesce(Household.district_id, Household.commune_id)
    if unit.level == "district":
        return Household.district_id, Household.commune_id
    if unit.level == "commune":
        return Household.commune_id, Household.village_id
    return Household.village_id, Household.village_id


async def review_progress(session: AsyncSession, unit: Unit, today: date, tz: ZoneInfo) -> Progress:
    """Households and households checked this review period, per child unit of ``unit``."""
    since = review_period_start(today)
    since_utc = datetime.combine(since, time(), tzinfo=tz)
    filter_column, child_column = _columns(unit)
    checked_ids = select(Assessment.household_id).where(Assessment.created_at >= since_utc)
    is_checked: ColumnElement[int] = func.sum(case((Household.id.in_(checked_ids), 1), else_=0))
    rows = await session.execute(
        select(child_column, func.count(Household.id), is_checked)
        .where(filter_column == unit.id)
        .group_by(child_column)
    )
    counts = {key: (int(total), int(done or 0)) for key, total, done in rows}
    units = [unit] if unit.level == "village" else await children(session, unit)
    result = [ProgressRow(u.name, *counts.pop(u.id, (0, 0))) for u in units]
    if counts:
        total, done = (sum(v) for v in zip(*counts.values(), strict=True))
        other = NO_VILLAGE_LABEL if unit.level == "commune" else OTHER_UNITS_LABEL
        result.append(ProgressRow(other, total, done, fixed=True))
    total_row = ProgressRow(
        TOTAL_LABEL, sum(r.households for r in result), sum(r.checked for r in result), True
    )
    return Progress(unit, since, tuple(result), total_row)
