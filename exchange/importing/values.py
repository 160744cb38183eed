"""Reading one cell of the import format: the accepted spellings of each kind of value.

Every reader takes the stripped text of a cell and returns the value, or raises
:class:`~poverty.import_issues.CellError` with a short Vietnamese reason. Words are matched by
:func:`poverty.text.slug`, so ``Hộ nghèo``, ``ho ngheo`` and ``HO_NGHEO`` are the same; the exact
canonical spelling is looked up first because it is what most files contain.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

from poverty.errors import ParseError
from poverty.i18n import N_
from poverty.import_issues import CellError, quoted
from poverty.parsing import MAX_MONEY, parse_int, parse_money
from poverty.plausibility import income_problem
from poverty.text import normalize_phone, slug

MISSING = N_("Chưa điền, đây là cột bắt buộc.")
TOO_LONG = N_("Dài quá {max} ký tự.")
CONTROL_CHARACTERS = N_("Có ký tự điều khiển không in được; hãy gõ lại ô này.")
NOT_A_NUMBER = N_("“{value}” không phải là số.")
OUT_OF_RANGE = N_("{value} nằm ngoài khoảng cho phép, từ {min} đến {max}.")
NOT_ACCEPTED = N_("“{value}” không hợp lệ; chỉ nhận: {accepted}.")
NOT_YES_NO = N_("“{value}” không hợp lệ; chỉ nhận: 1, 0, có, không, x.")
NOT_DEPRIVATION = N_("“{value}” không hợp lệ; chỉ nhận: 1, 0, để trống.")
NOT_A_PHONE = N_("“{value}” không phải là số điện thoại Việt Nam hợp lệ.")

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _words(canonical: Mapping[str, tuple[str, ...]]) -> Mapping[str, str]:
    """Spelling → canonical value, for every canonical value and its other spellings."""
    table = {value: value for value in canonical}
    for value, spellings in canonical.items():
        table.update(dict.fromkeys(spellings, value))
    return MappingProxyType(table)


AREA_WORDS = _words({"nong_thon": (), "thanh_thi": ("do_thi",)})
STATUS_WORDS = _words(
    {
        "ngheo": ("ho_ngheo",),
        "can_ngheo": ("ho_can_ngheo",),
        "trung_binh": ("ho_trung_binh", "muc_song_trung_binh", "ho_co_muc_song_trung_binh"),
        "khong": ("khong_ngheo", "ho_khong_ngheo"),
    }
)
GROUP_WORDS = _words({"bao_tro_xa_hoi": ("btxh",), "chinh_sach_giam_ngheo": ("csgn",)})
YES_NO_WORDS: Mapping[str, bool] = MappingProxyType(
    {"1": True, "x": True, "co": True, "0": False, "khong": False}
)


def text(raw: str, *, max_length: int, required: bool = False) -> str | None:
    """A free-text value (names, codes): no control characters, at most ``max_length`` long.
    Emoji and any other printable character are kept as typed."""
    if not raw:
        if required:
            raise CellError(MISSING)
        return None
    if len(raw) > max_length:
        raise CellError(TOO_LONG, {"max": max_length})
    if _CONTROL.search(raw):
        raise CellError(CONTROL_CHARACTERS)
    return raw


def integer(raw: str, *, low: int, high: int, required: bool = False) -> int | None:
    """A whole number between ``low`` and ``high``; ``5 người`` and ``5.0`` read as 5."""
    if not raw:
        if required:
            raise CellError(MISSING)
        return None
    if raw.isascii() and raw.isdigit():
        value = int(raw)
    else:
        try:
            value = parse_int(raw)
        except ParseError:
            raise CellError(NOT_A_NUMBER, {"value": quoted(raw)}) from None
    if not low <= value <= high:
        raise CellError(OUT_OF_RANGE, {"value": value, "min": low, "max": high})
    return value


def choice(raw: str, words: Mapping[str, str]) -> str | None:
    """One of a closed set of values, in any of its spellings; blank gives None."""
    if not raw:
        return None
    value = words.get(raw) or words.get(slug(raw))
    if value is None:
        accepted = ", ".join(sorted(set(words.values())))
        raise CellError(NOT_ACCEPTED, {"value": quoted(raw), "accepted": accepted})
    return value


def _yes_no_word(raw: str, error: str) -> bool:
    value = YES_NO_WORDS.get(raw)
    if value is None:
        value = YES_NO_WORDS.get(slug(raw))
    if value is None:
        raise CellError(error, {"value": quoted(raw)})
    return value


def yes_no(raw: str) -> bool:
    """``1``/``có``/``x`` or ``0``/``không``; blank is no."""
    return _yes_no_word(raw, NOT_YES_NO) if raw else False


def deprivation(raw: str) -> bool | None:
    """``1`` deprived, ``0`` not, blank unknown (``có``/``không``/``x`` also read)."""
    return _yes_no_word(raw, NOT_DEPRIVATION) if raw else None


def money(raw: str) -> int | None:
    """An amount in đồng as :func:`poverty.parsing.parse_money` reads it; blank gives None."""
    if not raw:
        return None
    if raw.isascii() and raw.isdigit() and int(raw) <= MAX_MONEY:
        return int(raw)
    try:
        return parse_money(raw)
    except ParseError as error:
        raise CellError(error.message, error.params) from None


def income(raw: str) -> int | None:
    """An income per person per month (:func:`money`) that can be true
    (:func:`poverty.plausibility.income_problem`: not a figure typed in thousands)."""
    amount = money(raw)
    problem = income_problem(amount) if amount is not None else None
    if problem is not None:
        raise CellError(problem.message, problem.params)
    return amount


def phone(raw: str) -> str | None:
    """A Vietnamese phone number in ``+84…`` form; blank gives None."""
    if not raw:
        return None
    normalised = normalize_phone(raw)
    if normalised is None:
        raise CellError(NOT_A_PHONE, {"value": quoted(raw)})
    return normalised
