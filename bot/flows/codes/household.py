"""``KT <mã hộ> <chỉ số 0/1> <thu nhập>``: a household check in one message.

The digits are the deprivation indicators of the standard in force today, in the standard's
order (12 for 2022–2025), 1 = deprived; they may be typed in groups (``0100 0000 1100``). The
income is per person per month, read like the guided check's (``1.500.000``, ``1,5tr``,
``1tr5``, ``1.5 trieu``). The household must lie in the user's area. The assessment is saved
exactly as the guided check saves it (:func:`storage.assessments.save_assessment`: the
identity's channel, the audit row, follow-ups synced), and the reply gives the class and why.
"""

from __future__ import annotations

from typing import cast

from bot.flows.codes.base import code_flow, household_code
from bot.flows.context import FlowContext
from bot.flows.household_check import HOUSEHOLD_CHECK
from bot.i18n import _, __
from poverty.classification import (
    AREA_LABELS,
    CLASS_LABELS,
    Classification,
    PovertyClass,
    classify,
)
from poverty.errors import InvalidInputError
from poverty.formatting import format_int, format_money
from poverty.parsing import parse_money
from poverty.plausibility import INCOME, income_problem, unusual
from poverty.review import period_label
from poverty.standards import Area, Standard, standard_for_year, to_mask
from poverty.text import fold
from storage.assessments import NewAssessment, save_assessment
from storage.audit import Actor
from storage.household_search import HouseholdInfo, first_household_code, get_household
from storage.reviews import result_year_for

SEPARATORS = "-._/"
"""Characters people put between groups of digits; ignored."""

USAGE = __("KT mã_hộ dãy_0/1 thu_nhập")
EXAMPLE = "KT {code} {digits} 1tr2"
MISSING_ALL = __("Thiếu mã hộ, dãy {count} số 0/1 và thu nhập.")
MISSING_DIGITS = __("Thiếu dãy {count} số 0/1 (1 là thiếu hụt) và thu nhập.")
MISSING_INCOME = __("Thiếu thu nhập bình quân mỗi người mỗi tháng.")
NOT_BINARY = __("Dãy chỉ số chỉ gồm số 0 và 1 (1 là thiếu hụt).")
WRONG_COUNT = __("Cần đúng {count} số 0/1 theo thứ tự chỉ số, đã nhận {given}.")
CONFIRM_WORDS = frozenset({"dung", "chac", "xac nhan"})
CONFIRM_UNUSUAL = __("{note} Nếu đúng, gửi lại tin kèm chữ DUNG ở cuối: {example}")
INCOME_UNREADABLE = __("Chưa đọc được thu nhập (ví dụ 1.500.000, 1,5tr, 1tr5).")
NOT_FOUND = __("Không tìm thấy hộ {code} trong địa bàn của anh/chị.")
SAVED = __("Đã lưu kiểm tra hộ {code} (chuẩn {period}, năm {year}): {label}.")
WHY_POOR_OUTRIGHT = __("Thu nhập {income} không vượt {line} ({area}).")
WHY_POOR = __(
    "Thu nhập {income} không vượt chuẩn {line} ({area}), thiếu hụt {count} chỉ số "
    "(từ {min} trở lên)."
)
WHY_NEAR_POOR = __(
    "Thu nhập {income} không vượt chuẩn {line} ({area}), thiếu hụt {count} chỉ số (dưới {min})."
)
WHY_MEDIUM = __("Thu nhập {income} trên chuẩn {line}, không vượt {upper} ({area}).")
WHY_ABOVE_MEDIUM = __("Thu nhập {income} trên mức sống trung bình {upper} ({area}).")
WHY_ABOVE_LINE = __("Thu nhập {income} trên chuẩn {line} ({area}).")
DEPRIVED = __("Thiếu hụt chỉ số số {numbers}.")
OFFICIAL_DIFFERS = __("Khác phân loại chính thức năm {year}: {label}.")


async def example(context: FlowContext) -> str | None:
    code = await first_household_code(context.session, context.access)
    if code is None:
        return None
    year = await result_year_for(context.session, context.access, context.today)
    count = len(standard_for_year(year).indicators)
    digits = ("01" + "0" * count)[:count]
    return EXAMPLE.format(code=code, digits=digits)


def read_digits(words: list[str], count: int) -> tuple[str, int]:
    """The 0/1 digits at the start of ``words`` (one word, or groups until ``count`` digits) and
    how many words they took."""
    digits, used = "", 0
    for word in words:
        cleaned = "".join(ch for ch in word if ch not in SEPARATORS)
        is_binary = bool(cleaned) and set(cleaned) <= {"0", "1"}
        if used and (len(digits) >= count or not is_binary):
            break
        if not is_binary:
            has_digit = any(ch.isdigit() for ch in cleaned)
            raise InvalidInputError(NOT_BINARY if has_digit else MISSING_DIGITS, count=count)
        digits += cleaned
        used += 1
    if len(digits) != count:
        raise InvalidInputError(WRONG_COUNT, count=count, given=len(digits))
    return digits, used


def read_income(text: str) -> int:
    try:
        return parse_money(text)
    except InvalidInputError:
        raise InvalidInputError(INCOME_UNREADABLE) from None


def why(standard: Standard, area: Area, result: Classification) -> str:
    """The reason for the class in one sentence: income against the lines, deprivations
    against the minimum."""
    income = result.income_per_person or 0
    lines = standard.income_lines[area]
    params: dict[str, object] = {
        "income": format_money(income),
        "line": format_money(lines.poverty),
        "area": _(AREA_LABELS[area]),
        "count": format_int(result.deprivation_count),
        "min": format_int(standard.min_deprivations),
    }
    if lines.poor_outright is not None and income <= lines.poor_outright:
        return _(WHY_POOR_OUTRIGHT).format(**{**params, "line": format_money(lines.poor_outright)})
    if income <= lines.poverty:
        template = WHY_POOR if result.result == "ngheo" else WHY_NEAR_POOR
        return _(template).format(**params)
    if lines.medium_upper is None:
        return _(WHY_ABOVE_LINE).format(**params)
    upper = format_money(lines.medium_upper)
    if income <= lines.medium_upper:
        return _(WHY_MEDIUM).format(**params, upper=upper)
    return _(WHY_ABOVE_MEDIUM).format(**params, upper=upper)


def _official(info: HouseholdInfo, computed: str | None) -> str:
    if info.official_status is None or info.official_status == computed:
        return ""
    label = _(CLASS_LABELS[cast(PovertyClass, info.official_status)])
    year = info.official_year if info.official_year is not None else "?"
    return " " + _(OFFICIAL_DIFFERS).format(year=year, label=label)


async def run(context: FlowContext, words: list[str]) -> str:
    year = await result_year_for(context.session, context.access, context.today)
    standard = standard_for_year(year)
    count = len(standard.indicators)
    if not words:
        raise InvalidInputError(MISSING_ALL, count=count)
    code = household_code(words[0])
    if len(words) == 1:
        raise InvalidInputError(MISSING_DIGITS, count=count)
    digits, used = read_digits(words[1:], count)
    income_words = words[1 + used :]
    if not income_words:
        raise InvalidInputError(MISSING_INCOME)
    confirmed = fold(income_words[-1]) in CONFIRM_WORDS
    if confirmed:
        income_words = income_words[:-1]
    if not income_words:
        raise InvalidInputError(MISSING_INCOME)
    income = read_income(" ".join(income_words))
    impossible = income_problem(income)
    if impossible is not None:
        raise InvalidInputError(impossible.message, **impossible.params)
    odd = unusual({INCOME: income})
    if odd and not confirmed:
        example = f"KT {code} {digits} {' '.join(income_words)} DUNG"
        note = _(odd[0].message).format(**odd[0].params)
        raise InvalidInputError(CONFIRM_UNUSUAL, note=note, example=example)
    info = await get_household(context.session, context.access, code)
    if info is None:
        raise InvalidInputError(NOT_FOUND, code=code)
    area = cast(Area, info.area)
    deprivations = {
        i.code: digit == "1" for i, digit in zip(standard.indicators, digits, strict=True)
    }
    result = classify(standard, area, income, deprivations)
    record: dict[str, object] = {f"thieu_{c}": v for c, v in deprivations.items()}
    record.update(so_nhan_khau=info.members, thu_nhap_binh_quan=income)
    actor = Actor(f"{context.channel}:{context.access.user_id}", context.access.user_id)
    await save_assessment(
        context.session,
        NewAssessment(
            household_id=info.id,
            standard_id=standard.id,
            area=area,
            answers=record,
            income_per_person=result.income_per_person,
            deprived_mask=to_mask(c for c, v in deprivations.items() if v),
            known_mask=to_mask(deprivations),
            computed_class=result.result,
            user_id=context.access.user_id,
            channel=context.channel,
            applies_year=year,
        ),
        actor,
        context.now,
        tz=context.tz,
    )
    label = _(CLASS_LABELS[result.result]) if result.result else "?"
    saved = _(SAVED).format(
        code=info.code, period=period_label(standard.id), year=year, label=label
    )
    parts = [saved, why(standard, area, result)]
    numbers = [str(n) for n, digit in enumerate(digits, 1) if digit == "1"]
    if numbers:
        parts.append(_(DEPRIVED).format(numbers=", ".join(numbers)))
    return " ".join(parts) + _official(info, result.result)


HOUSEHOLD_CODE = code_flow(
    name="household_code",
    title=__("Kiểm tra hộ bằng mã KT"),
    keywords=("kt",),
    usage=USAGE,
    example=example,
    run=run,
    roles=HOUSEHOLD_CHECK.roles,
)
