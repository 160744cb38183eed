"""Role grants decide which units and households a user sees."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.access import (
    Access,
    access_for_identity,
    access_for_user,
    households_in_scope,
    lookup_identity,
    units_in_scope,
)
from storage.models import AdminUnit, Household, RoleGrant, User
from tests.bot.conftest import Area, seed_area


async def _codes(session: AsyncSession, access: Access) -> set[str]:
    rows = await session.scalars(select(Household.code).where(households_in_scope(access)))
    return set(rows.all())


async def test_cadre_of_a_commune_sees_only_its_households(
    sessions: async_sessionmaker[AsyncSession], now: datetime
) -> None:
    await seed_area(sessions, now)
    async with sessions() as session:
        access = await access_for_identity(session, "console", "cadre")
        assert access is not None
        codes = await _codes(session, access)

    assert access.roles == {"cadre"}
    assert codes
    assert all(code.startswith("TL") for code in codes)
    assert "CT00001" not in codes


async def test_province_admin_sees_every_commune(
    sessions: async_sessionmaker[AsyncSession], now: datetime
) -> None:
    await seed_area(sessions, now)
    async with sessions() as session:
        access = await access_for_identity(session, "console", "admin")
        assert access is not None
        codes = await _codes(session, access)

    assert {"TL00001", "CT00001", "CT00002"} <= codes


async def test_village_grant_covers_only_that_village(
    sessions: async_sessionmaker[AsyncSession], now: datetime
) -> None:
    area = await seed_area(sessions, now)
    async with sessions() as session, session.begin():
        await session.execute(
            update(RoleGrant)
            .where(RoleGrant.user_id == area.users["cadre"])
            .values(unit_id=area.units["phu_hai"])
        )
    async with sessions() as session:
        access = await access_for_user(session, area.users["cadre"])
        assert access is not None
        codes = await _codes(session, access)
        units = set(
            (await session.scalars(select(AdminUnit.code).where(units_in_scope(access)))).all()
        )

    assert codes == {"TL00002", "TL00004", "TL00016", "TL00017", "TL00018", "TL00019"}
    assert units == {"phu_hai"}


async def test_revoked_grants_cover_nothing_and_revoked_users_have_no_access(
    sessions: async_sessionmaker[AsyncSession], now: datetime
) -> None:
    area = await seed_area(sessions, now)
    async with sessions() as session, session.begin():
        await session.execute(
            update(RoleGrant).where(RoleGrant.user_id == area.users["cadre"]).values(revoked_at=now)
        )
        await session.execute(
            update(User).where(User.id == area.users["mentor"]).values(revoked_at=now)
        )
    async with sessions() as session:
        cadre = await access_for_user(session, area.users["cadre"])
        assert cadre is not None
        assert cadre.grants == ()
        assert await _codes(session, cadre) == set()
        assert await access_for_user(session, area.users["mentor"]) is None


async def test_nested_grants_are_reduced_to_the_widest(
    sessions: async_sessionmaker[AsyncSession], now: datetime
) -> None:
    area = await seed_area(sessions, now)
    async with sessions() as session, session.begin():
        session.add(
            RoleGrant(
                user_id=area.users["cadre"],
                role="mentor",
                unit_id=area.units["tan_hoa"],
                granted_at=now,
            )
        )
    async with sessions() as session:
        access = await access_for_user(session, area.users["cadre"])

    assert access is not None
    assert access.roles == {"cadre", "mentor"}
    assert [g.unit_id for g in access.scope()] == [area.units["tan_lap"]]


async def test_phone_finds_a_user_on_sms_and_console_but_not_on_telegram(
    sessions: async_sessionmaker[AsyncSession], now: datetime
) -> None:
    area: Area = await seed_area(sessions, now)
    async with sessions() as session:
        sms = await access_for_identity(session, "sms", "0912345678")
        console = await access_for_identity(session, "console", "+84912345678")
        telegram = await access_for_identity(session, "telegram", "+84912345678")
        stranger = await access_for_identity(session, "sms", "+84999999999")

    assert sms is not None
    assert sms.user_id == area.users["phone_cadre"]
    assert console is not None
    assert console.user_id == area.users["phone_cadre"]
    assert telegram is None
    assert stranger is None


async def test_revoked_user_is_told_apart_from_a_stranger(
    sessions: async_sessionmaker[AsyncSession], now: datetime
) -> None:
    area = await seed_area(sessions, now)
    async with sessions() as session, session.begin():
        await session.execute(
            update(User).where(User.id == area.users["mentor"]).values(revoked_at=now)
        )
    async with sessions() as session:
        revoked = await lookup_identity(session, "console", "mentor")
        stranger = await lookup_identity(session, "console", "nobody")
        cadre = await lookup_identity(session, "console", "cadre")

    assert revoked.revoked
    assert revoked.access is None
    assert not stranger.revoked
    assert stranger.access is None
    assert not cadre.revoked
    assert cadre.access is not None
    assert cadre.access.roles == {"cadre"}
