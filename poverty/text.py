"""Vietnamese text folding, slugs and phone numbers.

Cadres type on phone keyboards with or without tone marks, in any case, and
SMS arrives without diacritics; every comparison therefore goes through
:func:`fold`, so ``Có``, ``co`` and ``CO`` are the same answer and ``ho ngheo``
finds ``hộ nghèo``.
"""

from __future__ import annotations

import re
import unicodedata

_LETTER_D = str.maketrans({"đ": "d", "ð": "d"})
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_PHONE_SEPARATORS = re.compile(r"[\s.\-()/]+")
_MOBILE_FIRST_DIGITS = frozenset("35789")
_MAX_PHONE_TEXT = 40


def _fold_once(text: str) -> str:
    text = unicodedata.normalize("NFC", text).casefold()
    text = unicodedata.normalize("NFD", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    text = unicodedata.normalize("NFC", text.translate(_LETTER_D))
    return " ".join(text.split())


def fold(text: str) -> str:
    """Return ``text`` ready for matching.

    NFC-normalised (NFD input is accepted), case-folded, tone marks and other
    diacritics removed, ``đ``/``Đ`` turned into ``d``, runs of whitespace
    collapsed to one space and the ends stripped. ``fold("  Hộ  NGHÈO ")`` is
    ``"ho ngheo"``. Folding a folded text changes nothing.
    """
    if text.isascii():  # most replies ("co", "5", "TL00001"): nothing to normalise
        return " ".join(text.lower().split())
    folded = _fold_once(text)
    again = _fold_once(folded)
    while again != folded:
        folded, again = again, _fold_once(again)
    return folded


def without_nul(text: str) -> str:
    """``text`` with every NUL character turned into a space.

    PostgreSQL cannot hold NUL in text, not even as a query parameter, so typed text that is
    looked up in the database (a unit name, a household name or code) passes through here.
    """
    return text.replace("\x00", " ")


def strip_marks(text: str) -> str:
    """Return ``text`` without tone marks or other diacritics, case and spacing kept.

    ``đ``/``Đ`` have no Unicode decomposition, so they are mapped to ``d``/``D`` by hand:
    ``strip_marks("Đường Hồ Chí Minh")`` is ``"Duong Ho Chi Minh"``. Used for SMS, which is
    sent without tone marks so that a message stays in the 160-character GSM-7 alphabet.
    """
    text = unicodedata.normalize("NFC", text).replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize(
        "NFC", "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    )


def slug(text: str) -> str:
    """Return an ASCII snake_case key for ``text``: ``"Mã hộ"`` gives ``"ma_ho"``.

    Used to match file headers written with or without tone marks or spaces
    against the column names of the import format. Characters other than
    ASCII letters and digits (after folding) become separators.
    """
    return _NON_ALNUM.sub("_", fold(text)).strip("_")


def normalize_phone(text: str) -> str | None:
    """Return a Vietnamese phone number in E.164 form (``+84912345678``), or None.

    Accepted forms: ``0912 345 678``, ``0912.345.678``, ``+84 912 345 678``,
    ``84912345678``, ``0084912345678``, ``+84 0912…`` and the bare national
    number that spreadsheets leave when they drop the leading zero
    (``912345678``). The national number must be a mobile number (9 digits
    starting with 3, 5, 7, 8 or 9) or a fixed line (10 digits starting with 2,
    the area codes in force since 2017); anything else gives None.
    """
    cleaned = _PHONE_SEPARATORS.sub("", text.strip())
    if not cleaned or len(cleaned) > _MAX_PHONE_TEXT:
        return None
    international = cleaned.startswith("+")
    digits = cleaned[1:] if international else cleaned
    if not digits.isascii() or not digits.isdigit():
        return None
    if international:
        if not digits.startswith("84"):
            return None
        national = digits[2:]
    elif digits.startswith("0084"):
        national = digits[4:]
    elif digits.startswith("0"):
        national = digits[1:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        national = digits[2:]
    else:
        national = digits
    if national.startswith("0"):
        national = national[1:]
    is_mobile = len(national) == 9 and national[0] in _MOBILE_FIRST_DIGITS
    is_fixed_line = len(national) == 10 and national[0] == "2"
    if not (is_mobile or is_fixed_line):
        return None
    return f"+84{national}"
