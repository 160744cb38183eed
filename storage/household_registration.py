"""Registering a household found during a check but missing from the list: the minimum fields
(code or an automatic one, head's name, village, members, rural/urban) plus an audit row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from poverty.errors import InvalidInputError
from poverty.i18n import N_
from poverty.text import fold
from storage.access import Access
from storage.audit import Actor, AuditEntry, record_audit
from storage.household_search import HouseholdInfo, is_code_taken
from storage.models import AdminUnit, Household

PLACE_OUTSIDE_AREA = N_("Thôn này không thuộc địa bàn của anh/chị.")
CODE_TAKEN = N_("Mã hộ {code} đã có người dùng. Xin nhập mã khác.")


@dataclass(frozen=True)
class NewHousehold:
    """``code`` None asks for an automatic code."""

    code: str | None
    head_name: str
    place_id: int
    members: int
    area: str


async def register_household(
    session: AsyncSession, access: Access, new: NewHousehold, actor: Actor, now: datetime
) -> HouseholdInfo:
    """Insert the household under ``new.place_id`` (which must lie in the user's area)."""
    place = await session.get(AdminUnit, new.place_id)
    if place is None or not access.covers(place.path):
        raise InvalidInputError(PLACE_OUTSIDE_AREA)
    levels = await _ancestor_ids(session, place)
    code = new.code or await _automatic_code(session, place)
    if new.code and await is_code_taken(session, new.code):
        raise InvalidInputError(CODE_TAKEN, code=new.code)
    household = Household(
        code=code,
        head_name=new.head_name,
        head_name_key=fold(new.head_name),
        unit_id=place.id,
        province_id=levels["province"],
        district_id=levels.get("district"),
        commune_id=levels["commune"],
        village_id=levels.get("village"),
        area=new.area,
        members=new.members,
        ethnic_minority=False,
        created_at=now,
        updated_at=now,
    )
    session.add(household)
    await session.flush()
    details = {"code": code, "unit_id": place.id, "members": new.members, "area": new.area}
    await record_audit(
        session,
        actor,
        [AuditEntry("household.create", "household", str(household.id), details)],
        now,
    )
    return HouseholdInfo(
        id=household.id,
        code=code,
        head_name=new.head_name,
        place=place.name,
        members=new.members,
        area=new.area,
        official_status=None,
        official_group=None,
        official_year=None,
        latest_class=None,
    )


async def _ancestor_ids(session: AsyncSession, place: AdminUnit) -> dict[str, int]:
    ids = [int(part) for part in place.path.strip("/").split("/")]
    rows = (
        await session.execute(select(AdminUnit.level, AdminUnit.id).where(AdminUnit.id.in_(ids)))
    ).all()
    return {level: unit_id for level, unit_id in rows}


async def _automatic_code(session: AsyncSession, place: AdminUnit) -> str:
    """``M<unit id>-<n>``: the next free number among households registered in that unit."""
    count = await session.scalar(
        select(func.count()).select_from(Household).where(Household.unit_id == place.id)
    )
    number = int(count or 0) + 1
    while await is_code_taken(session, f"M{place.id}-{number:04d}"):
        number += 1
    return f"M{place.id}-{number:04d}"
