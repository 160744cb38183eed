"""Answer types of the support-plan flows: a household of the user's area, several options at
once, a day of support, an amount or a quantity, a policy, a year or nothing."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from bot.flows.answers import AnswerType, Text
from bot.flows.messages import Option
from bot.i18n import _, __
from poverty.errors import InvalidInputError, ParseError
from poverty.formatting import format_date, format_money
from poverty.standards import all_standards
from poverty.support_input import parse_amount, parse_day, pick_policy, policy_name
from poverty.text import fold
from storage.followups import CHECK_TO_COMPLETE, CHECK_TO_COMPLETE_NAME, open_followups
from storage.support_plans import NOT_POOR, POOR_OR_NEAR_POOR, household_in_area

if TYPE_CHECKING:
    from bot.flows.context import FlowContext

MULTI_INVALID = __(
    "Xin chọn các số từ 1 đến {count}, cách nhau bởi dấu phẩy hoặc dấu cách (ví dụ: 1, 3)."
)
YEAR_INVALID = __("Xin nhập một năm từ {min} đến {max}, hoặc “không”.")
ONE_CODE = __("Xin gõ một mã hộ, ví dụ: TL00001.")
CODE_FOR_SUPPORT = __("Để ghi hỗ trợ, xin cho biết mã hộ.")
LEADING_WORDS = ("ghi ho tro", "ho tro")
NONE_WORDS = frozenset({"khong", "ko", "k", "0", "khong co", "chua", "none", "bo qua"})
SKIP_WORDS = frozenset({"bo qua", "bq", "skip", "-"})
_SPLIT = re.compile(r"[\s,;/+]+|\bva\b")


def indicator_names() -> dict[str, str]:
    names = {i.code: i.name for standard in all_standards() for i in standard.indicators}
    return {**names, CHECK_TO_COMPLETE: CHECK_TO_COMPLETE_NAME}


@dataclass(frozen=True)
class HouseholdInArea(AnswerType):
    """A household code of the user's area. ``poor_only`` refuses households that are not poor
    or near-poor; ``with_followups`` adds the household's open follow-ups to the value."""

    poor_only: bool = False
    with_followups: bool = False

    async def resolve(self, context: FlowContext, text: str) -> Any:
        words = text.split()
        folded = fold(text)
        if folded in LEADING_WORDS:
            raise ParseError(CODE_FOR_SUPPORT)
        for lead in LEADING_WORDS:
            if folded.startswith(lead + " "):
                words = words[len(lead.split()) :]
                break
        if len(words) != 1:
            raise ParseError(ONE_CODE)
        found = await household_in_area(context.session, context.access, words[0])
        if self.poor_only and found.official_status not in POOR_OR_NEAR_POOR:
            raise InvalidInputError(NOT_POOR, code=found.code)
        value: dict[str, Any] = {
            "id": found.id,
            "code": found.code,
            "head": found.head_name,
            "status": found.official_status,
        }
        if self.with_followups:
            names = indicator_names()
            value["followups"] = [
                [item.id, item.indicator, names.get(item.indicator, item.indicator)]
                for item in await open_followups(context.session, household_ids=[found.id])
            ]
        return value

    def hint(self) -> str:
        return _("Gõ mã hộ như trong danh sách của xã, ví dụ: TL00001.")

    def describe(self, value: Any) -> str:
        return f"{value['code']} – {value['head']}"


@dataclass(frozen=True, init=False)
class MultiChoice(AnswerType):
    """Several options by number (``1, 3``, ``1 3 5``, ``2 va 4``); ``none_allowed`` also
    takes ``không`` for an empty choice. The value is the list of option keys in list order."""

    choices: tuple[Option, ...]
    none_allowed: bool

    def __init__(self, choices: Sequence[Option], none_allowed: bool = False) -> None:
        object.__setattr__(self, "choices", tuple(choices))
        object.__setattr__(self, "none_allowed", none_allowed)

    def parse(self, text: str) -> list[str]:
        folded = fold(text).strip(" .")
        if self.none_allowed and folded in NONE_WORDS:
            return []
        keys = {option.key: option.key for option in self.choices}
        picked: set[str] = set()
        for part in filter(None, _SPLIT.split(folded)):
            if part.isascii() and part.isdigit() and 1 <= int(part) <= len(self.choices):
                picked.add(self.choices[int(part) - 1].key)
            elif part in keys:
                picked.add(part)
            else:
                raise ParseError(MULTI_INVALID, count=len(self.choices))
        if not picked:
            raise ParseError(MULTI_INVALID, count=len(self.choices))
        return [option.key for option in self.choices if option.key in picked]

    def options(self) -> tuple[Option, ...]:
        return tuple(Option(o.key, _(o.label)) for o in self.choices)

    def hint(self) -> str:
        return _(MULTI_INVALID).format(count=len(self.choices))

    def describe(self, value: Any) -> str:
        labels = {o.key: _(o.label) for o in self.choices}
        return ", ".join(labels.get(key, key) for key in value)


@dataclass(frozen=True)
class YearOrNone(AnswerType):
    """A year from this year to ``ahead`` years later, or ``không`` (None)."""

    ahead: int = 10

    async def resolve(self, context: FlowContext, text: str) -> Any:
        folded = fold(text)
        if folded in NONE_WORDS:
            return None
        low, high = context.today.year, context.today.year + self.ahead
        if folded.isascii() and folded.isdigit() and low <= int(folded) <= high:
            return int(folded)
        raise ParseError(YEAR_INVALID, min=low, max=high)

    def hint(self) -> str:
        return _("Gõ năm, ví dụ 2027, hoặc “không”.")


@dataclass(frozen=True)
class OptionalText(AnswerType):
    """Free text, or ``bỏ qua`` to leave the field as it is (None)."""

    max_length: int = 60

    def parse(self, text: str) -> str | None:
        if fold(text) in SKIP_WORDS:
            return None
        return Text(max_length=self.max_length).parse(text)

    def hint(self) -> str:
        return _("Gõ câu trả lời ngắn, hoặc “bỏ qua”.")


@dataclass(frozen=True)
class SupportDay(AnswerType):
    """``15/3``, ``15/03/2026`` or ``hôm nay``; not in the future. Stored ``YYYY-MM-DD``."""

    async def resolve(self, context: FlowContext, text: str) -> Any:
        return parse_day(text, context.today).isoformat()

    def hint(self) -> str:
        return _("Gõ ngày hỗ trợ, ví dụ: 15/3, 15/03/2026 hoặc “hôm nay”.")

    def describe(self, value: Any) -> str:
        return format_date(date.fromisoformat(str(value)))


@dataclass(frozen=True)
class SupportAmount(AnswerType):
    """Money (``5 triệu``, ``5tr``, ``5.000.000``), a quantity in words, or ``không``."""

    def parse(self, text: str) -> dict[str, Any]:
        amount = parse_amount(text)
        return {"money": amount.money, "quantity": amount.quantity}

    def hint(self) -> str:
        return _("Gõ số tiền (5 triệu, 5tr, 5.000.000), số lượng (2 con bò) hoặc “không”.")

    def describe(self, value: Any) -> str:
        if value.get("money") is not None:
            return format_money(int(value["money"]))
        return str(value.get("quantity") or "")


@dataclass(frozen=True)
class PolicyAnswer(AnswerType):
    """A catalogue policy by code or words, or ``khác: <tên>``."""

    def parse(self, text: str) -> dict[str, Any]:
        picked = pick_policy(text)
        return {"code": picked.code, "description": picked.description}

    def hint(self) -> str:
        return _(
            "Gõ mã hoặc tên chính sách (bhyt, vay_ho_ngheo, sinh_ke, nha_o…), hoặc "
            "“khác: <tên chương trình>”."
        )

    def describe(self, value: Any) -> str:
        return policy_name(value["code"]) if value.get("code") else str(value["description"])
