"""``DD <mã hộ> <chỉ số> XONG|DANG|VUONG [ghi chú]``: a mentor reports one follow-up in one
message: done, in progress or blocked (``xong rồi``, ``đang làm``, ``vướng mắc`` too, any case,
with or without tone marks). The indicator is its number in the ``KT`` order or a short name
(:mod:`bot.flows.codes.indicators`). Only follow-ups of households the person mentors now can
be reported, and the answer is recorded exactly as ``báo cáo việc`` records it
(:func:`storage.followups.report_followup`, audited).
"""

from __future__ import annotations

from sqlalchemy import select

from bot.flows.answers import Text
from bot.flows.codes.base import code_flow, household_code
from bot.flows.codes.indicators import find_indicator
from bot.flows.context import FlowContext
from bot.flows.followup_report import FOLLOWUP_REPORT
from bot.i18n import _, __
from poverty.errors import InvalidInputError
from poverty.formatting import format_int
from poverty.standards import standard_for_year
from poverty.text import fold
from storage.audit import Actor
from storage.followups import OpenFollowUp, ReportState, open_followups, report_followup
from storage.models import MentorAssignment

STATES: dict[str, ReportState] = {"xong": "done", "dang": "in_progress", "vuong": "blocked"}
STATE_TAILS: dict[str, frozenset[str]] = {
    "done": frozenset({"roi"}),
    "in_progress": frozenset({"lam"}),
    "blocked": frozenset({"mac"}),
}
"""Second words of the spoken forms: ``xong rồi``, ``đang làm``, ``vướng mắc``."""
NOTE = Text(max_length=200)

USAGE = __("DD mã_hộ chỉ_số XONG/DANG/VUONG")
EXAMPLE = "DD {code} {number} XONG"
MISSING = __("Thiếu mã hộ, chỉ số và tình hình (XONG, DANG hoặc VUONG).")
MISSING_STATE = __("Thiếu tình hình: XONG, DANG hoặc VUONG.")
MISSING_INDICATOR = __("Thiếu chỉ số (số thứ tự hoặc tên ngắn) trước tình hình.")
NOT_MINE = __("Anh/chị không có việc đỡ đầu nào đang mở của hộ {code}.")
NOT_OPEN = __("Hộ {code} không có việc đang mở về {indicator}; việc đang mở: chỉ số số {numbers}.")
SAVED = __("Đã ghi nhận hộ {code}, {indicator}: {state}.")
LEFT = __("Còn {count} việc chờ báo cáo.")
NONE_LEFT = __("Không còn việc nào chờ báo cáo. Cảm ơn anh/chị!")
STATE_LABELS: dict[ReportState, str] = {
    "done": __("đã xong"),
    "in_progress": __("đang làm"),
    "blocked": __("vướng, cần hỗ trợ"),
}


async def example(context: FlowContext) -> str | None:
    """One of this mentor's own open tasks, with the indicator's number."""
    mine = await mentored_followups(context)
    standard = standard_for_year(context.today.year)
    for task in mine:
        if task.indicator in standard.codes:
            number = standard.codes.index(task.indicator) + 1
            return EXAMPLE.format(code=task.household_code, number=number)
    return None


async def mentored_followups(context: FlowContext) -> list[OpenFollowUp]:
    """Open follow-ups of the households this person mentors now (as ``báo cáo việc``)."""
    households = list(
        await context.session.scalars(
            select(MentorAssignment.household_id).where(
                MentorAssignment.mentor_user_id == context.access.user_id,
                MentorAssignment.valid_to.is_(None),
            )
        )
    )
    if not households:
        return []
    return await open_followups(context.session, household_ids=households)


def _split(words: list[str]) -> tuple[list[str], ReportState, str | None]:
    """(indicator words, state, note) from the words after the household code."""
    folded = [fold(w) for w in words]
    at = next((i for i, w in enumerate(folded) if w in STATES), None)
    if at is None:
        raise InvalidInputError(MISSING_STATE)
    state = STATES[folded[at]]
    indicator = words[:at]
    if state == "done" and indicator and folded[at - 1] == "da":
        indicator = indicator[:-1]  # “đã xong”
    if not indicator:
        raise InvalidInputError(MISSING_INDICATOR)
    rest = words[at + 1 :]
    if rest and fold(rest[0]) in STATE_TAILS[state]:
        rest = rest[1:]
    note = NOTE.parse(" ".join(rest)) if rest else None
    return indicator, state, note


async def run(context: FlowContext, words: list[str]) -> str:
    if len(words) < 2:
        raise InvalidInputError(MISSING)
    code = household_code(words[0])
    indicator_words, state, note = _split(words[1:])
    standard = standard_for_year(context.today.year)
    indicator = find_indicator(" ".join(indicator_words), standard)
    mine = await mentored_followups(context)
    of_household = [f for f in mine if f.household_code.upper() == code]
    if not of_household:
        raise InvalidInputError(NOT_MINE, code=code)
    found = next((f for f in of_household if f.indicator == indicator.code), None)
    if found is None:
        numbers = sorted(
            standard.codes.index(f.indicator) + 1
            for f in of_household
            if f.indicator in standard.codes
        )
        raise InvalidInputError(
            NOT_OPEN,
            code=code,
            indicator=_(indicator.name),
            numbers=", ".join(map(str, numbers)) or "?",
        )
    actor = Actor(f"user:{context.access.user_id}", context.access.user_id)
    await report_followup(context.session, found.id, state, note, actor, context.now)
    saved = _(SAVED).format(
        code=found.household_code, indicator=_(indicator.name), state=_(STATE_LABELS[state])
    )
    waiting = sum(1 for f in await mentored_followups(context) if f.state == "open")
    left = _(LEFT).format(count=format_int(waiting)) if waiting else _(NONE_LEFT)
    return f"{saved} {left}"


FOLLOWUP_CODE = code_flow(
    name="followup_code",
    title=__("Báo cáo việc đỡ đầu bằng mã DD"),
    keywords=("dd",),
    usage=USAGE,
    example=example,
    run=run,
    roles=FOLLOWUP_REPORT.roles,
)
