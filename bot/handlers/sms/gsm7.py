"""The GSM-7 default alphabet (3GPP TS 23.038) and how long a text is in it.

A text made only of these characters travels as GSM-7: 160 characters in one SMS, 153 per part
when concatenated. One character outside the table turns the whole message into UCS-2 (70/67
per part), so every SMS is forced into the table before sending: Vietnamese tone marks are
stripped first (:func:`poverty.text.strip_marks`), typographic punctuation gets its ASCII
equivalent, and anything else (emoji, symbols) is dropped.
"""

from __future__ import annotations

import unicodedata

from poverty.text import strip_marks

BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
EXTENDED = frozenset("^{}\\[~]|€")
"""Sent as an escape plus the character: each counts as two septets."""

SINGLE_PART = 160
PER_PART = 153

REPLACEMENTS = {
    "“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "‚": "'",
    "′": "'", "″": '"', "…": "...", "–": "-", "—": "-", "−": "-", "‐": "-", "•": "-",
    "·": "-", "→": "->", "←": "<-", "×": "x", "\t": " ", "\u00a0": " ", "\u202f": " ",
    "°": " do", "½": "1/2", "≤": "<=", "≥": ">=", "✓": "v", "✔": "v",
}  # fmt: skip


def to_gsm7(text: str) -> str:
    """``text`` without tone marks and with every character in the GSM-7 alphabet."""
    plain = strip_marks(text)
    kept: list[str] = []
    for char in plain:
        if char in BASIC or char in EXTENDED:
            kept.append(char)
        elif char in REPLACEMENTS:
            kept.append(REPLACEMENTS[char])
        elif unicodedata.category(char) == "Zs":
            kept.append(" ")
        else:
            # Latin letters with marks strip_marks left (Ø is kept above), then nothing.
            ascii_form = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
            kept.append("".join(c for c in ascii_form if c in BASIC))
    return "".join(kept)


def is_gsm7(text: str) -> bool:
    return all(char in BASIC or char in EXTENDED for char in text)


def septets(text: str) -> int:
    """Length in septets: extended characters count twice."""
    return sum(2 if char in EXTENDED else 1 for char in text)


def parts_needed(text: str) -> int:
    """How many SMS a GSM-7 text takes (0 for an empty one)."""
    length = septets(text)
    if length <= SINGLE_PART:
        return 1 if length else 0
    return -(-length // PER_PART)


def split_parts(text: str) -> list[str]:
    """The parts a gateway sends ``text`` as; an escaped character never straddles two."""
    if septets(text) <= SINGLE_PART:
        return [text] if text else []
    parts: list[str] = []
    current: list[str] = []
    used = 0
    for char in text:
        size = 2 if char in EXTENDED else 1
        if used + size > PER_PART:
            parts.append("".join(current))
            current, used = [], 0
        current.append(char)
        used += size
    if current:
        parts.append("".join(current))
    return parts
