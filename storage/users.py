"""Listing and revoking users, for ``giamngheo users``.

Revoking is immediate and total: ``users.revoked_at`` is set and every grant still in force is
revoked in the same transaction, with audit rows. :func:`storage.access.access_for_user` returns
nothing for a revoked user, so the very next message of theirs, on any channel, is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from poverty.errors import NotFoundError
from poverty.i18n import N_
from storage.audit import Actor, AuditEntry, record_audit
from storage.models import AdminUnit, Identity, RoleGrant, User
from storage.units import Unit

USER_NOT_FOUND = N_("Không có người dùng số {id}.")


@dataclass(frozen=True)
class UserRole:
    role: str
    unit_name: str
    revoked: bool


@dataclass(frozen=True)
class UserSummary:
    """A user as an administrator sees them: no phone number, only the channels they use."""

    id: int
    name: str
    created_at: datetime
    revoked_at: datetime | None
    roles: tuple[UserRole, ...]
    channels: tuple[str, ...]


async def list_users(
    session: AsyncSession, under: Unit | None = None, *, include_revoked: bool = True
) -> list[UserSummary]:
    """Every user (or those with a grant inside ``under``), oldest first."""
    query = select(User).order_by(User.id)
    if not include_revoked:
        query = query.where(User.revoked_at.is_(None))
    users = list((await session.scalars(query)).all())
    grants = (
        await session.execute(
            select(RoleGrant.user_id, RoleGrant.role, RoleGrant.revoked_at, AdminUnit)
            .join(AdminUnit, AdminUnit.id == RoleGrant.unit_id)
            .order_by(RoleGrant.id)
        )
    ).all()
    identities = (
        await session.execute(select(Identity.user_id, Identity.channel).order_by(Identity.id))
    ).all()
    roles: dict[int, list[UserRole]] = {}
    inside: set[int] = set()
    for user_id, role, revoked_at, unit in grants:
        roles.setdefault(user_id, []).append(UserRole(role, unit.name, revoked_at is not None))
        if under is not None and unit.path.startswith(under.path):
            inside.add(user_id)
    channels: dict[int, list[str]] = {}
    for user_id, channel in identities:
        if channel not in channels.setdefault(user_id, []):
            channels[user_id].append(channel)
    return [
        UserSummary(
            u.id,
            u.name,
            u.created_at,
            u.revoked_at,
            tuple(roles.get(u.id, ())),
            tuple(channels.get(u.id, ())),
        )
        for u in users
        if under is None or u.id in inside
    ]


async def revoke_user(
    session: AsyncSession, user_id: int, actor: Actor, now: datetime
) -> Sequence[str]:
    """Revoke the user and every grant in force; returns the roles that were revoked."""
    user = await session.get(User, user_id, with_for_update=True)
    if user is None:
        raise NotFoundError(USER_NOT_FOUND, id=user_id)
    if user.revoked_at is None:
        user.revoked_at = now
    active = (
        await session.scalars(
            select(RoleGrant).where(RoleGrant.user_id == user_id, RoleGrant.revoked_at.is_(None))
        )
    ).all()
    await session.execute(
        update(RoleGrant)
        .where(RoleGrant.user_id == user_id, RoleGrant.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    entries = [AuditEntry("user.revoke", "user", str(user_id))]
    entries += [
        AuditEntry("role.revoke", "user", str(user_id), {"role": g.role, "unit_id": g.unit_id})
        for g in active
    ]
    await record_audit(session, actor, entries, now)
    return [g.role for g in active]
