"""Which rows an appendix has: the unit the report covers decides the record column that filters
it and the column whose values become the rows.

=========  ===============================  =========================================
covers     filtered on                      one row per
=========  ===============================  =========================================
province   ``province_id``                  ``coalesce(district_id, commune_id)``:
                                            districts where the province still has
                                            them, communes placed directly under it
district   ``district_id``                  ``commune_id``
commune    ``commune_id``                   ``village_id``, plus "Không thuộc thôn nào"
                                            for households placed in the commune itself
village    ``village_id``                   the village itself
=========  ===============================  =========================================

Records keep the unit ids of their year, so a group may name a unit that is no longer a child
(moved or merged since); such groups still get a row, after the current children.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import SQLColumnExpression, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AdminUnit, Household, OfficialRecord
from storage.reports.model import NO_VILLAGE_LABEL, RowKind
from storage.units import Unit, children

GroupKey = int | None


@dataclass(frozen=True)
class Grouping:
    """How the records under ``under`` are filtered and grouped into rows."""

    under: Unit
    filter_column: SQLColumnExpression[int | None]
    child_column: SQLColumnExpression[int | None]
    children: tuple[Unit, ...]
    household_column: SQLColumnExpression[int | None]
    """The household's own (current) unit column of the same level as ``filter_column``."""

    @property
    def has_outside_row(self) -> bool:
        """Whether households placed directly in the unit get a row of their own (communes)."""
        return self.under.level == "commune"


@dataclass(frozen=True)
class Slot:
    """A row to fill: the group key it takes its counts from, and how it is labelled."""

    key: GroupKey
    name: str
    kind: RowKind
    unit_id: int | None


async def grouping_for(session: AsyncSession, under: Unit) -> Grouping:
    """The grouping for a report over ``under`` (any level)."""
    record = OfficialRecord
    if under.level == "village":
        return Grouping(under, record.village_id, record.village_id, (under,), Household.village_id)
    filter_column: SQLColumnExpression[int | None]
    child_column: SQLColumnExpression[int | None]
    household_column: SQLColumnExpression[int | None]
    if under.level == "province":
        filter_column, household_column = record.province_id, Household.province_id
        child_column = func.coalesce(record.district_id, record.commune_id)
    elif under.level == "district":
        filter_column, child_column = record.district_id, record.commune_id
        household_column = Household.district_id
    else:
        filter_column, child_column = record.commune_id, record.village_id
        household_column = Household.commune_id
    units = tuple(await children(session, under))
    return Grouping(under, filter_column, child_column, units, household_column)


async def slots(
    session: AsyncSession, grouping: Grouping, keys: Collection[GroupKey]
) -> list[Slot]:
    """Rows in order: current children (by id, with or without households), then units the
    records still name but that are no longer children, then households outside any village."""
    known = {unit.id for unit in grouping.children}
    result = [Slot(unit.id, unit.name, "unit", unit.id) for unit in grouping.children]
    former = sorted(key for key in keys if key is not None and key not in known)
    if former:
        rows = await session.execute(
            select(AdminUnit.id, AdminUnit.name).where(AdminUnit.id.in_(former))
        )
        names: dict[int, str] = {unit_id: name for unit_id, name in rows}
        result += [Slot(key, names.get(key, str(key)), "unit", key) for key in former]
    if grouping.has_outside_row and (None in keys or not grouping.children):
        result.append(Slot(None, NO_VILLAGE_LABEL, "no_village", None))
    return result
