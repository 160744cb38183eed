"""The words of reminders, written for a phone screen: short lines, one item per line.

Rendering takes a ``translate`` function (the bot's gettext ``_``; the identity by default, the
msgids being Vietnamese), because the scheduler never imports the bot.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from functools import cache

from poverty.formatting import format_date, format_int
from poverty.i18n import N_
from poverty.policies import policy_by_code
from poverty.standards import all_standards
from storage.followups import CHECK_TO_COMPLETE, CHECK_TO_COMPLETE_NAME, OpenFollowUp

Translate = Callable[[str], str]

DIGEST_TITLE = N_("Nhắc việc đỡ đầu ngày {date}: {households} hộ, {items} việc.")
HOUSEHOLD_LINE = N_("{number}. Hộ {code} – {head}")
ITEM_DUE = N_("• {indicator}: hạn {due}")
ITEM_OVERDUE = N_("• {indicator}: quá hạn {days} ngày ({due})")
ITEM_POLICIES = N_("  Gợi ý: {policies}")
DIGEST_HOW = N_(
    "Khi có kết quả, gõ “báo cáo việc” để trả lời từng việc: xong, đang làm hoặc vướng."
)
ESCALATION_TITLE = N_("Việc đỡ đầu quá hạn cần lãnh đạo chỉ đạo ({items} việc):")
ESCALATION_LINE = N_("• Hộ {code} – {indicator}: quá hạn {days} ngày; người đỡ đầu: {mentor}")
ESCALATION_STATE = N_("  Tình hình: {state}")
NO_MENTOR = N_("chưa phân công")
STATE_NAMES = {
    "open": N_("chưa trả lời"),
    "in_progress": N_("đang làm"),
    "blocked": N_("vướng"),
}
REPORT_DUE_IN = N_("Nhắc nộp {report}: hạn {due}, còn {days} ngày. Đơn vị {unit} chưa nộp.")
REPORT_DUE_TODAY = N_("Hôm nay ({due}) là hạn nộp {report}. Đơn vị {unit} chưa nộp.")
REPORT_HOW = N_("Gõ “nộp báo cáo” để xem số liệu và nộp.")


@cache
def indicator_names() -> dict[str, str]:
    """Indicator code → its name in the newest standard that has it (and the follow-up of a
    check left without a conclusion)."""
    names: dict[str, str] = {CHECK_TO_COMPLETE: CHECK_TO_COMPLETE_NAME}
    for standard in all_standards():
        for indicator in standard.indicators:
            names[indicator.code] = indicator.name
    return names


def _policy_names(codes: Sequence[str], translate: Translate) -> str:
    names = []
    for code in codes:
        policy = policy_by_code(code)
        names.append(translate(policy.name) if policy else code)
    return "; ".join(names)


def mentor_digest(
    today: date, followups: Sequence[OpenFollowUp], translate: Translate = str
) -> str:
    """One message listing a mentor's households, what each lacks and what to do."""
    by_household: dict[int, list[OpenFollowUp]] = {}
    for item in followups:
        by_household.setdefault(item.household_id, []).append(item)
    lines = [
        translate(DIGEST_TITLE).format(
            date=format_date(today),
            households=format_int(len(by_household)),
            items=format_int(len(followups)),
        )
    ]
    names = indicator_names()
    for number, items in enumerate(by_household.values(), start=1):
        first = items[0]
        lines.append(
            translate(HOUSEHOLD_LINE).format(
                number=number, code=first.household_code, head=first.head_name
            )
        )
        for item in items:
            indicator = translate(names.get(item.indicator, item.indicator))
            late = (today - item.due_on).days
            if late > 0:
                line = translate(ITEM_OVERDUE).format(
                    indicator=indicator, days=format_int(late), due=format_date(item.due_on)
                )
            else:
                line = translate(ITEM_DUE).format(indicator=indicator, due=format_date(item.due_on))
            lines.append(line)
            if item.policy_codes:
                policies = _policy_names(item.policy_codes, translate)
                lines.append(translate(ITEM_POLICIES).format(policies=policies))
    lines.append(translate(DIGEST_HOW))
    return "\n".join(lines)


def manager_escalation(
    today: date,
    followups: Sequence[OpenFollowUp],
    mentor_names: dict[int, str],
    translate: Translate = str,
) -> str:
    """One message listing long-overdue follow-ups of the manager's area."""
    lines = [translate(ESCALATION_TITLE).format(items=format_int(len(followups)))]
    names = indicator_names()
    for item in followups:
        mentor = mentor_names.get(item.household_id) or translate(NO_MENTOR)
        lines.append(
            translate(ESCALATION_LINE).format(
                code=item.household_code,
                indicator=translate(names.get(item.indicator, item.indicator)),
                days=format_int((today - item.due_on).days),
                mentor=mentor,
            )
        )
        state = translate(STATE_NAMES.get(item.state, item.state))
        if item.last_report:
            state = f"{state} – {item.last_report}"
        lines.append(translate(ESCALATION_STATE).format(state=state))
    return "\n".join(lines)


def report_reminder(
    report: str, due: date, days_left: int, unit: str, translate: Translate = str
) -> str:
    if days_left == 0:
        first = translate(REPORT_DUE_TODAY).format(due=format_date(due), report=report, unit=unit)
    else:
        first = translate(REPORT_DUE_IN).format(
            report=report, due=format_date(due), days=format_int(days_left), unit=unit
        )
    return f"{first}\n{translate(REPORT_HOW)}"
