"""The annual review in chat: a household's request to be reviewed (“hộ xin rà soát”), and the
review's progress as managers and the command line show it.

The check itself is the household check: while a review is open over a cadre's area, “rà
soát” (or “kiểm tra”) lists the households of the review not yet checked and each result
applies to the next year (:mod:`bot.flows.household_check`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from bot.flows.answers import Choice, Date, Integer, Text, YesNo
from bot.flows.area_choice import MANAGING_ROLES, chosen_unit, start_in_area, unit_step
from bot.flows.context import FlowContext
from bot.flows.flow import Answers, Flow, Step
from bot.flows.household_check import class_label
from bot.flows.messages import Option, Outbound
from bot.flows.support_answers import HouseholdInArea
from bot.i18n import _, __
from poverty.errors import InvalidInputError, NotFoundError
from poverty.formatting import format_date, format_int
from poverty.review import movement_rules, period_label, standard_of_result
from poverty.text import fold
from storage.audit import Actor
from storage.household_search import places_in_scope
from storage.reviews import (
    Approval,
    ReviewInfo,
    ReviewStatus,
    approve_review,
    household_unit,
    open_review,
    record_note,
    record_request,
    review_of,
)
from storage.units import Unit, get_unit

STATUS_HEAD = __(
    "Rà soát năm {year} của {unit} (áp dụng năm {applies}, chuẩn {period}): {state}. "
    "Đã kiểm tra {checked}/{total} hộ cần rà soát."
)
STATE_LABELS = {"open": __("đang rà soát"), "approved": __("đã phê duyệt")}
VILLAGE_LINE = __("  {village}: {checked}/{total} hộ")
NOTES_LINE = __("Họp thôn đã ghi: {meetings}; khiếu nại: {complaints}.")
MANAGER_WORDS = __(
    "Gõ “khiếu nại” để ghi khiếu nại của một hộ, “duyệt rà soát” để phê duyệt kết quả."
)

ASK_CODE = __("Mã hộ xin rà soát?")
ASK_NOTE = __("Hộ trình bày gì? (ví dụ: chồng bị tai nạn, mất việc từ tháng 10)")
ASK_DAY = __("Hộ đề nghị ngày nào? Gõ ngày/tháng, hoặc “hom nay”.")
FUTURE_DAY = __("Ngày đề nghị không thể sau hôm nay.")
RECORDED = __(
    "Đã ghi: hộ {code} xin rà soát ngày {day} (“{note}”). Hộ sẽ có trong danh sách rà soát "
    "năm {year}."
)
TODAY_WORDS = frozenset({"hom nay", "homnay", "hn", "nay"})
CADRE_ROLES = frozenset({"admin", "manager", "cadre"})

CONFIRM_OPEN = __(
    "Mở rà soát năm {year} cho địa bàn đã chọn? Từ khi mở, kết quả kiểm tra trong địa bàn áp "
    "dụng cho năm {next} theo chuẩn {period}."
)
OPENED = __("Đã mở rà soát năm {year} cho {unit}. Cán bộ gõ “rà soát” để xem các hộ cần kiểm tra.")
NOT_OPENED = __("Chưa mở rà soát. Khi cần, gõ “mở rà soát”.")
CONFIRM_APPROVE = __(
    "Phê duyệt kết quả rà soát năm {year}? Danh sách chính thức năm {next} sẽ được ghi; hộ "
    "chưa kiểm tra lại giữ nguyên phân loại."
)
NOT_APPROVED = __("Chưa phê duyệt. Khi sẵn sàng, gõ “duyệt rà soát”.")
NO_REVIEW_HERE = __("Địa bàn này chưa mở rà soát năm {year}.")
APPROVED = __(
    "Đã phê duyệt kết quả rà soát năm {year}: ghi {count} hộ vào danh sách năm {applies}."
)
CLASS_LINE = __("  {label}: {count} hộ")
CARRIED = __("Giữ nguyên phân loại (không có kết quả kiểm tra mới): {count} hộ: {codes}")
UNGROUPED = __("Hộ nghèo chưa có nhóm (BTXH/CSGN), cần phân nhóm: {codes}")
ASK_COMPLAINT_CODE = __("Mã hộ có khiếu nại?")
ASK_COMPLAINT = __("Nội dung khiếu nại?")
COMPLAINED = __("Đã ghi khiếu nại của hộ {code}. Hộ này cần được kiểm tra lại trong đợt rà soát.")
ASK_VILLAGE = __("Họp ở thôn nào?")
ASK_MEETING_DAY = __("Họp ngày nào? Gõ ngày/tháng, hoặc “hom nay”.")
ASK_PRESENT = __("Bao nhiêu người dự họp?")
ASK_AGREED = __("Bao nhiêu hộ được thống nhất kết quả?")
ASK_DISPUTED = __("Bao nhiêu hộ còn ý kiến khác? (gõ 0 nếu không có)")
MEETING_RECORDED = __(
    "Đã ghi cuộc họp {village} ngày {day}: {present} người dự, {agreed} hộ thống nhất, "
    "{disputed} hộ còn ý kiến."
)
NO_PLACES = __("Địa bàn của anh/chị chưa có thôn nào.")


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
    roles=CADRE_ROLES,
    describe=lambda answers: _("hộ {code} xin rà soát").format(
        code=answers.get("ho", {}).get("code", "?")
    ),
    listed=False,
)


def approval_text(review: ReviewInfo, approval: Approval) -> str:
    """What approving wrote, for the manager in chat and on the command line."""
    lines = [
        _(APPROVED).format(
            year=review.year, count=format_int(approval.written), applies=review.applies_year
        )
    ]
    for status, count in sorted(approval.by_class.items()):
        label = class_label(status)
        lines.append(_(CLASS_LINE).format(label=label, count=format_int(count)))
    rules = movement_rules()
    for code, households in approval.movements.items():
        label = _(rules.movements[code].label)
        lines.append(_(CLASS_LINE).format(label=label, count=format_int(len(households))))
    if approval.carried:
        codes = ", ".join(approval.carried)
        lines.append(_(CARRIED).format(count=format_int(len(approval.carried)), codes=codes))
    if approval.ungrouped:
        lines.append(_(UNGROUPED).format(codes=", ".join(approval.ungrouped)))
    return "\n".join(lines)


def _actor(context: FlowContext) -> Actor:
    return Actor(f"{context.channel}:{context.access.user_id}", context.access.user_id)


async def _this_year(context: FlowContext, unit: Unit) -> ReviewInfo:
    """The review of this year over ``unit``; a clear refusal when there is none."""
    try:
        return await review_of(context.session, unit, context.today.year)
    except NotFoundError:
        raise InvalidInputError(NO_REVIEW_HERE, year=context.today.year) from None


async def _start_for_year(context: FlowContext) -> Answers:
    return {**await start_in_area(context), "nam": context.today.year}


def _confirm_open(answers: Answers) -> str:
    year = int(answers["nam"])
    period = period_label(standard_of_result(year + 1).id)
    return _(CONFIRM_OPEN).format(year=year, next=year + 1, period=period)


async def _open(context: FlowContext, answers: Answers) -> Sequence[Outbound]:
    if not answers["xac_nhan"]:
        return [Outbound(_(NOT_OPENED))]
    unit = await chosen_unit(context, answers)
    review = await open_review(
        context.session, unit, context.today.year, _actor(context), context.now
    )
    return [Outbound(_(OPENED).format(year=review.year, unit=unit.name))]


async def _approve(context: FlowContext, answers: Answers) -> Sequence[Outbound]:
    if not answers["xac_nhan"]:
        return [Outbound(_(NOT_APPROVED))]
    review = await _this_year(context, await chosen_unit(context, answers))
    approval = await approve_review(context.session, review, _actor(context), context.now)
    return [Outbound(approval_text(review, approval))]


def _area_steps(confirm: str | Callable[[Answers], str]) -> Callable[[Answers], Sequence[Step]]:
    def steps(answers: Answers) -> Sequence[Step]:
        return (unit_step(answers), Step("xac_nhan", ask=confirm, answer=YesNo()))

    return steps


REVIEW_OPEN = Flow(
    name="review_open",
    title=__("Mở rà soát"),
    steps=_area_steps(_confirm_open),
    start=_start_for_year,
    finish=_open,
    keywords=("mo ra soat", "/morasoat"),
    roles=MANAGING_ROLES,
    listed=False,
)

REVIEW_APPROVE = Flow(
    name="review_approve",
    title=__("Phê duyệt rà soát"),
    steps=_area_steps(lambda a: _(CONFIRM_APPROVE).format(year=a["nam"], next=int(a["nam"]) + 1)),
    start=_start_for_year,
    finish=_approve,
    keywords=("duyet ra soat", "/duyetrasoat", "phe duyet ra soat"),
    roles=MANAGING_ROLES,
    listed=False,
)


async def _complaint(context: FlowContext, answers: Answers) -> Sequence[Outbound]:
    household = answers["ho"]
    unit_id = await household_unit(context.session, int(household["id"]))
    unit = await get_unit(context.session, unit_id)
    review = await _this_year(context, unit)
    details = {"content": str(answers["noi_dung"])}
    await record_note(
        context.session, review, "complaint", context.today, details, _actor(context),
        context.now, household_id=int(household["id"]),
    )  # fmt: skip
    return [Outbound(_(COMPLAINED).format(code=household["code"]))]


REVIEW_COMPLAINT = Flow(
    name="review_complaint",
    title=__("Ghi khiếu nại về kết quả rà soát"),
    steps=(
        Step("ho", ask=ASK_COMPLAINT_CODE, answer=HouseholdInArea()),
        Step("noi_dung", ask=ASK_COMPLAINT, answer=Text(max_length=300)),
    ),
    finish=_complaint,
    keywords=("khieu nai", "/khieunai"),
    roles=MANAGING_ROLES,
    listed=False,
)


async def _meeting_start(context: FlowContext) -> Answers:
    places = await places_in_scope(context.session, context.access)
    villages = [[p.id, p.name] for p in places if p.level == "village"]
    if not villages:
        raise InvalidInputError(NO_PLACES)
    return {"thon_lua_chon": villages}


def _meeting_steps(answers: Answers) -> Sequence[Step]:
    options = tuple(Option(str(i), name) for i, name in answers["thon_lua_chon"])
    return (
        Step("thon", ask=ASK_VILLAGE, answer=Choice(options)),
        Step("ngay", ask=ASK_MEETING_DAY, answer=RequestDay()),
        Step("so_nguoi", ask=ASK_PRESENT, answer=Integer(1, 5000)),
        Step("dong_y", ask=ASK_AGREED, answer=Integer(0, 5000)),
        Step("y_kien", ask=ASK_DISPUTED, answer=Integer(0, 5000)),
    )


async def _meeting(context: FlowContext, answers: Answers) -> Sequence[Outbound]:
    village = await get_unit(context.session, int(answers["thon"]))
    review = await _this_year(context, village)
    day = date.fromisoformat(answers["ngay"])
    details = {
        "present": answers["so_nguoi"], "agreed": answers["dong_y"],
        "disputed": answers["y_kien"], "note": "",
    }  # fmt: skip
    await record_note(
        context.session, review, "meeting", day, details, _actor(context), context.now,
        unit_id=village.id,
    )  # fmt: skip
    text = _(MEETING_RECORDED).format(
        village=village.name, day=format_date(day), present=format_int(answers["so_nguoi"]),
        agreed=format_int(answers["dong_y"]), disputed=format_int(answers["y_kien"]),
    )  # fmt: skip
    return [Outbound(text)]


REVIEW_MEETING = Flow(
    name="review_meeting",
    title=__("Ghi họp dân rà soát"),
    steps=_meeting_steps,
    start=_meeting_start,
    finish=_meeting,
    keywords=("hop thon", "/hopthon", "hop dan"),
    roles=CADRE_ROLES,
    listed=False,
)
