"""Rows written in bulk read back exactly like rows written through the ORM."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.audit import Actor, AuditEntry, record_audit
from storage.models import AuditLog


async def test_bulk_written_timestamps_match_an_equality_filter(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    at = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
    async with sessions() as session, session.begin():
        await record_audit(session, Actor("test"), [AuditEntry("x.y", "household", "1")], at)
    async with sessions() as session:
        found = (await session.scalars(select(AuditLog.at).where(AuditLog.at == at))).all()
    assert found == [at]
