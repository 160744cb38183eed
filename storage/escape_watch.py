"""Newly escaped households and re-poverty, derived from the official records of consecutive
years (never from a flag set by an import).

Rules (the numbers are data: ``escape_watch`` in ``poverty/support_plans.yaml``):

- **Escape** in year Y: the household's official record of year Y−1 is poor or near-poor and
  its record of year Y is above (``trung_binh`` or ``khong``). Years must be consecutive: a gap
  says nothing.
- **Watch**: from :meth:`EscapeWatch.start_for` (Y) (by default 1 January of Y+1, when the list
  approved at the end of year Y's review takes effect) for ``months`` months. A household that
  falls back ends its watch.
- **Re-poverty** (tái nghèo) in year Z: a household that had escaped is poor or near-poor again
  in its record of year Z, its record of Z−1 being above.
- **Checks**: the watch is cut into periods of ``check_every_months``; a check is due for each
  period after the first (so the first check comes one period after the watch starts).
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import pairwise

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from poverty.support_plans import EscapeWatch
from storage.audit import Actor, AuditEntry, record_audit
from storage.models import EscapeCheck, Household, OfficialRecord

POOR = frozenset({"ngheo", "can_ngheo"})
ABOVE = frozenset({"trung_binh", "khong"})


@dataclass(frozen=True)
class HouseholdHistory:
    """What the official records say about one household's way out of poverty."""

    household_id: int
    escape_year: int | None
    """The latest escape, if any."""
    repoverty_years: tuple[int, ...]

    def fell_back_after(self, year: int) -> bool:
        return any(z > year for z in self.repoverty_years)


def add_months(day: date, months: int) -> date:
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


def history_of(household_id: int, records: Sequence[tuple[int, str]]) -> HouseholdHistory:
    """Escape and re-poverty years from ``(year, status)`` records sorted by year."""
    escape: int | None = None
    escaped_before = False
    repoverty: list[int] = []
    for (prev_year, prev_status), (year, status) in pairwise(records):
        if year != prev_year + 1:
            continue
        if prev_status in POOR and status in ABOVE:
            escape, escaped_before = year, True
        elif prev_status in ABOVE and status in POOR and escaped_before:
            repoverty.append(year)
    return HouseholdHistory(household_id, escape, tuple(repoverty))


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


@dataclass(frozen=True)
class Watched:
    """A newly escaped household under watch on a given day."""

    household_id: int
    escape_year: int
    start: date
    end: date
    period_start: date | None
    """Start of the check period ``today`` falls in; None before the first check is due."""


def watch_on(history: HouseholdHistory, watch: EscapeWatch, today: date) -> Watched | None:
    """The watch of this household on ``today``, or None (never escaped, fell back since,
    watch not started or over)."""
    if history.escape_year is None or history.fell_back_after(history.escape_year):
        return None
    start = watch.start_for(history.escape_year)
    end = add_months(start, watch.months)
    if not start <= today < end:
        return None
    elapsed = (today.year - start.year) * 12 + today.month - start.month
    if today.day < start.day:
        elapsed -= 1
    periods = elapsed // watch.check_every_months
    period_start = add_months(start, periods * watch.check_every_months) if periods else None
    return Watched(history.household_id, history.escape_year, start, end, period_start)


def first_relevant_year(watch: EscapeWatch, today: date) -> int:
    """The earliest record year that can still matter to a watch running on ``today``: the
    year before the oldest escape whose watch has not ended."""
    years_watched = -(-watch.months // 12)
    return today.year - watch.start_year_offset - years_watched - 1


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
