"""Invite codes: single use, expiry, hashed storage, and what using one creates."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.audit import Actor
from storage.invites import (
    ALPHABET,
    PendingInvite,
    code_hash,
    create_invite,
    find_invite,
    looks_like_code,
    normalize_code,
    redeem_invite,
)
from storage.models import AuditLog, Identity, Invite, RoleGrant, User
from storage.units import find_unit
from tests.bot.conftest import seed_area

ACTOR = Actor("test")


async def _invite(
    sessions: async_sessionmaker[AsyncSession], now: datetime, days: int = 7
) -> tuple[str, int]:
    await seed_area(sessions, now)
    async with sessions() as session, session.begin():
        unit = await find_unit(session, "Tân Lập")
        created = await create_invite(session, "cadre", unit, ACTOR, now, timedelta(days=days))
    return created.code, created.id


async def test_code_is_ten_unambiguous_characters_and_only_its_hash_is_stored(
    sessions: async_sessionmaker[AsyncSession], now: datetime
) -> None:
    code, _id = await _invite(sessions, now)

    assert len(code) == 10
    assert set(code) <= set(ALPHABET)
    assert not set("01OIL") & set(ALPHABET)
    async with sessions() as session:
        stored = await session.scalar(select(Invite.code_hash))
    assert stored == code_hash(code)
    assert code not in str(stored)


def test_typed_codes_ignore_case_spaces_and_dashes() -> None:
    assert normalize_code("k7qx-4m2p rt") == "K7QX4M2PRT"
    assert looks_like_code("k7qx-4m2p rt")
    assert not looks_like_code("K7QX4M2PR0")


async def test_using_a_code_creates_user_identity_and_grant_once_with_audit(
    sessions: async_sessionmaker[AsyncSession], now: datetime
) -> None:
    code, invite_id = await _invite(sessions, now)
    async with sessions() as session, session.begin():
        found = await find_invite(session, code.lower(), now)
        assert isinstance(found, PendingInvite)
        first = await redeem_invite(session, found.id, "telegram", "42", "Nguyễn Thị Lan", now)
    async with sessions() as session, session.begin():
        second = await redeem_invite(session, invite_id, "telegram", "43", "Lê Văn Tám", now)
        again = await find_invite(session, code, now)

    assert not isinstance(first, str)
    assert (first.name, first.role, first.unit_name, first.is_new_user) == (
        "Nguyễn Thị Lan",
        "cadre",
        "Tân Lập",
        True,
    )
    assert second == "used"
    assert again == "used"
    async with sessions() as session:
        identity = await session.scalar(select(Identity).where(Identity.external_id == "42"))
        assert identity is not None
        assert identity.user_id == first.user_id
        assert await session.scalar(select(func.count()).select_from(User)) == 6
        roles = (
            await session.scalars(select(RoleGrant.role).where(RoleGrant.user_id == first.user_id))
        ).all()
        assert roles == ["cadre"]
        actions = set((await session.scalars(select(AuditLog.action))).all())
    assert {"invite.create", "invite.use", "user.create", "role.grant"} <= actions


async def test_expired_and_unknown_codes_are_told_apart(
    sessions: async_sessionmaker[AsyncSession], now: datetime
) -> None:
    code, invite_id = await _invite(sessions, now, days=1)
    later = now + timedelta(days=2)
    async with sessions() as session, session.begin():
        assert await find_invite(session, code, later) == "expired"
        assert await find_invite(session, "ABCDEFGHJK", now) == "unknown"
        assert await redeem_invite(session, invite_id, "telegram", "42", "A", later) == "expired"


async def test_an_existing_user_gains_the_role_and_keeps_the_account(
    sessions: async_sessionmaker[AsyncSession], now: datetime
) -> None:
    _code, invite_id = await _invite(sessions, now)
    async with sessions() as session, session.begin():
        result = await redeem_invite(session, invite_id, "console", "mentor", None, now)

    assert not isinstance(result, str)
    assert not result.is_new_user
    assert result.name == "Người dùng mentor"


async def test_a_person_known_only_by_phone_joins_by_sms_as_the_same_user(
    sessions: async_sessionmaker[AsyncSession], now: datetime
) -> None:
    _code, invite_id = await _invite(sessions, now)
    async with sessions() as session, session.begin():
        imported = User(name="Hồ Văn Mến", phone="+84977000111", created_at=now)
        session.add(imported)
    async with sessions() as session:
        users_before = await session.scalar(select(func.count()).select_from(User))
    async with sessions() as session, session.begin():
        result = await redeem_invite(session, invite_id, "sms", "0977 000 111", None, now)

    assert not isinstance(result, str)
    assert (result.user_id, result.is_new_user) == (imported.id, False)
    async with sessions() as session:
        users = await session.scalar(select(func.count()).select_from(User))
        identity = await session.scalar(select(Identity).where(Identity.channel == "sms"))
        roles = list(
            await session.scalars(select(RoleGrant.role).where(RoleGrant.user_id == imported.id))
        )
    assert users == users_before
    assert identity is not None
    assert identity.user_id == imported.id
    assert roles == ["cadre"]
