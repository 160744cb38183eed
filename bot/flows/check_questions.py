"""The questions of the household check as steps, and its save screen.

- Every question of the standard and the income question accept “không rõ” or a skip word
  (:data:`UNKNOWN_WORDS`, with or without tone marks): the answer is stored as None, which the
  standard reads as “asked, not known” (:func:`poverty.standards.questions_to_ask`), so the
  question is not asked again and the classification stays open where it matters.
- ``/giup`` on a question gives its meaning in the standard's words (``meaning`` in the
  standards' YAML), then how to answer.
- The save screen numbers the answers after its own two options (1 Có, 2 Không), so a number
  on it always means one thing: “5” or “sửa 5” opens that answer again (:class:`Reopen`), and
  the check comes back to the save screen once it is answered.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.flows.answers import AnswerType, Choice, Integer, Number, YesNo
from bot.flows.flow import Answers, Reopen, Step
from bot.flows.messages import Option
from bot.i18n import _, __
from poverty.errors import ParseError
from poverty.formatting import format_money
from poverty.standards import Indicator, Question, Standard, is_question_due
from poverty.text import fold

UNKNOWN_WORDS = frozenset(
    {"khong ro", "ko ro", "k ro", "kh ro", "chua ro", "khong biet", "ko biet", "chua biet",
     "bo qua", "boqua", "/boqua", "skip", "/skip", "khong_ro", "chua co thong tin"}
)  # fmt: skip
"""Answers that mean “not known” at every question of the check (matched after folding)."""
UNKNOWN_KEY = "khong_ro"
UNKNOWN_LABEL = __("Không rõ")
UNKNOWN_HINT = __("Nếu chưa biết, gõ “không rõ” (hoặc “bỏ qua”); có thể bổ sung sau.")
MEANING = __("Giải thích: {meaning}")
INCOME_KEYS = ("thu_nhap", "tong_thu_nhap")

SAVE_OPTIONS = (Option("co", __("Có")), Option("khong", __("Không")))
FIRST_ITEM = len(SAVE_OPTIONS) + 1
"""Answers on the save screen are numbered after its options, so “1” stays “Có”."""
ASK_SAVE = __(
    "Muốn sửa câu nào, gõ số của câu đó (ví dụ: sửa {example}).\nLưu kết quả kiểm tra này?"
)
NO_SUCH_ITEM = __("Không có câu số {number}. Xin gõ số từ {first} đến {last}, hoặc Có / Không.")
SAVE_INVALID = __(
    "Xin trả lời Có để lưu, Không để bỏ, hoặc số của câu muốn sửa (từ {first} đến {last})."
)
STATE_WORDS = {None: __("chưa rõ"), True: __("thiếu hụt"), False: __("không thiếu hụt")}
_EDIT = re.compile(r"^(?:sua|sua cau|doi|/sua)?\s*(\d{1,3})$")


def is_unknown(text: str) -> bool:
    return fold(text).strip(" .!") in UNKNOWN_WORDS


@dataclass(frozen=True)
class OrUnknown(AnswerType):
    """``inner``, or None for “không rõ”. ``meaning`` (a msgid) explains the question on
    ``/giup``. A list of options gets one more, “Không rõ”, after its own."""

    inner: AnswerType
    meaning: str = ""

    def parse(self, text: str) -> Any:
        if is_unknown(text):
            return None
        folded = fold(text).strip(" .")
        count = len(self.inner.options())
        if count and folded == str(count + 1):
            return None
        return self.inner.parse(text)

    def options(self) -> tuple[Option, ...]:
        inner = self.inner.options()
        return (*inner, Option(UNKNOWN_KEY, _(UNKNOWN_LABEL))) if inner else ()

    def hint(self) -> str:
        lines = [_(MEANING).format(meaning=_(self.meaning))] if self.meaning else []
        lines.append(f"{self.inner.hint()} {_(UNKNOWN_HINT)}")
        return "\n".join(lines)

    def describe(self, value: Any) -> str:
        return _(UNKNOWN_LABEL) if value is None else self.inner.describe(value)


def answer_for(question: Question) -> AnswerType:
    """How a question of the standard is read, “không rõ” included."""
    inner: AnswerType
    if question.kind == "yes_no":
        inner = YesNo()
    elif question.kind == "choice":
        inner = Choice(tuple(Option(c.key, c.label) for c in question.choices))
    else:
        low = question.min if question.min is not None else 0
        high = question.max if question.max is not None else 1_000_000
        inner = (
            Integer(int(low), int(high))
            if question.kind == "integer"
            else Number(float(low), float(high))
        )
    return OrUnknown(inner, question.meaning)


def question_step(
    indicator: Indicator, question: Question, facts: Callable[[Answers], Mapping[str, object]]
) -> Step:
    """The step asking ``question`` while the standard still needs it."""

    def asked(answers: Answers) -> bool:
        return question.key not in answers and is_question_due(indicator, question, facts(answers))

    return Step(question.key, ask=question.text, answer=answer_for(question), when=asked)


@dataclass(frozen=True)
class Item:
    """One numbered answer of the save screen: its label, the answer in words, and the step
    names opened again when it is picked."""

    label: str
    value: str
    steps: tuple[str, ...]


def income_item(answers: Answers, income: int | None) -> Item:
    if income is not None:
        value = _("{income}/người/tháng").format(income=format_money(income))
    else:
        value = _(STATE_WORDS[None])
    return Item(_("Thu nhập bình quân"), value, INCOME_KEYS)


def indicator_items(
    standard: Standard, answers: Answers, deprivations: Mapping[str, bool | None]
) -> list[Item]:
    """One item per indicator: whether the household is deprived, with the numbers given."""
    items = []
    for indicator in standard.indicators:
        words = _(STATE_WORDS[deprivations.get(indicator.code)])
        given = [
            answer_for(q).describe(answers[q.key])
            for q in indicator.questions
            if q.kind != "yes_no" and q.key in answers and answers[q.key] is not None
        ]
        if given:
            words = f"{words} ({'; '.join(given)})"
        keys = tuple(q.key for q in indicator.questions)
        items.append(Item(_(indicator.name), words, keys))
    return items


def numbered(items: list[Item]) -> list[str]:
    return [f"{n}. {item.label}: {item.value}" for n, item in enumerate(items, FIRST_ITEM)]


def ask_save(items: list[Item]) -> str:
    return _(ASK_SAVE).format(example=FIRST_ITEM + min(1, len(items) - 1))


@dataclass(frozen=True)
class SaveOrEdit(AnswerType):
    """Có / Không, or the number of an answer to open again (``5``, ``sửa 5``)."""

    items: tuple[tuple[str, ...], ...]

    def parse(self, text: str) -> bool | Reopen:
        folded = fold(text).strip(" .!?")
        match = _EDIT.match(folded)
        if match is not None and folded not in ("1", "2"):
            number = int(match[1])
            last = FIRST_ITEM + len(self.items) - 1
            if not FIRST_ITEM <= number <= last:
                raise ParseError(NO_SUCH_ITEM, number=number, first=FIRST_ITEM, last=last)
            return Reopen(self.items[number - FIRST_ITEM])
        try:
            return YesNo().parse(text)
        except ParseError:
            last = FIRST_ITEM + len(self.items) - 1
            raise ParseError(SAVE_INVALID, first=FIRST_ITEM, last=last) from None

    def options(self) -> tuple[Option, ...]:
        return tuple(Option(o.key, _(o.label)) for o in SAVE_OPTIONS)

    def hint(self) -> str:
        last = FIRST_ITEM + len(self.items) - 1
        return _(SAVE_INVALID).format(first=FIRST_ITEM, last=last)

    def describe(self, value: Any) -> str:
        return _("Có") if value else _("Không")
