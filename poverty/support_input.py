"""Reading what people type when they record support: which policy, when, how much.

- A policy is a catalogue code (``vay_ho_ngheo``), or words that name exactly one policy
  (``bhyt``, ``vay von ho ngheo``); ``khác: <tên>`` (or ``khac <tên>``) records a programme
  outside the catalogue by its name.
- A day is ``15/3`` (this year), ``15/03/2026``, ``15-3-26`` or ``hôm nay``.
- An amount is money in any common form (``5 triệu``, ``5tr``, ``5.000.000``; see
  :func:`poverty.parsing.parse_money`); anything else with a number in it is a quantity in
  words (``2 con bò``, ``100 kg giống``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from poverty.errors import InvalidInputError, ParseError
from poverty.i18n import N_
from poverty.parsing import MONEY_INVALID, parse_money
from poverty.policies import load_policies, policy_by_code
from poverty.policy_search import rank_policies
from poverty.text import fold

UNKNOWN_POLICY = N_(
    "Không có chính sách “{text}” trong danh mục. Gõ mã hoặc tên chính sách (ví dụ: bhyt, "
    "vay_ho_ngheo, sinh_ke), hoặc “khác: <tên chương trình>” để ghi tên tự do."
)
AMBIGUOUS_POLICY = N_("“{text}” khớp nhiều chính sách: {codes}. Xin gõ một mã trong số đó.")
DESCRIPTION_EMPTY = N_("Xin ghi tên chương trình sau chữ “khác:”.")
DAY_INVALID = N_("Chưa đọc được ngày “{text}”. Xin nhập ví dụ: 15/3 hoặc 15/03/2026.")
DAY_NOT_IN_CALENDAR = N_("Không có ngày {text} trên lịch, xin kiểm tra lại.")
DAY_IN_FUTURE = N_("Ngày {text} chưa tới; xin ghi ngày đã hỗ trợ.")
AMOUNT_INVALID = N_(
    "Chưa đọc được số tiền hay số lượng “{text}”. Xin nhập ví dụ: 5 triệu, 5tr, 5.000.000 "
    "hoặc 2 con bò."
)
TEXT_TOO_LONG = N_("Xin nhập ngắn gọn, không quá {max} ký tự.")

MAX_DESCRIPTION = 200
MAX_QUANTITY = 120
TODAY_WORDS = frozenset({"hom nay", "nay", "today"})
NONE_WORDS = frozenset({"khong", "ko", "k", "-", "none"})
_DAY = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})(?:\s*[/.\-]\s*(\d{2}|\d{4}))?$")
OTHER_WORDS = frozenset({"khac", "other"})
_HAS_DIGIT = re.compile(r"\d")
_CODE_CHARS = re.compile(r"^[a-z0-9_]+$")


@dataclass(frozen=True)
class PolicyPick:
    """A catalogue policy (``code``) or a programme named in words (``description``)."""

    code: str | None
    description: str | None


def pick_policy(text: str) -> PolicyPick:
    """The policy ``text`` names; raises InvalidInputError for none or several."""
    cleaned = " ".join(unicodedata.normalize("NFC", text).split())
    folded = fold(cleaned)
    first, _, rest = cleaned.partition(" ")
    head, colon, after = first.partition(":")
    if fold(head) in OTHER_WORDS:
        description = " ".join(f"{after} {rest}".split()) if colon else rest.strip()
        if not description:
            raise ParseError(DESCRIPTION_EMPTY)
        if len(description) > MAX_DESCRIPTION:
            raise ParseError(TEXT_TOO_LONG, max=MAX_DESCRIPTION)
        return PolicyPick(None, description)
    if not folded:
        raise ParseError(UNKNOWN_POLICY, text=cleaned)
    if _CODE_CHARS.match(folded) and policy_by_code(folded) is not None:
        return PolicyPick(folded, None)
    hits = rank_policies(cleaned, limit=4)
    exact = [hit for hit in hits if hit.exact]
    if len(exact) == 1:
        return PolicyPick(exact[0].policy.code, None)
    if len(hits) == 1:
        return PolicyPick(hits[0].policy.code, None)
    if hits:
        codes = ", ".join(hit.policy.code for hit in hits)
        raise InvalidInputError(AMBIGUOUS_POLICY, text=cleaned[:40], codes=codes)
    raise InvalidInputError(UNKNOWN_POLICY, text=cleaned[:40])


def policy_name(code: str) -> str:
    """The catalogue name of ``code`` (the code itself when the catalogue lost it)."""
    policy = policy_by_code(code)
    return policy.name if policy is not None else code


def policy_codes() -> tuple[str, ...]:
    return tuple(policy.code for policy in load_policies())


def parse_day(text: str, today: date) -> date:
    """A day as people type it, not after ``today``; no year means this year."""
    folded = fold(text)
    if folded in TODAY_WORDS:
        return today
    match = _DAY.match(folded) if len(folded) <= 20 else None
    if match is None:
        raise ParseError(DAY_INVALID, text=text.strip()[:20])
    day, month, year_text = int(match[1]), int(match[2]), match[3]
    year = today.year
    if year_text is not None:
        year = int(year_text) + (2000 if len(year_text) == 2 else 0)
    try:
        found = date(year, month, day)
    except ValueError:
        raise ParseError(DAY_NOT_IN_CALENDAR, text=text.strip()[:20]) from None
    if found > today:
        raise ParseError(DAY_IN_FUTURE, text=f"{day:02d}/{month:02d}/{year}")
    return found


def looks_like_day(text: str) -> bool:
    folded = fold(text)
    return folded in TODAY_WORDS or bool(_DAY.match(folded))


@dataclass(frozen=True)
class Amount:
    """Money in đồng, or a quantity in words; both None for "nothing to say"."""

    money: int | None
    quantity: str | None


def parse_amount(text: str) -> Amount:
    """``5 triệu`` → money; ``2 con bò`` → quantity; ``không`` → neither."""
    cleaned = " ".join(text.split())
    if fold(cleaned) in NONE_WORDS:
        return Amount(None, None)
    try:
        return Amount(parse_money(cleaned), None)
    except ParseError as error:
        if error.message != MONEY_INVALID:
            raise
    if not _HAS_DIGIT.search(cleaned) or not re.search(r"[^\W\d_]", cleaned):
        raise ParseError(AMOUNT_INVALID, text=cleaned[:40])
    if len(cleaned) > MAX_QUANTITY:
        raise ParseError(TEXT_TOO_LONG, max=MAX_QUANTITY)
    return Amount(None, cleaned)
