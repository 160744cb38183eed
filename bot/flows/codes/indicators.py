"""Naming an indicator in a code: by its number in the order of the standard in force (the
order of the ``KT`` digits), or by a short name typed with or without tone marks or spaces
(``nuoc``, ``viec lam``, ``vieclam``, ``bhyt``, ``Nhà tiêu``)."""

from __future__ import annotations

from collections.abc import Sequence

from poverty.errors import InvalidInputError
from poverty.i18n import N_
from poverty.standards import Indicator, Standard, all_standards
from poverty.text import fold

UNKNOWN = N_("Không rõ chỉ số này; gõ số 1-{count} theo thứ tự của KT hoặc tên ngắn.")
NO_NUMBER = N_("Không có chỉ số số {number}; chuẩn hiện hành có {count} chỉ số.")
AMBIGUOUS = N_("Tên này khớp nhiều chỉ số (số {numbers}); xin gõ số thứ tự.")

ALIASES: dict[str, str] = {
    "bao hiem y te": "bhyt",
    "bao hiem": "bhyt",
    "the bhyt": "bhyt",
    "ve sinh": "nha_tieu",
    "nha ve sinh": "nha_tieu",
    "dien thoai": "vien_thong",
    "internet": "vien_thong",
    "hoc": "di_hoc_tre_em",
    "di hoc": "di_hoc_tre_em",
    "nuoc": "nuoc_sinh_hoat",
    "nha": "chat_luong_nha_o",
    "nha o": "chat_luong_nha_o",
    "dien tich": "dien_tich_nha_o",
    "y te": "tiep_can_y_te",
    "thong tin": "tiep_can_thong_tin",
    "phu thuoc": "nguoi_phu_thuoc",
    "giao duc": "giao_duc_nguoi_lon",
}
"""Short words people use for an indicator, folded. Where a word could mean two indicators the
more common one is taken (``nhà`` is the quality of the house; its area is ``dien tich``)."""


def _names(indicator: Indicator) -> tuple[str, ...]:
    """The folded ways to write an indicator: its code as words and its name."""
    return (indicator.code.replace("_", " "), fold(indicator.name))


def _compact(text: str) -> str:
    return text.replace(" ", "")


def find_indicator(text: str, standard: Standard) -> Indicator:
    """The indicator ``text`` names; numbers follow ``standard``'s order, names are looked up
    in ``standard`` first, then in the other standards (older follow-ups)."""
    folded = fold(text)
    count = len(standard.indicators)
    if folded.isascii() and folded.isdigit():
        number = int(folded)
        if not 1 <= number <= count:
            raise InvalidInputError(NO_NUMBER, number=number, count=count)
        return standard.indicators[number - 1]
    others = [
        i
        for s in all_standards()
        for i in s.indicators
        if i.code not in standard.codes and s.id != standard.id
    ]
    candidates: list[Indicator] = [*standard.indicators, *others]
    alias = ALIASES.get(folded)
    exact = [
        i
        for i in candidates
        if i.code == alias or _compact(folded) in (_compact(n) for n in _names(i))
    ]
    if exact:
        return exact[0]
    partial = _unique_codes(
        [
            i
            for i in candidates
            if any(
                f" {n} ".find(f" {folded} ") >= 0 or _compact(n).startswith(_compact(folded))
                for n in _names(i)
            )
        ]
    )
    if len(partial) == 1:
        return partial[0]
    if len(partial) > 1:
        numbers = [
            str(standard.codes.index(i.code) + 1) for i in partial if i in standard.indicators
        ]
        raise InvalidInputError(AMBIGUOUS, numbers=", ".join(numbers) or "?")
    raise InvalidInputError(UNKNOWN, count=count)


def _unique_codes(indicators: Sequence[Indicator]) -> list[Indicator]:
    seen: dict[str, Indicator] = {}
    for indicator in indicators:
        seen.setdefault(indicator.code, indicator)
    return list(seen.values())
