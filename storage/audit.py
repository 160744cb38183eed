"""Audit rows: every change to household data records who, what, which record and when."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.inserts import insert_rows
from storage.models import Base

AUDIT_COLUMNS = ("action", "entity", "entity_id", "details")


@dataclass(frozen=True)
class Actor:
    """Who made a change: a user, or a named tool such as ``cli:import``."""

    label: str
    user_id: int | None = None


@dataclass(frozen=True)
class AuditEntry:
    action: str
    entity: str
    entity_id: str
    details: dict[str, Any] = field(default_factory=dict)


async def record_audit(
    session: AsyncSession, actor: Actor, entries: Sequence[AuditEntry], at: datetime
) -> None:
    """Write audit rows in bulk (imports write thousands at a time)."""
    if not entries:
        return
    await insert_rows(
        session,
        Base.metadata.tables["audit_log"],
        AUDIT_COLUMNS,
        [(e.action, e.entity, e.entity_id, e.details) for e in entries],
        {"at": at, "actor_user_id": actor.user_id, "actor": actor.label},
    )
