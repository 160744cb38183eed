"""``thoát nghèo``: a mentor answers the light periodic check of a newly escaped household.

The households offered are those the person mentors now that are under watch and have a check
due (see :mod:`storage.escape_watch`). Two yes/no questions — has any deprivation come back,
has the income fallen — and a short note. Either "yes" is flagged as a risk of falling back,
which the managers' ``kế hoạch`` summary counts. Answers are stored and audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select

from bot.flows.answers import Choice, Text, YesNo
from bot.flows.context import FlowContext
from bot.flows.flow import Answers, Flow, Step
from bot.flows.messages import Option, Outbound
from bot.flows.support_plan import actor_of
from bot.i18n import _, __
from poverty.errors import InvalidInputError
from poverty.escape_watch import Watched
from poverty.formatting import format_date
from poverty.support_plans import load_support_lists
from poverty.text import fold
from storage.escape_watch import record_check, under_watch
from storage.models import Household, MentorAssignment

TITLE = __("Theo dõi hộ mới thoát nghèo")
PICK = __("Anh/chị trả lời cho hộ nào?")
ASK_DEPRIVATION = __(
    "Hộ {code}: từ lần trước đến nay, hộ có thiếu hụt nào quay lại không "
    "(ví dụ: mất thẻ BHYT, nhà hư hỏng, con bỏ học)?"
)
ASK_INCOME = __("Thu nhập của hộ có giảm không?")
ASK_NOTE = __("Ghi chú ngắn (gõ “không” nếu không có):")
NOTHING_DUE = __("Anh/chị không có hộ mới thoát nghèo nào cần trả lời lúc này.")
SAVED = __("Đã ghi nhận kiểm tra hộ {code} (kỳ từ {period}). Cảm ơn anh/chị!")
RISK = __(
    "Hộ có dấu hiệu nguy cơ tái nghèo; lãnh đạo xã sẽ thấy trong tóm tắt “kế hoạch”. "
    "Nên kiểm tra lại hộ: gõ “kiểm tra {code}”."
)
NOT_YOURS = __("Hộ này không còn trong danh sách anh/chị theo dõi.")
ITEM = __("Hộ {code} – {head}")
NO_NOTE = frozenset({"khong", "k", "ko", "-"})


async def watched_by(context: FlowContext) -> list[tuple[Watched, str, str]]:
    """Households this person mentors now whose check is due (answering again replaces the
    answer of the same period)."""
    mentored = (
        select(MentorAssignment.household_id)
        .where(
            MentorAssignment.mentor_user_id == context.access.user_id,
            MentorAssignment.valid_to.is_(None),
        )
        .scalar_subquery()
    )
    watch = load_support_lists().escape_watch
    found = await under_watch(context.session, Household.id.in_(mentored), watch, context.today)
    due = [w for w in found if w.period_start is not None]
    if not due:
        return []
    rows = await context.session.execute(
        select(Household.id, Household.code, Household.head_name).where(
            Household.id.in_([w.household_id for w in due])
        )
    )
    people = {hid: (code, head) for hid, code, head in rows}
    return sorted(((w, *people[w.household_id]) for w in due), key=lambda item: item[1])


async def _start(context: FlowContext) -> Answers:
    items = await watched_by(context)
    answers: Answers = {
        "_items": [
            [str(w.household_id), code, head, (w.period_start or w.start).isoformat()]
            for w, code, head in items
        ]
    }
    if len(items) == 1:
        answers["ho"] = str(items[0][0].household_id)
    return answers


def _item(answers: Answers) -> list[str]:
    return next((i for i in answers["_items"] if i[0] == answers.get("ho")), ["", "", "", ""])


def _steps(answers: Answers) -> Sequence[Step]:
    items = answers.get("_items") or []
    if not items:
        return ()
    options = [Option(i[0], _(ITEM).format(code=i[1], head=i[2])) for i in items]
    return (
        Step("ho", PICK, Choice(options)),
        Step("thieu_hut", lambda a: _(ASK_DEPRIVATION).format(code=_item(a)[1]), YesNo()),
        Step("thu_nhap", ASK_INCOME, YesNo()),
        Step("ghi_chu", ASK_NOTE, Text(max_length=300)),
    )


async def _finish(context: FlowContext, answers: Answers) -> Sequence[Outbound]:
    if not answers.get("_items"):
        return [Outbound(_(NOTHING_DUE))]
    current = {str(w.household_id): w for w, _c, _h in await watched_by(context)}
    watched = current.get(answers["ho"])
    if watched is None:
        raise InvalidInputError(NOT_YOURS)
    note = None if fold(answers["ghi_chu"]) in NO_NOTE else answers["ghi_chu"]
    risky = await record_check(
        context.session,
        watched,
        answers["thieu_hut"],
        answers["thu_nhap"],
        note,
        actor_of(context),
        context.now,
    )
    code = _item(answers)[1]
    period: date = watched.period_start or watched.start
    lines = [_(SAVED).format(code=code, period=format_date(period))]
    if risky:
        lines.append(_(RISK).format(code=code))
    return [Outbound("\n".join(lines))]


ESCAPE_CHECK = Flow(
    name="escape_check",
    title=TITLE,
    steps=_steps,
    start=_start,
    finish=_finish,
    keywords=("thoat ngheo", "/thoatngheo", "thoatngheo"),
    describe=lambda a: _item(a)[1] or _(TITLE),
)
