"""Users, their channel identities and role grants."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from storage.audit import Actor, AuditEntry, record_audit
from storage.models import Identity, RoleGrant, User


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    phone: str | None


async def create_user(
    session: AsyncSession, name: str, phone: str | None, actor: Actor, now: datetime
) -> Person:
    user = User(name=name, phone=phone, created_at=now)
    session.add(user)
    await session.flush()
    await record_audit(session, actor, [AuditEntry("user.create", "user", str(user.id))], now)
    return Person(user.id, user.name, user.phone)


async def add_identity(
    session: AsyncSession, user_id: int, channel: str, external_id: str, now: datetime
) -> None:
    session.add(Identity(user_id=user_id, channel=channel, external_id=external_id, created_at=now))
    await session.flush()


async def grant_role(
    session: AsyncSession, user_id: int, role: str, unit_id: int, actor: Actor, now: datetime
) -> None:
    grant = RoleGrant(user_id=user_id, role=role, unit_id=unit_id, granted_at=now)
    session.add(grant)
    await session.flush()
    await record_audit(
        session,
        actor,
        [AuditEntry("role.grant", "user", str(user_id), {"role": role, "unit_id": unit_id})],
        now,
    )
