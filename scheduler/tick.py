"""One tick: plan everything due now and remove rows kept only for a while
(:mod:`storage.pruning`), under a lock so only one instance plans at a time.

On PostgreSQL the tick takes a transaction-level advisory lock and returns at once if another
instance holds it; the UNIQUE keys make a double plan harmless anyway. SQLite has one writer.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from poverty.calendar import ReportCalendar
from scheduler.escape_checks import plan_escape_checks
from scheduler.reminders import (
    PlanResult,
    plan_escalations,
    plan_mentor_digests,
    plan_report_reminders,
)
from scheduler.review_reminders import plan_review_reminders
from scheduler.texts import Translate
from storage.pruning import prune_old_rows

LOCK_KEY = 0x67_6E_74_69_63_6B
"""Advisory lock id of the planner (``gntick`` in ASCII)."""


@dataclass(frozen=True)
class TickResult:
    ran: bool
    plan: PlanResult


async def _try_lock(session: AsyncSession) -> bool:
    if session.get_bind().dialect.name != "postgresql":
        return True
    locked = await session.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
    return bool(locked)


async def plan_all(
    session: AsyncSession, calendar: ReportCalendar, now: datetime, translate: Translate = str
) -> PlanResult:
    """Digests, escalations, report reminders, checks of newly escaped households and reminders
    of the annual review's deadline for ``now``, in the caller's transaction."""
    parts = [
        await plan_mentor_digests(session, calendar, now, translate),
        await plan_escalations(session, calendar, now, translate),
        await plan_report_reminders(session, calendar, now, translate),
        PlanResult(escape_checks=await plan_escape_checks(session, calendar, now, translate)),
        PlanResult(review_reminders=await plan_review_reminders(session, calendar, now, translate)),
    ]
    totals = {f.name: sum(getattr(p, f.name) for p in parts) for f in fields(PlanResult)}
    return PlanResult(**totals)


async def tick(
    sessions: async_sessionmaker[AsyncSession],
    calendar: ReportCalendar,
    now: datetime,
    translate: Translate = str,
) -> TickResult:
    async with sessions() as session, session.begin():
        if not await _try_lock(session):
            return TickResult(False, PlanResult())
        plan = await plan_all(session, calendar, now, translate)
        await prune_old_rows(session, now)
        return TickResult(True, plan)
