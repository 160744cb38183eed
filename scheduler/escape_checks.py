"""Planning the light check of newly escaped households (see :mod:`storage.escape_watch`).

For every household under watch whose current check period has no answer yet, its mentor gets
one message per period (``escape-check:{household}:{period start}``), so planning twice, or on
every tick of the period, inserts nothing new. Households without a mentor, or whose mentor
cannot be reached, are left out (the managers' summary counts households without a mentor).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select, true
from sqlalchemy.ext.asyncio import AsyncSession

from poverty.calendar import ReportCalendar
from poverty.escape_watch import Watched, due_checks
from poverty.formatting import format_date
from poverty.i18n import N_
from poverty.support_plans import EscapeWatch, load_support_lists
from scheduler.reminders import local_today, send_from
from scheduler.texts import Translate
from storage.escape_watch import answered_periods, under_watch
from storage.mentors import current_mentors
from storage.models import Household
from storage.outbox import NewMessage, enqueue
from storage.recipients import addresses

CHECK_TEXT = N_(
    "Theo dõi hộ mới thoát nghèo: hộ {code} – {head} (thoát nghèo năm {year}, theo dõi đến "
    "{end}). Xin hỏi thăm hộ: có thiếu hụt nào quay lại không, thu nhập có giảm không?"
)
CHECK_HOW = N_("Gõ “thoát nghèo” để trả lời.")


def check_key(watched: Watched) -> str:
    period = watched.period_start or watched.start
    return f"escape-check:{watched.household_id}:{period.isoformat()}"


def check_text(watched: Watched, code: str, head: str, translate: Translate = str) -> str:
    first = translate(CHECK_TEXT).format(
        code=code, head=head, year=watched.escape_year, end=format_date(watched.end)
    )
    return f"{first}\n{translate(CHECK_HOW)}"


async def unanswered_checks(
    session: AsyncSession, watch: EscapeWatch, today: date
) -> list[Watched]:
    """Households under watch with a check due in the current period and not answered."""
    found = await under_watch(session, true(), watch, today)
    answered = await answered_periods(session, [w.household_id for w in found if w.period_start])
    return due_checks(found, answered)


async def plan_escape_checks(
    session: AsyncSession,
    calendar: ReportCalendar,
    now: datetime,
    translate: Translate = str,
    watch: EscapeWatch | None = None,
) -> int:
    """Queue the due checks; returns how many messages were new."""
    due = await unanswered_checks(
        session, watch or load_support_lists().escape_watch, local_today(calendar, now)
    )
    if not due:
        return 0
    mentors = await current_mentors(session, [w.household_id for w in due])
    reach = await addresses(session, set(mentors.values()))
    rows = await session.execute(
        select(Household.id, Household.code, Household.head_name).where(
            Household.id.in_([w.household_id for w in due])
        )
    )
    people = {hid: (code, head) for hid, code, head in rows}
    messages = []
    for watched in sorted(due, key=lambda w: people[w.household_id][0]):
        mentor = mentors.get(watched.household_id)
        address = reach.get(mentor) if mentor is not None else None
        if address is None:
            continue
        code, head = people[watched.household_id]
        messages.append(
            NewMessage(
                check_key(watched),
                address.channel,
                address.external_id,
                check_text(watched, code, head, translate),
                user_id=mentor,
                not_before=send_from(calendar, now),
            )
        )
    return await enqueue(session, messages, now)
