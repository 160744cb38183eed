"""Reminders of the annual review's deadline (14 December, QĐ 24/2021/QĐ-TTg Art. 3) to the
cadres whose villages lag behind the rest of their commune.

7, 3 and 1 days before the deadline, each open review's progress is read per village; a village
whose share of checked households is below the commune's is lagging, and every cadre whose area
covers one gets one message naming their lagging villages. The key
``review:{review}:T-{days}:{user}`` makes planning twice harmless; the outbox applies quiet hours,
pacing and each person's channel as for every reminder.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from poverty.calendar import ReportCalendar
from poverty.formatting import format_date, format_int
from poverty.i18n import N_
from poverty.review import review_deadline
from scheduler.reminders import local_today, send_from
from scheduler.texts import Translate
from storage.outbox import NewMessage, enqueue
from storage.recipients import addresses, grants_with_role
from storage.reviews import VillageProgress, open_reviews, review_status

DAYS_BEFORE = (7, 3, 1)
REMINDER = N_(
    "Rà soát năm {year}: hạn {deadline}, còn {days} ngày. Cả xã đã kiểm tra {share}% số hộ "
    "cần rà soát; các thôn còn chậm:"
)
VILLAGE = N_("• {village}: {checked}/{total} hộ")
HOW = N_("Gõ “rà soát” để xem các hộ chưa kiểm tra.")


def _village_line(village: VillageProgress, translate: Translate) -> str:
    return translate(VILLAGE).format(
        village=village.name,
        checked=format_int(village.checked),
        total=format_int(village.total),
    )


async def plan_review_reminders(
    session: AsyncSession, calendar: ReportCalendar, now: datetime, translate: Translate = str
) -> int:
    """Queue today's reminders of lagging villages; returns how many were new."""
    today = local_today(calendar, now)
    deadline = review_deadline(today.year)
    days = (deadline - today).days
    if days not in DAYS_BEFORE:
        return 0
    cadres = await grants_with_role(session, "cadre")
    planned: list[tuple[str, int, str]] = []
    for review in await open_reviews(session, today.year):
        status = await review_status(session, review)
        if not status.total:
            continue
        overall = status.checked / status.total
        lagging = [v for v in status.villages if v.path and v.total and v.share < overall]
        head = translate(REMINDER).format(
            year=review.year,
            deadline=format_date(deadline),
            days=days,
            share=format_int(round(overall * 100)),
        )
        for grant in cadres:
            mine = [v for v in lagging if v.path.startswith(grant.unit_path)]
            if not mine:
                continue
            lines = [head, *(_village_line(v, translate) for v in mine), translate(HOW)]
            key = f"review:{review.id}:T-{days}:{grant.user_id}"
            planned.append((key, grant.user_id, "\n".join(lines)))
    reach = await addresses(session, {user for _key, user, _text in planned})
    messages = [
        NewMessage(
            key,
            reach[user].channel,
            reach[user].external_id,
            text,
            user_id=user,
            not_before=send_from(calendar, now),
        )
        for key, user, text in planned
        if user in reach
    ]
    return await enqueue(session, messages, now)
