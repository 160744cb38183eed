"""``báo cáo việc``: a mentor answers one follow-up — done, in progress or blocked — with a note;
``giao đỡ đầu``: a manager assigns a household of their area to a mentor by phone number.

The list offered is the open follow-ups of the households the person mentors now (a hand-over
moves them to the new mentor), grouped by household: the mentor picks a household (by number or
code), then one of its tasks, so a mentor of many households never scrolls through every task
at once. A question with one possible answer (one household, one task) is not asked. "Done"
closes the follow-up; the other answers keep it open and stop the repeated reminder until it is
overdue. Every answer is audited
(:func:`storage.followups.report_followup`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from sqlalchemy import select

from bot.flows.answers import Choice, Phone, Text
from bot.flows.context import FlowContext
from bot.flows.flow import Answers, Flow, Step
from bot.flows.messages import Option, Outbound
from bot.i18n import _, __
from poverty.errors import InvalidInputError
from poverty.formatting import format_date, format_int
from poverty.standards import all_standards
from poverty.text import fold
from storage.access import households_in_scope
from storage.audit import Actor
from storage.followups import (
    CHECK_TO_COMPLETE,
    CHECK_TO_COMPLETE_NAME,
    OpenFollowUp,
    ReportState,
    open_followups,
    report_followup,
)
from storage.mentors import assign_mentor
from storage.models import Household, MentorAssignment

TITLE = __("Báo cáo việc đỡ đầu")
PICK_HOUSEHOLD = __("Anh/chị báo cáo việc của hộ nào?")
PICK = __("Hộ {code}: anh/chị báo cáo việc nào?")
STATE = __("Tình hình {item}?")
NOTE = __("Ghi chú ngắn cho việc này (gõ “không” nếu không có):")
NOTHING_OPEN = __("Anh/chị không có việc đỡ đầu nào đang chờ báo cáo.")
SAVED = __("Đã ghi nhận: {item} – {state}.")
LEFT = __("Còn {count} việc chờ báo cáo; gõ “báo cáo việc” để báo cáo tiếp.")
NONE_LEFT = __("Không còn việc nào chờ báo cáo. Cảm ơn anh/chị!")
NOT_YOURS = __("Việc này không còn do anh/chị theo dõi.")
ITEM = __("Hộ {code} – {indicator} (hạn {due})")
TASK = __("{indicator} (hạn {due})")
HOUSEHOLD = __("Hộ {code} – {name} ({count} việc)")

STATES = (
    Option("done", __("Đã xong")),
    Option("in_progress", __("Đang làm")),
    Option("blocked", __("Vướng, cần hỗ trợ")),
)
NO_NOTE = frozenset({"khong", "k", "-", "no"})


def _indicator_names() -> dict[str, str]:
    names = {i.code: i.name for standard in all_standards() for i in standard.indicators}
    return {**names, CHECK_TO_COMPLETE: CHECK_TO_COMPLETE_NAME}


async def _mine(context: FlowContext) -> list[OpenFollowUp]:
    """Open follow-ups of the households this person mentors now, inside the area their
    grants cover: a household assigned to them outside it is not shown (nor reportable)."""
    households = list(
        await context.session.scalars(
            select(MentorAssignment.household_id)
            .join(Household, Household.id == MentorAssignment.household_id)
            .where(
                MentorAssignment.mentor_user_id == context.access.user_id,
                MentorAssignment.valid_to.is_(None),
                households_in_scope(context.access),
            )
        )
    )
    if not households:
        return []
    return await open_followups(context.session, household_ids=households)


def _item_label(item: OpenFollowUp, names: dict[str, str]) -> str:
    indicator = _(names.get(item.indicator, item.indicator))
    return _(ITEM).format(
        code=item.household_code, indicator=indicator, due=format_date(item.due_on)
    )


def _task_label(item: OpenFollowUp, names: dict[str, str]) -> str:
    indicator = _(names.get(item.indicator, item.indicator))
    return _(TASK).format(indicator=indicator, due=format_date(item.due_on))


async def _start(context: FlowContext) -> Answers:
    """``_items``: every task as ``[id, label naming the household]``; ``_households``: the
    households as ``[code, label]``, in the order of their first task; ``_tasks``: task id →
    ``[household code, label within the household]``."""
    items = await _mine(context)
    names = _indicator_names()
    counts = Counter(f.household_code for f in items)
    households: dict[str, str] = {}
    for f in items:
        households.setdefault(
            f.household_code,
            _(HOUSEHOLD).format(
                code=f.household_code, name=f.head_name, count=counts[f.household_code]
            ),
        )
    return {
        "_items": [[str(f.id), _item_label(f, names)] for f in items],
        "_households": [[code, label] for code, label in households.items()],
        "_tasks": {str(f.id): [f.household_code, _task_label(f, names)] for f in items},
    }


def _household(answers: Answers) -> str | None:
    """The household picked, or the only one."""
    households = answers.get("_households") or []
    if len(households) == 1:
        return str(households[0][0])
    picked = answers.get("ho")
    return str(picked) if picked is not None else None


def _tasks_of(answers: Answers) -> list[Option]:
    code = _household(answers)
    tasks: dict[str, list[str]] = answers.get("_tasks") or {}
    return [Option(key, label) for key, (owner, label) in tasks.items() if owner == code]


def _chosen(answers: Answers) -> str | None:
    """The task picked, or the only task of the household picked."""
    if answers.get("viec") is not None:
        return str(answers["viec"])
    tasks = _tasks_of(answers)
    return tasks[0].key if len(tasks) == 1 else None


def _label(answers: Answers) -> str:
    chosen = _chosen(answers)
    return next((label for key, label in answers.get("_items") or [] if key == chosen), "")


def _steps(answers: Answers) -> Sequence[Step]:
    households = answers.get("_households") or []
    if not households:
        return ()
    return (
        Step(
            "ho",
            PICK_HOUSEHOLD,
            Choice([Option(code, label) for code, label in households]),
            when=lambda a: len(households) > 1,
        ),
        Step(
            "viec",
            lambda a: _(PICK).format(code=_household(a)),
            Choice(_tasks_of(answers)),
            when=lambda a: len(_tasks_of(a)) > 1,
        ),
        Step(
            "trang_thai",
            lambda a: _(STATE).format(item=_label(a)),
            Choice(STATES),
        ),
        Step("ghi_chu", NOTE, Text(max_length=300)),
    )


async def _finish(context: FlowContext, answers: Answers) -> Sequence[Outbound]:
    chosen = _chosen(answers)
    if not answers.get("_items") or chosen is None:
        return [Outbound(_(NOTHING_OPEN))]
    if chosen not in {str(f.id) for f in await _mine(context)}:
        raise InvalidInputError(NOT_YOURS)
    note = None if fold(answers["ghi_chu"]) in NO_NOTE else answers["ghi_chu"]
    state: ReportState = answers["trang_thai"]
    actor = Actor(f"user:{context.access.user_id}", context.access.user_id)
    await report_followup(context.session, int(chosen), state, note, actor, context.now)
    state_label = next(_(o.label) for o in STATES if o.key == state)
    replies = [_(SAVED).format(item=_label(answers), state=state_label.lower())]
    waiting = sum(1 for f in await _mine(context) if f.state == "open")
    replies.append(_(LEFT).format(count=format_int(waiting)) if waiting else _(NONE_LEFT))
    return [Outbound("\n".join(replies))]


FOLLOWUP_REPORT = Flow(
    name="followup_report",
    title=TITLE,
    steps=_steps,
    start=_start,
    finish=_finish,
    keywords=("bao cao viec", "/baocaoviec", "bao cao"),
    describe=lambda answers: _label(answers) or _(TITLE),
)


ASSIGN_TITLE = __("Giao hộ cho người đỡ đầu")
ASK_HOUSEHOLD = __("Mã hộ cần giao?")
ASK_PHONE = __("Số điện thoại người đỡ đầu?")
ASSIGNED = __("Đã giao hộ {code} cho người đỡ đầu có số {phone}.")
ALREADY_ASSIGNED = __("Hộ {code} đã do người này đỡ đầu; không thay đổi.")
OUT_OF_AREA = __("Không tìm thấy hộ mã “{code}” trong địa bàn của anh/chị.")
MANAGING_ROLES = frozenset({"manager", "admin"})


async def _assign_finish(context: FlowContext, answers: Answers) -> Sequence[Outbound]:
    code = answers["ma_ho"].strip()
    found = await context.session.scalar(
        select(Household.id).where(Household.code == code, households_in_scope(context.access))
    )
    if found is None:
        raise InvalidInputError(OUT_OF_AREA, code=code)
    actor = Actor(f"user:{context.access.user_id}", context.access.user_id)
    changed = await assign_mentor(
        context.session, code, answers["sdt"], actor, context.now, tz=context.tz
    )
    text = ASSIGNED if changed else ALREADY_ASSIGNED
    return [Outbound(_(text).format(code=code, phone=answers["sdt"]))]


MENTOR_ASSIGNMENT = Flow(
    name="mentor_assignment",
    title=ASSIGN_TITLE,
    steps=(
        Step("ma_ho", ASK_HOUSEHOLD, Text(max_length=40)),
        Step("sdt", ASK_PHONE, Phone()),
    ),
    finish=_assign_finish,
    keywords=("giao do dau", "/giaododau"),
    roles=MANAGING_ROLES,
)
