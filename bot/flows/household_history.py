"""“lịch sử hộ TL00001”: a household's official classes by year, its latest checks (the year
and standard each applied to, the channel, the photos kept with it) and its requests to be
reviewed. Only households in the user's area; any other code is answered like an unknown one."""

from __future__ import annotations

from collections.abc import Sequence

from bot.flows.context import FlowContext
from bot.flows.flow import Answers, Flow, Step
from bot.flows.household_check import class_label
from bot.flows.messages import Outbound
from bot.flows.support_answers import HouseholdInArea
from bot.i18n import _, __
from poverty.formatting import format_date
from poverty.review import period_label
from storage.household_history import household_history

ASK_CODE = __("Mã hộ cần xem lịch sử?")
TITLE = __("Lịch sử hộ {code}:")
OFFICIAL = __("Phân loại chính thức:")
OFFICIAL_LINE = __("• Năm {year}: {label} (chuẩn {period})")
NO_OFFICIAL = __("Chưa có phân loại chính thức.")
CHECKS = __("Các lần kiểm tra gần nhất:")
CHECK_LINE = __("• {day}: {label}, áp dụng năm {year}, chuẩn {period} ({channel})")
PHOTOS = __("  {count} ảnh kèm theo")
NO_CHECKS = __("Chưa có lần kiểm tra nào.")
REQUESTS = __("Đề nghị rà soát:")
REQUEST_LINE = __("• {day}: “{note}”")
CHANNELS = {"zalo": "Zalo", "sms": "SMS", "telegram": "Telegram", "console": __("máy tính")}


async def _show(context: FlowContext, answers: Answers) -> Sequence[Outbound]:
    household = answers["ho"]
    history = await household_history(context.session, int(household["id"]))
    lines = [_(TITLE).format(code=household["code"]), _(OFFICIAL)]
    lines += [
        _(OFFICIAL_LINE).format(
            year=r.year, label=class_label(r.status), period=period_label(r.standard_id)
        )
        for r in history.official
    ] or [_(NO_OFFICIAL)]
    lines.append(_(CHECKS))
    if not history.checks:
        lines.append(_(NO_CHECKS))
    for check in history.checks:
        lines.append(
            _(CHECK_LINE).format(
                day=format_date(check.at.astimezone(context.tz).date()),
                label=class_label(check.computed_class),
                year=check.applies_year,
                period=period_label(check.standard_id),
                channel=_(CHANNELS.get(check.channel, check.channel)),
            )
        )
        if check.photos:
            lines.append(_(PHOTOS).format(count=check.photos))
    if history.requests:
        lines.append(_(REQUESTS))
        lines += [
            _(REQUEST_LINE).format(day=format_date(r.on), note=r.note) for r in history.requests
        ]
    return [Outbound("\n".join(lines))]


HOUSEHOLD_HISTORY = Flow(
    name="household_history",
    title=__("Lịch sử hộ"),
    steps=(Step("ho", ask=ASK_CODE, answer=HouseholdInArea()),),
    finish=_show,
    keywords=("lich su ho", "lich su", "/lichsu"),
    roles=frozenset({"admin", "manager", "cadre", "mentor"}),
    listed=False,
    by_household_code=True,
)
