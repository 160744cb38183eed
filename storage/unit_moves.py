"""Where households and official records sit after units moved or merged: their province,
district, commune and village ids follow the tree (:mod:`storage.reorganisation`)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, and_, case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.audit import AuditEntry
from storage.models import AdminUnit, Household, OfficialRecord

Placement = dict[str, int | None]


async def placements_under(
    session: AsyncSession, root: AdminUnit
) -> list[tuple[AdminUnit, Placement]]:
    """Every unit of ``root``'s subtree with the ids of itself and its ancestors by level."""
    units = (
        await session.scalars(select(AdminUnit).where(AdminUnit.path.startswith(root.path)))
    ).all()
    ancestor_ids = {int(i) for i in root.path.strip("/").split("/")}
    ancestors = (
        await session.scalars(select(AdminUnit).where(AdminUnit.id.in_(ancestor_ids)))
    ).all()
    by_id = {row.id: row for row in [*ancestors, *units]}
    found: list[tuple[AdminUnit, Placement]] = []
    for unit in units:
        levels = {by_id[int(i)].level: int(i) for i in unit.path.strip("/").split("/")}
        if "province" not in levels or unit.level in ("province", "district"):
            continue  # households and records sit on communes and villages
        found.append(
            (
                unit,
                {
                    "province_id": levels["province"],
                    "district_id": levels.get("district"),
                    "commune_id": levels.get("commune", unit.id),
                    "village_id": levels.get("village"),
                },
            )
        )
    return found


def _differs(
    columns: type[Household] | type[OfficialRecord], placement: Placement
) -> ColumnElement[bool]:
    return or_(
        columns.province_id != placement["province_id"],
        columns.commune_id != placement["commune_id"],
        func.coalesce(columns.district_id, 0) != (placement["district_id"] or 0),
        func.coalesce(columns.village_id, 0) != (placement["village_id"] or 0),
    )


async def replace_household_placements(
    session: AsyncSession, target: AdminUnit, entries: list[AuditEntry], old_id: int
) -> None:
    """Households under ``target`` get their ids from where their unit now sits; each household
    whose ids change gets an audit row."""
    for unit, placement in await placements_under(session, target):
        changed = (
            await session.execute(
                select(Household.id, Household.commune_id).where(
                    Household.unit_id == unit.id, _differs(Household, placement)
                )
            )
        ).all()
        if not changed:
            continue
        await session.execute(
            update(Household)
            .where(Household.id.in_([c.id for c in changed]))
            .values(**placement)
            .execution_options(synchronize_session=False)
        )
        entries.extend(
            AuditEntry(
                "household.moved",
                "household",
                str(c.id),
                {
                    "from_commune": c.commune_id,
                    "to_commune": placement["commune_id"],
                    "unit": old_id,
                },
            )
            for c in changed
        )


def _keep_former() -> dict[str, ColumnElement[int | None]]:
    """The ``former_*`` values of an update: the ids as recorded, kept from the first move."""
    record = OfficialRecord
    never_moved = record.former_commune_id.is_(None)
    return {
        f"former_{name}": case(
            (never_moved, getattr(record, name)), else_=getattr(record, f"former_{name}")
        )
        for name in ("province_id", "district_id", "commune_id", "village_id")
    }


async def follow_records(session: AsyncSession, former: Sequence[AdminUnit]) -> None:
    """Official records of every year move with their units: a record of a unit merged away goes
    to the unit that replaced it (following later merges), and records of units that now sit
    elsewhere get that unit's ancestors. The ids as recorded stay in ``former_*``."""
    record = OfficialRecord
    roots: dict[int, AdminUnit] = {}
    for unit in former:
        final = unit
        while final.valid_to is not None and final.replaced_by_id is not None:
            replaced = await session.get(AdminUnit, final.replaced_by_id)
            assert replaced is not None
            final = replaced
        top = await session.get(AdminUnit, int(final.path.strip("/").split("/")[0]))
        assert top is not None
        roots[top.id] = top
    placements: dict[int, Placement] = {}
    for root in roots.values():
        for unit, placement in await placements_under(session, root):
            placements[unit.id] = placement
    for unit in former:
        if unit.valid_to is None or unit.replaced_by_id is None:
            continue
        final = unit
        while final.valid_to is not None and final.replaced_by_id is not None:
            replaced = await session.get(AdminUnit, final.replaced_by_id)
            assert replaced is not None
            final = replaced
        target = placements.get(final.id)
        if target is None or unit.level not in ("village", "commune"):
            continue
        own = (
            record.village_id == unit.id
            if unit.level == "village"
            else and_(record.commune_id == unit.id, record.village_id.is_(None))
        )
        await _move_records(session, own, target)
    for unit_id, placement in placements.items():
        if placement["village_id"] == unit_id:
            own = record.village_id == unit_id
        elif placement["commune_id"] == unit_id:
            own = and_(record.commune_id == unit_id, record.village_id.is_(None))
        else:
            continue  # a district: its records are those of its communes and villages
        await _move_records(session, and_(own, _differs(OfficialRecord, placement)), placement)


async def _move_records(
    session: AsyncSession, condition: ColumnElement[bool], placement: Placement
) -> None:
    await session.execute(
        update(OfficialRecord)
        .where(condition)
        .values(**_keep_former(), **placement)
        .execution_options(synchronize_session=False)
    )
