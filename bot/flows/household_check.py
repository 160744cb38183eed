"""The household check: find (or register) a household, ask each indicator of the standard in
force, show what it means, and save the result as a new assessment if the cadre confirms.

Steps, in order (skipped when their ``when`` does not hold):

1. ``ho``: household code or head's name (accent-insensitive, only within the user's area),
   or “moi” to register a new household;
2. ``chon_ho``: pick one when several households match;
3. ``ma_ho_moi``, ``ten_chu_ho``, ``noi_o``, ``so_nhan_khau``, ``khu_vuc``: a new household;
4. ``thu_nhap`` (or ``tong`` then ``tong_thu_nhap``, divided by the members);
5. one step per question of the standard (``Question.key``), with the standard's own ``when``
   and stopping once an indicator is decided (:func:`poverty.standards.is_question_due`);
6. ``xac_nhan``: the summary with the answers numbered, then Có/Không, or a number to open
   that answer again (:mod:`bot.flows.check_questions`).

The income and every question of the standard accept “không rõ”: the check can then be saved
without a conclusion, which opens a follow-up to complete it
(:func:`storage.followups.sync_check_completion`); the next check of the household that
concludes closes it.

The standard is chosen when the check starts (the review year in Asia/Ho_Chi_Minh) and kept in
the answers, so a check resumed across New Year stays on one standard. A check never changes the
household's official status: it adds an assessment and links it as the latest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import Any, cast

from bot.flows.answers import AnswerType, Choice, Integer, Money, Text
from bot.flows.check_questions import (
    INCOME_KEYS,
    Item,
    OrUnknown,
    SaveOrEdit,
    ask_save,
    income_item,
    indicator_items,
    numbered,
    question_step,
)
from bot.flows.context import FlowContext
from bot.flows.flow import Answers, Flow, Step
from bot.flows.messages import Option, Outbound
from bot.i18n import _, __
from poverty.classification import CLASS_LABELS, Classification, PovertyClass, classify
from poverty.errors import InvalidInputError, ParseError
from poverty.formatting import format_date, format_int
from poverty.plausibility import (
    RULED_KEYS,
    Problem,
    answer_problem,
    income_problem,
    total_income_problem,
    unusual,
)
from poverty.review import APPLIES, PROVISIONAL, applies_to_year, period_label
from poverty.standards import (
    Area,
    Standard,
    deprivation_from_answers,
    load_standard,
    standard_for_year,
    to_mask,
)
from poverty.text import fold
from storage.access import households_in_scope
from storage.assessments import NewAssessment, save_assessment
from storage.audit import Actor
from storage.check_photos import PHOTOS_PENDING_FOR, attach_pending_photos
from storage.followups import checks_to_complete, sync_check_completion
from storage.household_registration import NewHousehold, register_household
from storage.household_search import (
    HouseholdInfo,
    get_household,
    is_code_taken,
    places_in_scope,
    search_households,
)
from storage.reviews import households_to_review, open_review_for

MAX_MATCHES = 8
MAX_MEMBERS = 30
NEW_WORDS = frozenset({"moi", "/moi", "ho moi", "dang ky", "dang ky moi", "them", "them ho"})
AUTO_CODE_WORDS = frozenset({"tu dong", "tudong", "auto", "td"})
TOTAL_WORDS = frozenset({"tong", "tong thu nhap", "t", "/tong"})

ASK_HOUSEHOLD = __(
    "Anh/chị muốn kiểm tra hộ nào? Nhập mã hộ (ví dụ TL00001) hoặc họ tên chủ hộ. "
    "Nếu là hộ chưa có trong danh sách, gõ “moi”."
)
REVIEW_PROGRESS = __(
    "Rà soát năm {year} (áp dụng năm {applies}): đã kiểm tra {checked}/{total} hộ trong địa bàn "
    "của anh/chị."
)
REVIEW_NEXT = __("Hộ chưa kiểm tra:")
REVIEW_PICK = __(
    "Gõ số thứ tự, mã hộ hoặc họ tên chủ hộ; gõ “moi” nếu là hộ chưa có trong danh sách."
)
REVIEW_ALL_DONE = __("Đã kiểm tra hết các hộ trong danh sách rà soát.")
REVIEW_WORDS = __("Ghi hộ đề nghị rà soát: gõ “hộ xin rà soát”; ghi cuộc họp dân: gõ “họp thôn”.")
REVIEW_LEFT = __(
    "Còn {left} hộ trong danh sách rà soát chưa kiểm tra. Gõ “rà soát” để kiểm tra tiếp."
)
SAVED = __(
    "Đã lưu kết quả kiểm tra hộ {code} (chuẩn {period}, áp dụng năm {year}). Cảm ơn anh/chị!"
)
UNUSUAL = __("Lưu ý: {note}")
REVIEW_CANDIDATES = 5
TO_COMPLETE_SHOWN = 3
TO_COMPLETE = __("Hộ có lần kiểm tra chưa kết luận, cần bổ sung ({count} hộ):")
TO_COMPLETE_LINE = __("• {code} – {name}, hạn {due}")
CHECK_WORDS = ("kiem tra", "/kiemtra", "kiemtra", "kiem tra ho", "/kiem_tra", "ra soat", "/rasoat")
HELP_HOUSEHOLD = __(
    "Nhập mã hộ, hoặc họ tên chủ hộ (có dấu hay không dấu đều được). Có thể thêm tên thôn "
    "sau dấu phẩy để thu hẹp, ví dụ: Nguyễn Văn An, Tân Hòa. Gõ “moi” để đăng ký hộ mới."
)
NOT_FOUND = __(
    "Không tìm thấy hộ “{text}” trong địa bàn của anh/chị. Xin kiểm tra lại mã hộ hoặc tên "
    "chủ hộ, hoặc gõ “moi” để đăng ký hộ mới."
)
TOO_MANY = __(
    "Có {count} hộ khớp với “{text}”. Xin gõ thêm tên thôn để thu hẹp, ví dụ: {text}, {village}."
)
NO_PLACES = __("Địa bàn của anh/chị chưa có thôn nào để đăng ký hộ mới.")
ASK_PICK = __("Có {count} hộ khớp. Anh/chị chọn hộ nào?")
ASK_NEW_CODE = __("Mã của hộ mới là gì? Gõ “tu dong” để hệ thống tự đặt mã.")
CODE_INVALID = __("Mã hộ chỉ gồm chữ không dấu, số và dấu gạch (tối đa 40 ký tự), ví dụ: TL01234.")
CODE_TAKEN = __(
    "Mã hộ {code} đã có trong địa bàn của anh/chị. Xin nhập mã khác, hoặc gõ “tu dong”."
)
CODE_UNUSABLE = __("Mã hộ {code} không dùng được. Xin nhập mã khác, hoặc gõ “tu dong”.")
ASK_HEAD_NAME = __("Họ và tên chủ hộ?")
NAME_INVALID = __("Họ tên chỉ gồm chữ, không có chữ số. Xin nhập lại, ví dụ: Nguyễn Văn An.")
ASK_PLACE = __("Hộ ở thôn nào?")
ASK_MEMBERS = __("Hộ có bao nhiêu nhân khẩu?")
ASK_AREA = __("Hộ ở khu vực nông thôn hay thành thị?")
ASK_INCOME = __(
    "Nhập thu nhập bình quân mỗi người mỗi tháng, hoặc gõ “tong” để nhập tổng thu nhập của hộ."
)
HELP_INCOME = __(
    "Nhập số tiền mỗi người mỗi tháng, ví dụ: 1.200.000, 1,2 triệu, 1tr2 hoặc 1200k. "
    "Nếu chỉ biết tổng thu nhập của cả hộ, gõ “tong”."
)
ASK_TOTAL = __("Tổng thu nhập của cả hộ mỗi tháng là bao nhiêu? (Sẽ chia cho {members} nhân khẩu.)")
INCOME_MEANING = __(
    "Thu nhập bình quân đầu người mỗi tháng là tổng thu nhập của cả hộ chia cho số nhân khẩu. "
    "Đây là tiêu chí thu nhập của chuẩn nghèo: hộ có thu nhập không vượt chuẩn là hộ nghèo "
    "hoặc cận nghèo, tùy số chỉ số thiếu hụt."
)
NOT_CONCLUDED = __("Kết quả: chưa kết luận.")
MISSING = __("Còn thiếu: {items}.")
WILL_FOLLOW_UP = __(
    "Nếu lưu, hệ thống ghi một việc cần bổ sung cho hộ này; khi có đủ thông tin, kiểm tra lại "
    "hộ để có kết luận."
)
SAVED_NOT_CONCLUDED = __(
    "Kết quả chưa kết luận. Đã ghi việc cần bổ sung thông tin cho hộ {code}, hạn {due}. Khi có "
    "đủ thông tin, gõ “kiểm tra {code}” để kiểm tra lại."
)
SEARCH_TEXT = Text(max_length=120)
AREA_OPTIONS = (Option("nong_thon", __("Nông thôn")), Option("thanh_thi", __("Thành thị")))


def household(answers: Answers) -> HouseholdInfo | None:
    """The household chosen so far (None while searching or for a new household)."""
    chosen = _chosen(answers)
    return None if chosen is None else HouseholdInfo.from_json(chosen)


def _chosen(answers: Answers) -> dict[str, Any] | None:
    """The chosen household as kept in the answers (:meth:`HouseholdInfo.as_json`)."""
    found = answers.get("ho")
    if not isinstance(found, dict):
        return None
    if "ho" in found:
        return cast(dict[str, Any], found["ho"])
    picked = answers.get("chon_ho")
    for candidate in found.get("ung_vien", ()):
        if candidate["code"] == picked:
            return cast(dict[str, Any], candidate)
    return None


def is_new(answers: Answers) -> bool:
    found = answers.get("ho")
    return isinstance(found, dict) and bool(found.get("moi"))


def members(answers: Answers) -> int | None:
    chosen = _chosen(answers)
    if chosen is not None:
        return cast(int, chosen["members"])
    value = answers.get("so_nhan_khau")
    return value if isinstance(value, int) else None


def facts(answers: Answers) -> dict[str, Any]:
    """The answers as the standard's conditions read them, with the number of members."""
    return {**answers, "so_nhan_khau": members(answers)}


def income_per_person(answers: Answers) -> int | None:
    income = answers.get("thu_nhap")
    if isinstance(income, int):
        return income
    total, count = answers.get("tong_thu_nhap"), members(answers)
    if isinstance(total, int) and count:
        return round(total / count)
    return None


def area(answers: Answers) -> Area:
    info = household(answers)
    value = info.area if info is not None else answers.get("khu_vuc", "nong_thon")
    return cast(Area, value)


@dataclass(frozen=True)
class FindHousehold(AnswerType):
    """A code or a name, searched in the user's area; “moi” starts a registration. ``shown``:
    the codes of the review list shown with the question, which their number also picks."""

    shown: tuple[str, ...] = ()

    def _picked(self, text: str) -> str | None:
        number = text.strip()
        if number.isascii() and number.isdigit() and 1 <= int(number) <= len(self.shown):
            return self.shown[int(number) - 1]
        return None

    async def resolve(self, context: FlowContext, text: str) -> Any:
        folded = fold(text)
        if folded in NEW_WORDS:
            places = await places_in_scope(context.session, context.access)
            if not places:
                raise InvalidInputError(NO_PLACES)
            return {"moi": True, "noi": [[p.id, p.name] for p in places]}
        query = self._picked(text) or SEARCH_TEXT.parse(text)
        result = await search_households(context.session, context.access, query, MAX_MATCHES)
        if result.total == 0:
            raise InvalidInputError(NOT_FOUND, text=query)
        if result.total > MAX_MATCHES:
            places = await places_in_scope(context.session, context.access)
            example = places[0].name if places else ""
            params = {"count": format_int(result.total), "text": query, "village": example}
            raise InvalidInputError(TOO_MANY, **params)
        if result.total == 1:
            return {"ho": result.matches[0].as_json()}
        return {"ung_vien": [m.as_json() for m in result.matches]}

    def hint(self) -> str:
        return _(HELP_HOUSEHOLD)


class NewCode(AnswerType):
    """A household code not used yet, or “tu dong” (stored as None) for an automatic one."""

    async def resolve(self, context: FlowContext, text: str) -> str | None:
        folded = fold(text)
        if folded in AUTO_CODE_WORDS:
            return None
        code = text.strip().upper()
        if not (1 <= len(code) <= 40 and code.isascii()) or not all(
            ch.isalnum() or ch in "-_." for ch in code
        ):
            raise ParseError(CODE_INVALID)
        if await is_code_taken(context.session, code):
            # A code used outside the person's area is refused without saying it exists.
            if await get_household(context.session, context.access, code) is not None:
                raise InvalidInputError(CODE_TAKEN, code=code)
            raise InvalidInputError(CODE_UNUSABLE, code=code)
        return code

    def hint(self) -> str:
        return _(ASK_NEW_CODE)


@dataclass(frozen=True)
class PersonName(Text):
    """A person's full name: letters only."""

    def parse(self, text: str) -> str:
        name = super().parse(text)
        if any(ch.isdigit() for ch in name) or not any(ch.isalpha() for ch in name):
            raise ParseError(NAME_INVALID)
        return name


@dataclass(frozen=True)
class Plausible(AnswerType):
    """An answer that must also be possible given what is known of the household
    (:mod:`poverty.plausibility`); an impossible one is refused with the reason."""

    inner: AnswerType
    key: str
    known: tuple[tuple[str, Any], ...]

    async def resolve(self, context: FlowContext, text: str) -> Any:
        value = await self.inner.resolve(context, text)
        problem = self._problem(value)
        if problem is not None:
            raise InvalidInputError(problem.message, **problem.params)
        return value

    def _problem(self, value: Any) -> Problem | None:
        if self.key == "thu_nhap":
            return income_problem(value) if isinstance(value, int) else None
        if self.key == "tong_thu_nhap":
            return total_income_problem(value) if isinstance(value, int) else None
        return answer_problem(self.key, value, dict(self.known))

    def options(self) -> tuple[Option, ...]:
        return self.inner.options()

    def hint(self) -> str:
        return self.inner.hint()

    def describe(self, value: Any) -> str:
        return self.inner.describe(value)


CHECKED_KEYS = RULED_KEYS | {"thu_nhap", "tong_thu_nhap"}


def _plausible(steps: Sequence[Step], answers: Answers) -> tuple[Step, ...]:
    """The steps, each ruled one answering only what can be true given the answers so far."""
    known = tuple(facts(answers).items())
    return tuple(
        replace(step, answer=Plausible(step.answer, step.name, known))
        if step.name in CHECKED_KEYS and step.name not in answers
        else step
        for step in steps
    )


@dataclass(frozen=True)
class Income(Money):
    """Income per person per month, or the word “tong” to give the household total instead."""

    def parse(self, text: str) -> int | str:  # type: ignore[override]
        if fold(text) in TOTAL_WORDS:
            return "tong"
        return super().parse(text)

    def hint(self) -> str:
        return _(HELP_INCOME)


@cache
def _indicator_steps(standard_id: str) -> tuple[Step, ...]:
    standard = load_standard(standard_id)
    return tuple(
        question_step(indicator, question, facts)
        for indicator in standard.indicators
        for question in indicator.questions
    )


def _pick_step(answers: Answers) -> Step:
    found = answers.get("ho")
    candidates = found.get("ung_vien", []) if isinstance(found, dict) else []
    options = tuple(
        Option(c["code"], f"{c['code']} – {c['head_name']} ({c['place']})") for c in candidates
    )
    return Step(
        "chon_ho",
        ask=lambda a: _(ASK_PICK).format(count=len(options)),
        answer=Choice(options),
        when=lambda a: bool(options),
    )


def _places(answers: Answers) -> list[list[Any]]:
    found = answers.get("ho")
    return list(found.get("noi", [])) if isinstance(found, dict) else []


def _place_step(answers: Answers) -> Step:
    options = tuple(Option(str(place_id), name) for place_id, name in _places(answers))
    return Step(
        "noi_o",
        ask=ASK_PLACE,
        answer=Choice(options),
        when=lambda a: is_new(a) and len(options) > 1,
    )


def _income_question(answers: Answers) -> str:
    """The income question, under the household it is about (so a wrong pick shows at once)."""
    info = household(answers)
    if info is None:
        return _(ASK_INCOME)
    chosen = _("Hộ {code} – {name} ({place}), {members} nhân khẩu.").format(
        code=info.code, name=info.head_name, place=info.place, members=format_int(info.members)
    )
    return f"{chosen}\n{_(ASK_INCOME)}"


def evaluate_check(answers: Answers) -> tuple[Standard, dict[str, bool | None], Classification]:
    """The standard, each indicator's deprivation and the resulting classification."""
    standard = load_standard(str(answers["chuan"]))
    known = facts(answers)
    deprivations = {
        indicator.code: deprivation_from_answers(indicator, known)
        for indicator in standard.indicators
    }
    result = classify(standard, area(answers), income_per_person(answers), deprivations)
    return standard, deprivations, result


def class_label(value: str | None) -> str:
    """A class in words (“Hộ nghèo”), or that the answers do not decide one."""
    if value is None:
        return _("chưa đủ thông tin để kết luận")
    return _(CLASS_LABELS[cast(PovertyClass, value)])


def _who(answers: Answers) -> str:
    info = household(answers)
    if info is not None:
        return _("Hộ {code} – {name} ({place})").format(
            code=info.code, name=info.head_name, place=info.place
        )
    places = dict((str(i), n) for i, n in _places(answers))
    place = places.get(str(answers.get("noi_o")), next(iter(places.values()), ""))
    return _("Hộ mới – {name} ({place}, {members} nhân khẩu), sẽ được đăng ký khi lưu").format(
        name=answers.get("ten_chu_ho", ""), place=place, members=format_int(members(answers) or 0)
    )


def summary(answers: Answers) -> str:
    """The closing summary: the answers numbered (to open one again), the class and why, what
    is missing when the answers do not conclude, and the official status."""
    standard, deprivations, result = evaluate_check(answers)
    lines = [_("Tóm tắt kết quả kiểm tra theo {standard}:").format(standard=_(standard.name))]
    lines.append(_who(answers) + ".")
    items = _items(answers, standard, deprivations)
    lines.extend(numbered(items))
    count = sum(1 for value in deprivations.values() if value)
    lines.append(_("Thiếu hụt {count} chỉ số.").format(count=format_int(count)))
    if result.result is None:
        lines.append(_(NOT_CONCLUDED))
        missing = [_(standard.indicator(code).name) for code in result.unknown]
        if result.income_per_person is None:
            missing.insert(0, _("Thu nhập bình quân"))
        lines.append(_(MISSING).format(items="; ".join(missing)))
    else:
        lines.append(_("Kết quả: {label}.").format(label=class_label(result.result)))
    lines.extend(
        _("  – {reason}").format(reason=_(reason.message).format(**reason.params))
        for reason in result.reasons
    )
    lines.append(_official_line(household(answers), result.result))
    lines.extend(_(UNUSUAL).format(note=_(p.message).format(**p.params)) for p in _unusual(answers))
    year = answers.get("nam_ap_dung")
    if isinstance(year, int):
        lines.extend(applies_lines(standard, year))
    if result.result is None:
        lines.append(_(WILL_FOLLOW_UP))
    lines.append(ask_save(items))
    return "\n".join(lines)


def _items(
    answers: Answers, standard: Standard, deprivations: dict[str, bool | None]
) -> list[Item]:
    """The answers of the save screen, in its numbered order: the income, then each indicator."""
    return [
        income_item(answers, income_per_person(answers)),
        *indicator_items(standard, answers, deprivations),
    ]


def _unusual(answers: Answers) -> list[Problem]:
    known = {**facts(answers), "thu_nhap_binh_quan": income_per_person(answers)}
    return unusual(known)


def _official_line(info: HouseholdInfo | None, computed: str | None) -> str:
    if info is None or info.official_status is None:
        return _("Hộ chưa có phân loại chính thức; kết quả kiểm tra không thay đổi điều đó.")
    official = class_label(info.official_status)
    year = info.official_year if info.official_year is not None else "?"
    if info.official_status == computed:
        return _("Phân loại chính thức năm {year}: {label}, giống kết quả kiểm tra.").format(
            year=year, label=official
        )
    return _(
        "Phân loại chính thức năm {year}: {label}, khác với kết quả kiểm tra. "
        "Kết quả kiểm tra không thay đổi phân loại chính thức."
    ).format(year=year, label=official)


async def start(context: FlowContext) -> Answers:
    """The standard of the year the result applies to; inside an open review, the progress
    of the review in the user's area and the next households to check."""
    review = await open_review_for(context.session, context.access)
    year = applies_to_year(context.today, review.year if review is not None else None)
    answers: Answers = {"chuan": standard_for_year(year).id, "nam_ap_dung": year}
    count, waiting_checks = await checks_to_complete(
        context.session, households_in_scope(context.access), TO_COMPLETE_SHOWN
    )
    if count:
        answers["bo_sung"] = {
            "tong": count,
            "ho": [[c.code, c.head_name, format_date(c.due_on)] for c in waiting_checks],
        }
    if review is not None:
        listed = await households_to_review(context.session, review, context.access)
        waiting = [h for h in listed if not h.checked]
        answers["ra_soat"] = {
            "nam": review.year,
            "tong": len(listed),
            "da_kiem_tra": len(listed) - len(waiting),
            "tiep": [[h.code, h.head_name, h.village] for h in waiting[:REVIEW_CANDIDATES]],
        }
    return answers


def applies_lines(standard: Standard, year: int) -> list[str]:
    """Which standard and year a result is for, and a warning when the standard is
    provisional."""
    lines = [_(APPLIES).format(period=period_label(standard.id), year=year)]
    if standard.provisional:
        lines.append(_(PROVISIONAL).format(period=period_label(standard.id)))
    return lines


def result_year(answers: Answers, context: FlowContext) -> int:
    """The year kept at the start (a conversation begun before years were kept: this year)."""
    year = answers.get("nam_ap_dung")
    return year if isinstance(year, int) else context.today.year


def _to_complete(answers: Answers) -> list[str]:
    """The households whose last check did not conclude, as a reminder before the question."""
    waiting = answers.get("bo_sung")
    if not isinstance(waiting, dict):
        return []
    lines = [_(TO_COMPLETE).format(count=format_int(waiting["tong"]))]
    lines.extend(
        _(TO_COMPLETE_LINE).format(code=code, name=name, due=due)
        for code, name, due in waiting["ho"]
    )
    return lines


def _find_question(answers: Answers) -> str:
    review = answers.get("ra_soat")
    if not isinstance(review, dict):
        return "\n".join([*_to_complete(answers), _(ASK_HOUSEHOLD)])
    lines = [
        _(REVIEW_PROGRESS).format(
            year=review["nam"],
            applies=int(review["nam"]) + 1,
            checked=format_int(review["da_kiem_tra"]),
            total=format_int(review["tong"]),
        )
    ]
    if review["tiep"]:
        lines.append(_(REVIEW_NEXT))
        lines.extend(
            f"{n}. {code} – {name} ({village})" if village else f"{n}. {code} – {name}"
            for n, (code, name, village) in enumerate(review["tiep"], 1)
        )
        lines.append(_(REVIEW_PICK))
    else:
        lines.append(_(REVIEW_ALL_DONE))
        lines.extend(_to_complete(answers))
        lines.append(_(ASK_HOUSEHOLD))
    lines.append(_(REVIEW_WORDS))
    return "\n".join(lines)


def _record(answers: Answers, standard: Standard) -> dict[str, Any]:
    """What the assessment keeps: every question answered, members and income."""
    keys = [q.key for i in standard.indicators for q in i.questions]
    record: dict[str, Any] = {k: answers[k] for k in keys if k in answers}
    record["so_nhan_khau"] = members(answers)
    record["thu_nhap_binh_quan"] = income_per_person(answers)
    if "tong_thu_nhap" in answers:
        record["tong_thu_nhap"] = answers["tong_thu_nhap"]
    return record


async def finish(context: FlowContext, answers: Answers) -> Sequence[Outbound]:
    if not answers.get("xac_nhan"):
        return [Outbound(_("Đã bỏ qua, kết quả kiểm tra không được lưu."))]
    actor = Actor(f"{context.channel}:{context.access.user_id}", context.access.user_id)
    info = household(answers)
    if info is None:
        places = _places(answers)
        place_id = int(answers.get("noi_o") or places[0][0])
        new = NewHousehold(
            code=answers.get("ma_ho_moi"),
            head_name=str(answers["ten_chu_ho"]),
            place_id=place_id,
            members=int(answers["so_nhan_khau"]),
            area=str(answers["khu_vuc"]),
        )
        info = await register_household(context.session, context.access, new, actor, context.now)
    standard, deprivations, result = evaluate_check(answers)
    year = result_year(answers, context)
    assessment_id = await save_assessment(
        context.session,
        NewAssessment(
            household_id=info.id,
            standard_id=standard.id,
            area=area(answers),
            answers=_record(answers, standard),
            income_per_person=result.income_per_person,
            deprived_mask=to_mask(c for c, v in deprivations.items() if v),
            known_mask=to_mask(c for c, v in deprivations.items() if v is not None),
            computed_class=result.result,
            user_id=context.access.user_id,
            channel=context.channel,
            applies_year=year,
        ),
        actor,
        context.now,
        tz=context.tz,
    )
    await attach_pending_photos(
        context.session,
        context.channel,
        context.identity.external_id,
        info.id,
        assessment_id,
        context.now - PHOTOS_PENDING_FOR,
    )
    # Saving opened or closed the follow-up to complete the check; this reads its due date.
    due = await sync_check_completion(
        context.session,
        info.id,
        concluded=result.decided,
        now=context.now,
        actor=actor,
        tz=context.tz,
    )
    lines = [_(SAVED).format(code=info.code, period=period_label(standard.id), year=year)]
    if due is not None:
        lines.append(_(SAVED_NOT_CONCLUDED).format(code=info.code, due=format_date(due)))
    review = answers.get("ra_soat")
    if isinstance(review, dict):
        done = 1 if result.decided else 0  # a check without conclusion leaves it on the list
        left = max(int(review["tong"]) - int(review["da_kiem_tra"]) - done, 0)
        lines.append(_(REVIEW_LEFT).format(left=format_int(left)) if left else _(REVIEW_ALL_DONE))
    return [Outbound("\n".join(lines))]


def describe(answers: Answers) -> str:
    info = household(answers)
    if info is not None:
        return _("hộ {code} – {name}").format(code=info.code, name=info.head_name)
    if is_new(answers) and answers.get("ten_chu_ho"):
        return _("hộ mới của {name}").format(name=answers["ten_chu_ho"])
    return _("chưa chọn hộ")


_FIND = Step("ho", ask=_find_question, answer=FindHousehold(), help=HELP_HOUSEHOLD)


def _find_step(answers: Answers) -> Step:
    review = answers.get("ra_soat")
    if not isinstance(review, dict) or not review["tiep"]:
        return _FIND
    shown = tuple(str(code) for code, _name, _village in review["tiep"])
    return replace(_FIND, answer=FindHousehold(shown))


_REGISTRATION = (
    Step("ma_ho_moi", ask=ASK_NEW_CODE, answer=NewCode(), when=is_new),
    Step("ten_chu_ho", ask=ASK_HEAD_NAME, answer=PersonName(max_length=120), when=is_new),
)
_SIZE_AND_INCOME = (
    Step("so_nhan_khau", ask=ASK_MEMBERS, answer=Integer(1, MAX_MEMBERS), when=is_new),
    Step("khu_vuc", ask=ASK_AREA, answer=Choice(AREA_OPTIONS), when=is_new),
    Step("thu_nhap", ask=_income_question, answer=OrUnknown(Income(), INCOME_MEANING)),
    Step(
        "tong_thu_nhap",
        ask=lambda a: _(ASK_TOTAL).format(members=format_int(members(a) or 0)),
        answer=OrUnknown(Money(), INCOME_MEANING),
        when=lambda a: a.get("thu_nhap") == "tong",
    ),
)


@cache
def _confirm_step(standard_id: str) -> Step:
    """The save screen; its numbers open the answers of the income or of one indicator."""
    standard = load_standard(standard_id)
    keys = (INCOME_KEYS, *(tuple(q.key for q in i.questions) for i in standard.indicators))
    return Step("xac_nhan", ask=summary, answer=SaveOrEdit(keys))


def _steps(answers: Answers) -> Sequence[Step]:
    """The steps for the answers so far; only the household pick and the place depend on them
    (the options found), the rest are built once."""
    return (
        _find_step(answers),
        _pick_step(answers),
        *_REGISTRATION,
        _place_step(answers),
        *_plausible((*_SIZE_AND_INCOME, *_indicator_steps(str(answers["chuan"]))), answers),
        _confirm_step(str(answers["chuan"])),
    )


HOUSEHOLD_CHECK = Flow(
    name="household_check",
    title=__("Kiểm tra hộ"),
    steps=_steps,
    start=start,
    finish=finish,
    keywords=CHECK_WORDS,
    roles=frozenset({"admin", "manager", "cadre"}),
    describe=describe,
    by_household_code=True,
)
