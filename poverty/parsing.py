"""Reading the amounts and counts cadres type.

People write money the way they say it: ``1,2 triệu``, ``1tr2``, ``1.200.000``,
``1200k``, ``800 nghìn``, ``1 triệu rưỡi``, with or without tone marks and with
``đ``/``đồng``/``vnđ`` after it. Input is folded first (see
:func:`poverty.text.fold`), so the patterns below are written without tone marks.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from poverty.errors import ParseError
from poverty.formatting import format_money
from poverty.i18n import N_
from poverty.text import fold

MAX_MONEY = 1_000_000_000
"""Largest amount accepted (1 tỷ đồng); anything above is taken for a typing mistake."""

_MAX_INPUT = 60
_UNITS: dict[str, int] = {
    "ty": 1_000_000_000,
    "ti": 1_000_000_000,
    "trieu": 1_000_000,
    "tr": 1_000_000,
    "cu": 1_000_000,
    "nghin": 1_000,
    "ngan": 1_000,
    "k": 1_000,
}
_UNIT = r"(?:ty|ti|trieu|tr|cu|nghin|ngan|k)"
_NUMBER = r"[0-9]+(?:[.,][0-9]+)*"
_SUFFIX = re.compile(r"\s*(?:d|dong|vnd|vn d)?\s*(?:/\s*(?:nguoi|ng)\s*)?(?:/\s*(?:thang|th))?$")
_MONEY = re.compile(
    rf"^(?P<number>{_NUMBER})\s*(?P<unit>{_UNIT})?"
    rf"(?:\s*(?P<half>ruoi)|\s*(?P<rest>[0-9]{{1,3}})(?:\s*(?P<rest_unit>{_UNIT}))?)?$"
)
_SPACE_GROUPS = re.compile(r"(?<=[0-9]) (?=[0-9]{3}(?:[^0-9]|$))")
_GROUPED = re.compile(r"^[0-9]{1,3}(?:([.,])[0-9]{3})(?:\1[0-9]{3})*$")
_INTEGER = re.compile(
    r"^(?P<sign>[+-]?)\s*(?P<number>[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+)(?P<unit>.*)$"
)
_UNIT_WORDS = re.compile(r"^(?:\s*(?:[a-z]+|m2|m²))*$")

MONEY_INVALID = N_("Chưa đọc được số tiền. Xin nhập ví dụ: 1.500.000, 1,5 triệu hoặc 800 nghìn.")
MONEY_NEGATIVE = N_("Số tiền không được là số âm.")
MONEY_TOO_LARGE = N_("Số tiền {value} lớn quá mức thường gặp, xin kiểm tra lại.")
INTEGER_INVALID = N_("Chưa đọc được số. Xin nhập một số nguyên, ví dụ: 5.")
INTEGER_RANGE = N_("Xin nhập một số từ {min} đến {max}.")
INTEGER_TOO_SMALL = N_("Xin nhập một số từ {min} trở lên.")
INTEGER_TOO_LARGE = N_("Xin nhập một số không quá {max}.")


def _plain_amount(number: str) -> Decimal | None:
    """Digits with thousands separators (``1.200.000``, ``1,200,000``) or bare digits."""
    if number.isdigit():
        return Decimal(number)
    if _GROUPED.match(number):
        return Decimal(re.sub(r"[.,]", "", number))
    return None


def _scaled_amount(number: str, unit: int) -> Decimal | None:
    """A number in front of a unit: ``1,2`` or ``1.5`` are decimals, ``1.200 nghìn`` is grouped."""
    separators = re.findall(r"[.,]", number)
    if not separators:
        return Decimal(number)
    if len(separators) == 1:
        whole, fraction = re.split(r"[.,]", number)
        if unit < 1_000_000 and len(fraction) == 3:
            return Decimal(whole + fraction)
        return Decimal(f"{whole}.{fraction}")
    return _plain_amount(number)


def parse_money(text: str) -> int:
    """Return the amount of đồng written in ``text``.

    Accepts plain and grouped digits, decimals before a unit (``tỷ``, ``triệu``/
    ``tr``/``củ``, ``nghìn``/``ngàn``/``k``), the spoken compound forms
    ``1tr2`` = ``1 triệu 2`` = 1.200.000, ``1 triệu 200 nghìn`` and
    ``1 triệu rưỡi``, and a trailing ``đ``, ``đồng``, ``vnđ`` or ``/người/tháng``.
    Fractions of a đồng are rounded half up. Raises :class:`ParseError` for
    text that is not an amount, for negative amounts and for amounts above
    :data:`MAX_MONEY` (params ``value`` and ``max``, already formatted).
    """
    folded = fold(text)
    if not folded or len(folded) > _MAX_INPUT:
        raise ParseError(MONEY_INVALID)
    if folded.startswith(("-", "am ")):
        raise ParseError(MONEY_NEGATIVE)
    body = _SUFFIX.sub("", folded.removeprefix("+").strip())
    body = _SPACE_GROUPS.sub("", body)
    match = _MONEY.match(body)
    if match is None:
        raise ParseError(MONEY_INVALID)
    number, unit_word = match["number"], match["unit"]
    unit = _UNITS[unit_word] if unit_word else 1
    amount = _scaled_amount(number, unit) if unit_word else _plain_amount(number)
    if amount is None or (unit == 1 and (match["half"] or match["rest"])):
        raise ParseError(MONEY_INVALID)
    amount *= unit
    if match["half"]:
        amount += Decimal(unit) / 2
    elif match["rest"]:
        rest, rest_unit = match["rest"], match["rest_unit"]
        if rest_unit is None:
            amount += int(rest) * Decimal(unit) / 10 ** len(rest)
        elif _UNITS[rest_unit] < unit and int(rest) * _UNITS[rest_unit] < unit:
            amount += int(rest) * _UNITS[rest_unit]
        else:
            raise ParseError(MONEY_INVALID)
    if amount > MAX_MONEY:
        raise ParseError(
            MONEY_TOO_LARGE, value=format_money(int(amount)), max=format_money(MAX_MONEY)
        )
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def parse_int(text: str, *, min: int | None = None, max: int | None = None) -> int:
    """Return the whole number in ``text`` (``5``, `` 5 ``, ``5 người``, ``30 m2``).

    Trailing unit words are ignored, digits in them are not (``5 hoặc 6`` is
    refused). Raises :class:`ParseError` when there is no number or it falls
    outside ``min``..``max``; the error's params carry ``min`` and ``max`` as ints.
    """
    folded = fold(text)
    match = _INTEGER.match(folded) if len(folded) <= _MAX_INPUT else None
    if match is None or not _UNIT_WORDS.match(match["unit"]):
        raise ParseError(INTEGER_INVALID, min=min, max=max)
    value = int(match["number"].replace(".", ""))
    if match["sign"] == "-":
        value = -value
    too_small = min is not None and value < min
    too_large = max is not None and value > max
    if too_small or too_large:
        if min is not None and max is not None:
            message = INTEGER_RANGE
        elif min is not None:
            message = INTEGER_TOO_SMALL
        else:
            message = INTEGER_TOO_LARGE
        raise ParseError(message, min=min, max=max)
    return value
