"""Answer types: how a step reads what a person typed.

Each type is a small frozen dataclass with ``parse(text)``, which returns a JSON-ready value or
raises :class:`~poverty.errors.ParseError` / :class:`~poverty.errors.InvalidInputError` carrying
a short Vietnamese message (a msgid and its params). Input is folded first
(:func:`poverty.text.fold`), so ``Có``, ``co``, ``CO``, ``c`` and ``1`` are the same answer.

The engine calls ``await answer.resolve(context, text)``; it defaults to ``parse`` and is
overridden by answers that need the clock or the database (a date without a year, a household
looked up by name). ``options()`` gives the buttons shown under the question, ``hint()`` the
help text for ``/giup`` and ``describe(value)`` the value in words for summaries.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from bot.flows.messages import Option
from bot.i18n import _, __
from poverty.errors import AppError, ParseError
from poverty.formatting import format_date, format_decimal, format_int, format_money
from poverty.parsing import parse_int, parse_money
from poverty.text import fold, normalize_phone
from poverty.unit_names import unit_key

if TYPE_CHECKING:
    from bot.flows.context import FlowContext

YES_WORDS = frozenset(
    {"co", "c", "1", "yes", "y", "u", "uh", "um", "dung", "vang", "da", "ok", "okay", "co a",
     "da co", "da vang", "vang a", "dung roi", "da dung", "co nhe", "co chu"}
)  # fmt: skip
NO_WORDS = frozenset(
    {"khong", "k", "ko", "kg", "kh", "0", "2", "no", "n", "sai", "khong co", "khong a",
     "da khong", "khong co a"}
)  # fmt: skip

YES_NO_INVALID = __("Xin trả lời Có hoặc Không (gõ 1 là Có, 2 là Không).")
CHOICE_INVALID = __("Xin chọn một số từ 1 đến {count} trong danh sách.")
CHOICE_SEVERAL = __("“{text}” khớp với nhiều lựa chọn: {options}. Xin gõ số thứ tự.")
TEXT_TOO_LONG = __("Xin nhập ngắn gọn, không quá {max} ký tự.")
TEXT_SYMBOLS = __("Xin chỉ nhập chữ, số và dấu câu thông thường.")
TEXT_EMPTY = __("Chưa nhận được câu trả lời.")
PHONE_INVALID = __("Số điện thoại chưa đúng. Xin nhập ví dụ: 0912 345 678.")
DATE_INVALID = __("Chưa đọc được ngày. Xin nhập theo dạng ngày/tháng/năm, ví dụ: 20/12/2025.")
DATE_NOT_IN_CALENDAR = __("Không có ngày {text} trên lịch, xin kiểm tra lại.")
NUMBER_INVALID = __("Chưa đọc được số. Xin nhập ví dụ: 25 hoặc 25,5.")
NUMBER_RANGE = __("Xin nhập một số từ {min} đến {max}.")
MONEY_RANGE = __("Xin nhập số tiền từ {min} đến {max}.")

_DATE = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})(?:\s*[/.\-]\s*(\d{2}|\d{4}))?$")
_NUMBER = re.compile(r"^(?P<number>\d+(?:[.,]\d+)?)\s*(?:m2|m²|m|met vuong|met)?$")
_GROUPED = re.compile(r"^\d{1,3}(?:\.\d{3})+$")


# "How many …?" answered with "không" means none (``khong``, ``ko``, ``chua co``, ``none``).
NONE_WORDS = frozenset({"khong", "ko", "k", "khong co", "chua co", "none", "no"})


def _display_number(value: int | float) -> str:
    if isinstance(value, int) or float(value).is_integer():
        return format_int(int(value))
    return format_decimal(value).rstrip("0").rstrip(",")


class AnswerType:
    """Base of every answer type. A subclass overrides ``parse``, or ``resolve`` alone when the
    answer needs the database or the clock (the engine only ever calls ``resolve``)."""

    def parse(self, text: str) -> Any:
        """The value of ``text``, or a ParseError/InvalidInputError with a Vietnamese message."""
        raise NotImplementedError(f"{type(self).__name__} reads its answer in resolve()")

    async def resolve(self, context: FlowContext, text: str) -> Any:
        """The value of ``text`` when the answer may need the clock or the database."""
        return self.parse(text)

    def options(self) -> tuple[Option, ...]:
        """Buttons shown under the question (translated labels); none for typed answers."""
        return ()

    def hint(self) -> str:
        """What a good answer looks like, shown on ``/giup``."""
        return _("Xin nhập câu trả lời.")

    def describe(self, value: Any) -> str:
        """The stored value in words, for summaries."""
        return str(value)


@dataclass(frozen=True)
class YesNo(AnswerType):
    """Có / Không. Folded words, ``c``/``k``/``ko`` and the option numbers 1 and 2 all work."""

    def parse(self, text: str) -> bool:
        folded = fold(text).strip(" .!?")
        if folded in YES_WORDS:
            return True
        if folded in NO_WORDS:
            return False
        raise ParseError(YES_NO_INVALID)

    def options(self) -> tuple[Option, ...]:
        return (Option("co", _("Có")), Option("khong", _("Không")))

    def hint(self) -> str:
        return _("Trả lời Có hoặc Không. Có thể gõ 1 (Có) hoặc 2 (Không).")

    def describe(self, value: Any) -> str:
        return _("Có") if value else _("Không")


@dataclass(frozen=True, init=False)
class Choice(AnswerType):
    """One option of a list, picked by its number, its key or its label, folded. Part of a
    label is enough when only one option has it: its beginning, or whole words of it
    (``dong tam`` → “Thôn Đồng Tâm”; a unit's level word may be left out). When several
    options have it, the error lists just those, with their numbers. The value stored is the
    option key."""

    choices: tuple[Option, ...]

    def __init__(self, choices: Sequence[Option]) -> None:
        object.__setattr__(self, "choices", tuple(choices))

    def parse(self, text: str) -> str:
        folded = fold(text).strip(" .")
        if folded.isdigit() and folded.isascii() and 1 <= int(folded) <= len(self.choices):
            return self.choices[int(folded) - 1].key
        for option in self.choices:
            if folded in (fold(option.key), fold(_(option.label))):
                return option.key
        if not folded:
            raise ParseError(CHOICE_INVALID, count=len(self.choices))
        labels = [(fold(_(o.label)), unit_key(_(o.label))) for o in self.choices]
        for fits in (
            lambda label, name: folded == name,
            lambda label, name: label.startswith(folded) or name.startswith(folded),
            lambda label, name: f" {folded} " in f" {label} ",
        ):
            found = [i for i, (label, name) in enumerate(labels) if fits(label, name)]
            if len(found) == 1:
                return self.choices[found[0]].key
            if found:
                listed = "; ".join(f"{i + 1}. {_(self.choices[i].label)}" for i in found)
                raise ParseError(CHOICE_SEVERAL, text=" ".join(text.split())[:40], options=listed)
        raise ParseError(CHOICE_INVALID, count=len(self.choices))

    def options(self) -> tuple[Option, ...]:
        return tuple(Option(o.key, _(o.label)) for o in self.choices)

    def hint(self) -> str:
        return _("Gõ số thứ tự của lựa chọn (từ 1 đến {count}), hoặc gõ tên lựa chọn.").format(
            count=len(self.choices)
        )

    def describe(self, value: Any) -> str:
        for option in self.choices:
            if option.key == value:
                return _(option.label)
        return str(value)


@dataclass(frozen=True)
class Integer(AnswerType):
    """A whole number between ``min`` and ``max``; unit words after it are ignored (``5 người``)."""

    min: int
    max: int

    def parse(self, text: str) -> int:
        if self.min <= 0 and fold(text) in NONE_WORDS:
            return 0
        try:
            return parse_int(text, min=self.min, max=self.max)
        except ParseError as error:
            raise ParseError(
                error.message, min=format_int(self.min), max=format_int(self.max)
            ) from None

    def hint(self) -> str:
        return _("Nhập một số nguyên từ {min} đến {max}.").format(
            min=format_int(self.min), max=format_int(self.max)
        )


@dataclass(frozen=True)
class Number(AnswerType):
    """A measure such as an area in m², decimals with a comma or a point (``25,5``)."""

    min: float
    max: float

    def parse(self, text: str) -> int | float:
        folded = fold(text)
        match = _NUMBER.match(folded) if len(folded) <= 40 else None
        if match is None:
            raise ParseError(NUMBER_INVALID)
        raw = match["number"]
        value = float(raw.replace(".", "")) if _GROUPED.match(raw) else float(raw.replace(",", "."))
        if not self.min <= value <= self.max:
            raise ParseError(
                NUMBER_RANGE, min=_display_number(self.min), max=_display_number(self.max)
            )
        return int(value) if value.is_integer() else value

    def hint(self) -> str:
        return _("Nhập một số từ {min} đến {max}, ví dụ: 25 hoặc 25,5.").format(
            min=_display_number(self.min), max=_display_number(self.max)
        )

    def describe(self, value: Any) -> str:
        return _display_number(value)


@dataclass(frozen=True)
class Money(AnswerType):
    """An amount in đồng, typed the way people say it: ``1,2 triệu``, ``1tr2``, ``1.200.000``,
    ``1200k`` (see :func:`poverty.parsing.parse_money`)."""

    min: int = 0
    max: int | None = None

    def parse(self, text: str) -> int:
        value = parse_money(text)
        if value < self.min or (self.max is not None and value > self.max):
            upper = format_money(self.max) if self.max is not None else "…"
            raise ParseError(MONEY_RANGE, min=format_money(self.min), max=upper)
        return value

    def hint(self) -> str:
        return _("Nhập số tiền, ví dụ: 1.500.000, 1,5 triệu, 1tr5 hoặc 1500k.")

    def describe(self, value: Any) -> str:
        return format_money(int(value))


@dataclass(frozen=True)
class Text(AnswerType):
    """Free text of at most ``max_length`` characters, stored NFC with single spaces.
    Emoji, control characters and other pictographs are refused."""

    max_length: int = 200
    min_length: int = 1

    def parse(self, text: str) -> str:
        cleaned = " ".join(unicodedata.normalize("NFC", text).split())
        if len(cleaned) < self.min_length:
            raise ParseError(TEXT_EMPTY)
        if len(cleaned) > self.max_length:
            raise ParseError(TEXT_TOO_LONG, max=self.max_length)
        if any(_is_symbol(ch) for ch in cleaned):
            raise ParseError(TEXT_SYMBOLS)
        return cleaned

    def hint(self) -> str:
        return _("Nhập câu trả lời ngắn, không quá {max} ký tự.").format(max=self.max_length)


def _is_symbol(ch: str) -> bool:
    category = unicodedata.category(ch)
    return category in ("So", "Sk", "Co", "Cn", "Cs", "Cc", "Cf") or ch in "\ufe0f\u200d"


@dataclass(frozen=True)
class Phone(AnswerType):
    """A Vietnamese phone number, stored in E.164 form (``+84912345678``)."""

    def parse(self, text: str) -> str:
        phone = normalize_phone(text)
        if phone is None:
            raise ParseError(PHONE_INVALID)
        return phone

    def hint(self) -> str:
        return _("Nhập số điện thoại di động, ví dụ: 0912 345 678.")

    def describe(self, value: Any) -> str:
        text = str(value)
        return "0" + text[3:] if text.startswith("+84") else text


@dataclass(frozen=True)
class Date(AnswerType):
    """A day written day first: ``20/12/2025``, ``20-12-25`` or ``20/12`` (this year in
    Asia/Ho_Chi_Minh, taken from the engine's clock). Stored as ``YYYY-MM-DD``."""

    def parse(self, text: str, today: date | None = None) -> str:
        folded = fold(text)
        match = _DATE.match(folded) if len(folded) <= 20 else None
        if match is None:
            raise ParseError(DATE_INVALID)
        day, month, year_text = int(match[1]), int(match[2]), match[3]
        if year_text is None:
            if today is None:
                raise ParseError(DATE_INVALID)
            year = today.year
        else:
            year = int(year_text) + (2000 if len(year_text) == 2 else 0)
        try:
            return date(year, month, day).isoformat()
        except ValueError:
            raise ParseError(DATE_NOT_IN_CALENDAR, text=text.strip()) from None

    async def resolve(self, context: FlowContext, text: str) -> str:
        return self.parse(text, today=context.today)

    def hint(self) -> str:
        return _("Nhập ngày theo dạng ngày/tháng/năm, ví dụ: 20/12/2025 (hoặc 20/12 cho năm nay).")

    def describe(self, value: Any) -> str:
        return format_date(date.fromisoformat(str(value)))


def error_text(error: AppError) -> str:
    """The translated, filled-in message of an error raised while reading an answer."""
    template = _(error.message)
    try:
        return template.format(**error.params)
    except (KeyError, IndexError, ValueError):
        return template
