"""Where to reach people: one channel address per user, and who holds a role over a unit.

A chat identity is preferred (Zalo, then Telegram); a user with none, or whose chats all blocked
the bot, is reached by SMS at their phone number. Revoked users are never reached.

Zalo's free-reply window is not checked here: the Zalo sender checks it when it sends, with the
configured numbers, and outside it sends by ZNS or SMS in the configured order
(:mod:`bot.handlers.zalo.outbox`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AdminUnit, Identity, RoleGrant, User

CHANNEL_PREFERENCE = ("zalo", "telegram")


@dataclass(frozen=True)
class Address:
    user_id: int
    name: str
    channel: str
    external_id: str


async def addresses(
    session: AsyncSession,
    user_ids: Iterable[int],
) -> dict[int, Address]:
    """User id → the address to write to; users that cannot be reached are left out."""
    ids = sorted(set(user_ids))
    found: dict[int, Address] = {}
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        users = await session.execute(
            select(User.id, User.name, User.phone).where(
                User.id.in_(chunk), User.revoked_at.is_(None)
            )
        )
        people = {uid: (name, phone) for uid, name, phone in users}
        identities = await session.execute(
            select(Identity.user_id, Identity.channel, Identity.external_id)
            .where(
                Identity.user_id.in_(list(people)),
                Identity.blocked_at.is_(None),
                Identity.channel.in_(CHANNEL_PREFERENCE),
            )
            .order_by(Identity.id)
        )
        chats: dict[int, dict[str, str]] = {}
        for uid, channel, external in identities:
            chats.setdefault(uid, {}).setdefault(channel, external)
        for uid, (name, phone) in people.items():
            chat = next((c for c in CHANNEL_PREFERENCE if c in chats.get(uid, {})), None)
            if chat is not None:
                found[uid] = Address(uid, name, chat, chats[uid][chat])
            elif phone:
                found[uid] = Address(uid, name, "sms", phone)
    return found


@dataclass(frozen=True)
class UnitGrant:
    user_id: int
    unit_id: int
    unit_path: str


async def grants_with_role(session: AsyncSession, role: str) -> list[UnitGrant]:
    """Every grant of ``role`` in force, with the unit's path (a subtree prefix)."""
    rows = await session.execute(
        select(RoleGrant.user_id, AdminUnit.id, AdminUnit.path)
        .join(AdminUnit, AdminUnit.id == RoleGrant.unit_id)
        .join(User, User.id == RoleGrant.user_id)
        .where(RoleGrant.role == role, RoleGrant.revoked_at.is_(None), User.revoked_at.is_(None))
        .order_by(RoleGrant.id)
    )
    return [UnitGrant(uid, unit_id, path) for uid, unit_id, path in rows]
