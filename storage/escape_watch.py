"""Queries for the watch of newly escaped households; the rules are in
:mod:`poverty.escape_watch`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from poverty.escape_watch import (
    HouseholdHistory,
    Watched,
    first_relevant_year,
    history_of,
    watch_on,
)
from poverty.support_plans import EscapeWatch
from storage.audit import Actor, AuditEntry, record_audit
from storage.models import EscapeCheck, Household, OfficialRecord


async def histories(
    session: AsyncSession, households: ColumnElement[bool], since_year: int | None = None
) -> list[HouseholdHistory]:
    """The history of every household matching ``households`` that has records (only the
    records from ``since_year`` on, when given)."""
    query = (
        select(OfficialRecord.household_id, OfficialRecord.year, OfficialRecord.status)
        .join(Household, Household.id == OfficialRecord.household_id)
        .where(households)
        .order_by(OfficialRecord.household_id, OfficialRecord.year)
    )
    if since_year is not None:
        query = query.where(OfficialRecord.year >= since_year)
    rows = await session.execute(query)
    by_household: dict[int, list[tuple[int, str]]] = {}
    for household_id, year, status in rows:
        by_household.setdefault(household_id, []).append((year, status))
    return [history_of(hid, records) for hid, records in by_household.items()]


async def under_watch(
    session: AsyncSession, households: ColumnElement[bool], watch: EscapeWatch, today: date
) -> list[Watched]:
    """Households under watch on ``today``; only the recent records are read, so the planner
    that runs every few minutes stays cheap on a province's data."""
    since = first_relevant_year(watch, today)
    found = [watch_on(h, watch, today) for h in await histories(session, households, since)]
    return [w for w in found if w is not None]


async def answered_periods(
    session: AsyncSession, household_ids: Sequence[int]
) -> set[tuple[int, date]]:
    if not household_ids:
        return set()
    rows = await session.execute(
        select(EscapeCheck.household_id, EscapeCheck.period_start).where(
            EscapeCheck.household_id.in_(household_ids)
        )
    )
    return {(hid, start) for hid, start in rows}


async def record_check(
    session: AsyncSession,
    watched: Watched,
    deprivation_back: bool,
    income_fell: bool,
    note: str | None,
    actor: Actor,
    now: datetime,
) -> bool:
    """Store the mentor's check for the current period; a second answer for the same period
    replaces the first. Returns True when the answers point to a risk of falling back."""
    period = watched.period_start or watched.start
    row = await session.scalar(
        select(EscapeCheck)
        .where(
            EscapeCheck.household_id == watched.household_id,
            EscapeCheck.period_start == period,
        )
        .with_for_update()
    )
    if row is None:
        row = EscapeCheck(household_id=watched.household_id, period_start=period, created_at=now)
        session.add(row)
    row.deprivation_back, row.income_fell, row.note = deprivation_back, income_fell, note
    row.user_id, row.created_at = actor.user_id, now
    await session.flush()
    details = {
        "period_start": period.isoformat(),
        "deprivation_back": deprivation_back,
        "income_fell": income_fell,
    }
    await record_audit(
        session,
        actor,
        [AuditEntry("escape.check", "household", str(watched.household_id), details)],
        now,
    )
    return deprivation_back or income_fell
