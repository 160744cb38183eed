"""“hộ của tôi” (also “danh sách hộ”, “việc cần làm”): a mentor's households, each with its
open tasks and their due dates, numbered. The tasks are answered with “báo cáo việc” or the
``DD`` code, whose example uses the numbers shown here."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from bot.flows.codes.followup import mentored_followups
from bot.flows.context import FlowContext
from bot.flows.flow import Answers, Flow
from bot.flows.messages import Outbound
from bot.flows.support_answers import indicator_names
from bot.i18n import _, __
from poverty.formatting import format_date, format_int
from poverty.standards import standard_for_year
from storage.followups import OpenFollowUp

TITLE = __("Anh/chị đang đỡ đầu {households} hộ có {tasks} việc đang mở:")
HOUSEHOLD = __("{number}. Hộ {code} – {head}")
TASK = __("  • ({index}) {indicator}: hạn {due}{late}")
LATE = __(", quá hạn")
NONE = __("Anh/chị không có việc đỡ đầu nào đang mở. Cảm ơn anh/chị!")
HOW = __("Trả lời từng việc: gõ “báo cáo việc”, hoặc soạn DD mã_hộ số_chỉ_số XONG/DANG/VUONG.")


async def _show(context: FlowContext, answers: Answers) -> Sequence[Outbound]:
    tasks = await mentored_followups(context)
    if not tasks:
        return [Outbound(_(NONE))]
    names = indicator_names()
    codes = standard_for_year(context.today.year).codes
    by_household: dict[str, list[OpenFollowUp]] = defaultdict(list)
    for task in sorted(tasks, key=lambda t: (t.household_code, t.due_on)):
        by_household[task.household_code].append(task)
    lines = [
        _(TITLE).format(households=format_int(len(by_household)), tasks=format_int(len(tasks)))
    ]
    for number, (code, mine) in enumerate(by_household.items(), 1):
        lines.append(_(HOUSEHOLD).format(number=number, code=code, head=mine[0].head_name))
        lines.extend(
            _(TASK).format(
                index=codes.index(t.indicator) + 1 if t.indicator in codes else "-",
                indicator=_(names.get(t.indicator, t.indicator)),
                due=format_date(t.due_on),
                late=_(LATE) if t.due_on < context.today else "",
            )
            for t in mine
        )
    lines.append(_(HOW))
    return [Outbound("\n".join(lines))]


MY_HOUSEHOLDS = Flow(
    name="my_households",
    title=__("Hộ tôi đỡ đầu"),
    steps=(),
    finish=_show,
    keywords=("ho cua toi", "danh sach ho", "viec can lam", "/hocuatoi"),
    roles=frozenset({"mentor"}),
)
