"""``giamngheo scheduler`` (plan reminders on a timer) and ``giamngheo remind`` (plan once).

``remind --dry-run --at "2026-12-13 08:00"`` plans as if it were that moment (local time) in a
transaction that is rolled back, and prints every message that would be sent then: recipient,
channel and text.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from sqlalchemy import select

from bot.i18n import _, __
from bot.logs import configure_logging
from bot.runtime import Runtime, open_runtime, run
from bot.settings import Settings
from poverty.calendar import ReportCalendar, load_calendar
from poverty.errors import InvalidInputError
from poverty.formatting import format_int
from scheduler.quiet import QuietHours
from scheduler.reminders import PlanResult
from scheduler.service import SchedulerService
from scheduler.tick import plan_all
from storage.models import OutboxMessage, User

BAD_MOMENT = __("Thời điểm “{text}” không đúng; ví dụ: 2026-12-13 08:00.")
PLANNED = __(
    "Đã lên lịch: {digests} tin nhắc người đỡ đầu ({followups} việc), {escalations} tin báo "
    "lãnh đạo, {reports} tin nhắc nộp báo cáo, {reviews} tin nhắc rà soát."
)
NOTHING = __("Không có tin nào được gửi vào lúc đó.")
WOULD_SEND = __("{count} tin sẽ được gửi vào lúc {at}:")
RECIPIENT = __("— Gửi {name} qua {channel}:")
SCHEDULER_RUNNING = __("Bộ lập lịch đang chạy; nhấn Ctrl+C để dừng.")

CalendarOption = Annotated[
    Path | None, typer.Option("--calendar", help="Tệp lịch báo cáo YAML (mặc định: lịch Cam Lộ).")
]


def read_calendar(path: Path | None, timezone: str) -> ReportCalendar:
    """The calendar in the file given with ``--calendar``, else the packaged one."""
    text = path.read_text(encoding="utf-8") if path else None
    return load_calendar(text, timezone=timezone)


def register(app: typer.Typer) -> None:
    app.command("remind", help="Lên lịch các tin nhắc đến hạn (hoặc xem trước với --dry-run).")(
        remind
    )
    app.command("scheduler", help="Chạy bộ lập lịch nhắc việc (không gửi tin).")(scheduler)


def parse_moment(text: str, timezone: str) -> datetime:
    """``2026-12-13 08:00`` in local time → an aware datetime."""
    try:
        naive = datetime.strptime(text.strip(), "%Y-%m-%d %H:%M")  # noqa: DTZ007 - zone added below
    except ValueError:
        raise InvalidInputError(BAD_MOMENT, text=text) from None
    return naive.replace(tzinfo=ZoneInfo(timezone))


def remind(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Chỉ in ra, không lưu.")] = False,
    at: Annotated[
        str | None, typer.Option("--at", help="Giờ địa phương, ví dụ “2026-12-13 08:00”.")
    ] = None,
    calendar_file: CalendarOption = None,
) -> None:
    settings = Settings()
    calendar = read_calendar(calendar_file, settings.timezone)
    moment = parse_moment(at, settings.timezone) if at else None

    async def go() -> tuple[PlanResult, list[tuple[str, str, str]], datetime]:
        async with open_runtime(settings) as rt:
            when = moment or rt.now()
            return (*await _plan(rt, calendar, when, dry_run), when)

    result, shown, when = run(go())
    if not dry_run:
        typer.echo(_(PLANNED).format(**_counts(result)))
        return
    if not shown:
        typer.echo(_(NOTHING))
        return
    local = when.astimezone(ZoneInfo(settings.timezone))
    typer.echo(_(WOULD_SEND).format(count=format_int(len(shown)), at=f"{local:%H:%M %d/%m/%Y}"))
    for name, channel, text in shown:
        typer.echo("")
        typer.echo(_(RECIPIENT).format(name=name, channel=channel))
        typer.echo(text)


def _counts(result: PlanResult) -> dict[str, str]:
    return {
        "digests": format_int(result.digests),
        "followups": format_int(result.followups_reminded),
        "escalations": format_int(result.escalations),
        "reports": format_int(result.report_reminders),
        "reviews": format_int(result.review_reminders),
    }


async def _plan(
    rt: Runtime, calendar: ReportCalendar, when: datetime, dry_run: bool
) -> tuple[PlanResult, list[tuple[str, str, str]]]:
    async with rt.sessions() as session:
        transaction = await session.begin()
        result = await plan_all(session, calendar, when, _)
        shown: list[tuple[str, str, str]] = []
        if dry_run:
            query = (
                select(OutboxMessage, User.name)
                .outerjoin(User, User.id == OutboxMessage.user_id)
                .where(OutboxMessage.state == "pending", OutboxMessage.next_try_at <= when)
                .order_by(OutboxMessage.next_try_at, OutboxMessage.id)
            )
            if QuietHours(calendar.timezone).contains(when):
                query = query.where(OutboxMessage.quiet.is_(False))
            for message, name in await session.execute(query):
                shown.append((name or "?", message.channel, message.text))
            await transaction.rollback()
        else:
            await transaction.commit()
        return result, shown


def scheduler(
    tick_every: Annotated[
        float, typer.Option("--tick-every", help="Số giây giữa hai lần lập lịch.")
    ] = 300.0,
    calendar_file: CalendarOption = None,
) -> None:
    settings = Settings()
    configure_logging(fmt=settings.log_format)
    calendar = read_calendar(calendar_file, settings.timezone)

    async def go() -> None:
        async with open_runtime(settings) as rt:
            service = SchedulerService(
                rt.sessions, calendar, rt.now, translate=_, tick_every=tick_every
            )
            service.start()
            typer.echo(_(SCHEDULER_RUNNING))
            try:
                await asyncio.Event().wait()
            finally:
                await service.stop()

    with contextlib.suppress(KeyboardInterrupt):
        run(go())
