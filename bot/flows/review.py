"""The annual review in chat: a household's request to be reviewed (“hộ xin rà soát”), and the
review's progress as managers and the command line show it.

The check itself is the household check: while a review is open over a cadre's area, “rà
soát” (or “kiểm tra”) lists the households of the review not yet checked and each result
applies to the next year (:mod:`bot.flows.household_check`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.flows.answers import AnswerType, Date, Text
from bot.flows.context import FlowContext
from bot.flows.flow import Answers, Flow, Step
from bot.flows.messages import Outbound
from bot.i18n import _, __
from poverty.errors import InvalidInputError, ParseError
from poverty.formatting import format_date, format_int
from poverty.review import period_label
from poverty.text import fold
from storage.audit import Actor
from storage.household_search import get_household
from storage.reviews import ReviewStatus, record_request

STATUS_HEAD = __(
    "Rà soát năm {year} của {unit} (áp dụng năm {applies}, chuẩn {period}): {state}. "
    "Đã kiểm tra {checked}/{total} hộ cần rà soát."
)
STATE_LABELS = {"open": __("đang rà soát"), "approved": __("đã phê duyệt")}
VILLAGE_LINE = __("  {village}: {checked}/{total} hộ")
NOTES_LINE = __("Họp thôn đã ghi: {meetings}; khiếu nại: {complaints}.")

ASK_CODE = __("Mã hộ xin rà soát?")
ASK_NOTE = __("Hộ trình bày gì? (ví dụ: chồng bị tai nạn, mất việc từ tháng 10)")
ASK_DAY = __("Hộ đề nghị ngày nào? Gõ ngày/tháng, hoặc “hom nay”.")
NOT_FOUND = __("Không tìm thấy hộ mã “{code}” trong địa bàn của anh/chị.")
CODE_INVALID = __("Mã hộ chỉ gồm chữ không dấu và số, ví dụ: TL01234.")
FUTURE_DAY = __("Ngày đề nghị không thể sau hôm nay.")
RECORDED = __(
    "Đã ghi: hộ {code} xin rà soát ngày {day} (“{note}”). Hộ sẽ có trong danh sách rà soát "
    "năm {year}."
)
TODAY_WORDS = frozenset({"hom nay", "homnay", "hn", "nay"})


def status_text(result: ReviewStatus) -> str:
    """The progress of a review: its years and standard, and the checks per village."""
    review = result.review
    lines = [
        _(STATUS_HEAD).format(
            year=review.year,
            unit=review.unit.name,
            applies=review.applies_year,
            period=period_label(review.standard_id),
            state=_(STATE_LABELS[review.state]),
            checked=format_int(result.checked),
            total=format_int(result.total),
        )
    ]
    lines.extend(
        _(VILLAGE_LINE).format(
            village=village.name or "?",
            checked=format_int(village.checked),
            total=format_int(village.total),
        )
        for village in result.villages
    )
    lines.append(_(NOTES_LINE).format(meetings=result.meetings, complaints=result.complaints))
    return "\n".join(lines)


@dataclass(frozen=True)
class HouseholdInArea(AnswerType):
    """A household code in the user's area, stored as ``{"id", "code"}``."""

    async def resolve(self, context: FlowContext, text: str) -> Any:
        code = text.strip().upper()
        if not (1 <= len(code) <= 40 and code.isascii() and code.replace("-", "").isalnum()):
            raise ParseError(CODE_INVALID)
        info = await get_household(context.session, context.access, code)
        if info is None:
            raise InvalidInputError(NOT_FOUND, code=code)
        return {"id": info.id, "code": info.code}


@dataclass(frozen=True)
class RequestDay(Date):
    """A day up to today; “hôm nay” is today."""

    async def resolve(self, context: FlowContext, text: str) -> str:
        if fold(text) in TODAY_WORDS:
            return context.today.isoformat()
        day = self.parse(text, today=context.today)
        if date.fromisoformat(day) > context.today:
            raise InvalidInputError(FUTURE_DAY)
        return day


async def _record(context: FlowContext, answers: Answers) -> Sequence[Outbound]:
    household = answers["ho"]
    day = date.fromisoformat(answers["ngay"])
    actor = Actor(f"{context.channel}:{context.access.user_id}", context.access.user_id)
    note = str(answers["noi_dung"])
    await record_request(
        context.session, int(household["id"]), day.year, day, note, actor, context.now
    )
    text = _(RECORDED).format(
        code=household["code"], day=format_date(day), note=note, year=day.year
    )
    return [Outbound(text)]


REVIEW_REQUEST = Flow(
    name="review_request",
    title=__("Ghi hộ xin rà soát"),
    steps=(
        Step("ho", ask=ASK_CODE, answer=HouseholdInArea()),
        Step("noi_dung", ask=ASK_NOTE, answer=Text(max_length=300)),
        Step("ngay", ask=ASK_DAY, answer=RequestDay()),
    ),
    finish=_record,
    keywords=("ho xin ra soat", "xin ra soat", "/xinrasoat"),
    roles=frozenset({"admin", "manager", "cadre"}),
    describe=lambda answers: _("hộ {code} xin rà soát").format(
        code=answers.get("ho", {}).get("code", "?")
    ),
)
