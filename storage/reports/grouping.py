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

By default the rows are the units current today, for every year: a reorganisation moves the
records of merged units to the units that took them over (:mod:`storage.unit_moves`). With
``former`` the rows are the units as the records named them in their year (the ``former_*``
columns of a moved record, the plain ones of a record never moved), so a 2022 table reproduces
exactly, and a former unit can be reported on.

A group may still name a unit that is no longer a child (a household moved since); such groups
get a row after the current children.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, SQLColumnExpression, and_, case, func, or_, select
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
    household_column: SQLColumnExpression[int | None] | None
    """The household's own (current) unit column of the same level as ``filter_column``; None
    when grouping by former units (a household's unit today says nothing about them)."""
    covers: ColumnElement[bool]
    """The records the report covers: those of ``under`` (by the units the grouping uses)."""

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


def as_recorded(name: str) -> ColumnElement[int | None]:
    """A unit column of the records as named in their year (before any reorganisation)."""
    record = OfficialRecord
    return case(
        (record.former_commune_id.is_(None), getattr(record, name)),
        else_=getattr(record, f"former_{name}"),
    )


def _recorded_filter(name: str, unit_id: int) -> ColumnElement[bool]:
    """``as_recorded(name) == unit_id``, written so the (column, year) indexes serve it."""
    record = OfficialRecord
    return or_(
        and_(record.former_commune_id.is_(None), getattr(record, name) == unit_id),
        getattr(record, f"former_{name}") == unit_id,
    )


async def grouping_for(
    session: AsyncSession, under: Unit, *, former: bool = False, year: int | None = None
) -> Grouping:
    """The grouping for a report over ``under`` (any level): by today's units, or with
    ``former`` by the units the records named in ``year``."""
    names = {
        "village": ("village_id", "village_id"),
        "province": ("province_id", "district_id"),
        "district": ("district_id", "commune_id"),
        "commune": ("commune_id", "village_id"),
    }
    filter_name, child_name = names[under.level]
    household_column: SQLColumnExpression[int | None] | None = getattr(Household, filter_name)
    filter_column: SQLColumnExpression[int | None]
    child_column: SQLColumnExpression[int | None]
    if former:
        filter_column = as_recorded(filter_name)
        child_column = as_recorded(child_name)
        if under.level == "province":
            child_column = func.coalesce(as_recorded("district_id"), as_recorded("commune_id"))
        covers = _recorded_filter(filter_name, under.id)
        household_column = None
    else:
        filter_column = getattr(OfficialRecord, filter_name)
        child_column = getattr(OfficialRecord, child_name)
        if under.level == "province":
            child_column = func.coalesce(OfficialRecord.district_id, OfficialRecord.commune_id)
        covers = filter_column == under.id
    if under.level == "village":
        units: tuple[Unit, ...] = (under,)
    else:
        units = tuple(u for u in await children(session, under) if _in_view(u, former, year))
    return Grouping(under, filter_column, child_column, units, household_column, covers)


def _in_view(unit: Unit, former: bool, year: int | None) -> bool:
    """Current units by default; with ``former``, the units that existed in ``year``."""
    if not former or year is None:
        return unit.valid_to is None
    starts_before_end = unit.valid_from is None or unit.valid_from <= date(year, 12, 31)
    ends_after_start = unit.valid_to is None or unit.valid_to > date(year, 1, 1)
    return starts_before_end and ends_after_start


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
