"""Planning: turn what is due today into outbox rows with deterministic keys.

* Mentor digests — one message per mentor per day (``digest:mentor:{user}:{date}``) with every
  unanswered follow-up that is due within ``remind_before_due_days`` or overdue, repeated every
  ``remind_every_days`` until the mentor answers.
* Escalations — follow-ups still not done ``escalate_after_days`` after their due date, once, to
  every manager whose area covers the household (``escalation:{user}:{date}``).
* Report reminders — on each reminder day of a deadline, to the cadres of units that have not
  submitted (``report:{unit}:{period}:T-{n}:{user}``).

Planning the same day twice inserts nothing new (the keys are UNIQUE). Reminders wait in the
outbox until ``remind_at`` local time and are held through quiet hours by the dispatcher.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from poverty.calendar import ReportCalendar, describe
from scheduler.texts import Translate, manager_escalation, mentor_digest, report_reminder
from storage.followups import OpenFollowUp, open_followups
from storage.mentors import current_mentors
from storage.models import AdminUnit, FollowUp, User
from storage.outbox import NewMessage, enqueue
from storage.recipients import addresses, grants_with_role
from storage.reporting import reporting_units, submitted_unit_ids

_CHUNK = 1000


@dataclass(frozen=True)
class PlanResult:
    digests: int = 0
    followups_reminded: int = 0
    escalations: int = 0
    followups_escalated: int = 0
    report_reminders: int = 0
    escape_checks: int = 0
    review_reminders: int = 0


def local_today(calendar: ReportCalendar, now: datetime) -> date:
    return now.astimezone(ZoneInfo(calendar.timezone)).date()


def send_from(calendar: ReportCalendar, now: datetime) -> datetime:
    """``remind_at`` local time today, or now if that has passed."""
    tz = ZoneInfo(calendar.timezone)
    local = datetime.combine(local_today(calendar, now), calendar.remind_at, tzinfo=tz)
    return max(now, local.astimezone(now.tzinfo))


async def _mark(session: AsyncSession, ids: list[int], column: str, now: datetime) -> None:
    for start in range(0, len(ids), _CHUNK):
        await session.execute(
            update(FollowUp)
            .where(FollowUp.id.in_(ids[start : start + _CHUNK]))
            .values({column: now})
        )


async def plan_mentor_digests(
    session: AsyncSession, calendar: ReportCalendar, now: datetime, translate: Translate = str
) -> PlanResult:
    settings = calendar.followups
    today = local_today(calendar, now)
    horizon = today + timedelta(days=settings.remind_before_due_days)
    repeat_before = now - timedelta(days=settings.remind_every_days) + timedelta(hours=1)
    due = [
        f
        for f in await open_followups(session, due_by=horizon)
        if f.state == "open" and (f.reminded_at is None or f.reminded_at <= repeat_before)
    ]
    mentors = await current_mentors(session, {f.household_id for f in due})
    by_mentor: dict[int, list[OpenFollowUp]] = defaultdict(list)
    for item in due:
        mentor = mentors.get(item.household_id)
        if mentor is not None:
            by_mentor[mentor].append(item)
    reach = await addresses(session, by_mentor)
    messages: list[NewMessage] = []
    reminded: list[int] = []
    start = send_from(calendar, now)
    for mentor, items in sorted(by_mentor.items()):
        address = reach.get(mentor)
        if address is None:
            continue
        items.sort(key=lambda f: (f.household_code, f.due_on, f.indicator))
        messages.append(
            NewMessage(
                f"digest:mentor:{mentor}:{today.isoformat()}",
                address.channel,
                address.external_id,
                mentor_digest(today, items, translate),
                user_id=mentor,
                not_before=start,
            )
        )
        reminded.extend(f.id for f in items)
    queued = await enqueue(session, messages, now)
    if queued:
        await _mark(session, reminded, "reminded_at", now)
    return PlanResult(digests=queued, followups_reminded=len(reminded) if queued else 0)


async def plan_escalations(
    session: AsyncSession, calendar: ReportCalendar, now: datetime, translate: Translate = str
) -> PlanResult:
    today = local_today(calendar, now)
    cutoff = today - timedelta(days=calendar.followups.escalate_after_days)
    late = [f for f in await open_followups(session, due_by=cutoff) if f.escalated_at is None]
    if not late:
        return PlanResult()
    unit_paths = dict(
        (
            await session.execute(
                select(AdminUnit.id, AdminUnit.path).where(
                    AdminUnit.id.in_({f.unit_id for f in late})
                )
            )
        ).all()
    )
    managers = await grants_with_role(session, "manager")
    by_manager: dict[int, list[OpenFollowUp]] = defaultdict(list)
    for item in late:
        path = unit_paths.get(item.unit_id, "")
        for user in sorted({g.user_id for g in managers if path.startswith(g.unit_path)}):
            by_manager[user].append(item)
    mentors = await current_mentors(session, {f.household_id for f in late})
    names = dict(
        (
            await session.execute(
                select(User.id, User.name).where(User.id.in_(set(mentors.values())))
            )
        ).all()
    )
    mentor_names = {hid: names.get(uid, "") for hid, uid in mentors.items()}
    reach = await addresses(session, by_manager)
    messages = [
        NewMessage(
            f"escalation:{user}:{today.isoformat()}",
            reach[user].channel,
            reach[user].external_id,
            manager_escalation(today, items, mentor_names, translate),
            user_id=user,
            not_before=send_from(calendar, now),
        )
        for user, items in sorted(by_manager.items())
        if user in reach
    ]
    queued = await enqueue(session, messages, now)
    if not queued:
        return PlanResult()
    escalated = sorted({f.id for user, items in by_manager.items() if user in reach for f in items})
    await _mark(session, escalated, "escalated_at", now)
    return PlanResult(escalations=queued, followups_escalated=len(escalated))


async def plan_report_reminders(
    session: AsyncSession, calendar: ReportCalendar, now: datetime, translate: Translate = str
) -> PlanResult:
    today = local_today(calendar, now)
    due = calendar.reminders_on(today)
    if not due:
        return PlanResult()
    units = await reporting_units(session, calendar.unit_level)
    cadres: dict[int, list[int]] = defaultdict(list)
    for grant in await grants_with_role(session, "cadre"):
        cadres[grant.unit_id].append(grant.user_id)
    reach = await addresses(session, {u for users in cadres.values() for u in users})
    messages: list[NewMessage] = []
    for deadline, left in due:
        done = await submitted_unit_ids(session, deadline.period, [u.id for u in units])
        msgid, params = describe(deadline)
        report = translate(msgid).format(**params)
        for unit in units:
            if unit.id in done:
                continue
            for user in sorted(set(cadres.get(unit.id, []))):
                if user not in reach:
                    continue
                messages.append(
                    NewMessage(
                        f"report:{unit.id}:{deadline.period}:T-{left}:{user}",
                        reach[user].channel,
                        reach[user].external_id,
                        report_reminder(report, deadline.due, left, unit.name, translate),
                        user_id=user,
                        not_before=send_from(calendar, now),
                    )
                )
    return PlanResult(report_reminders=await enqueue(session, messages, now))
