"""Long replies in pieces a channel accepts (Telegram 4096 characters, Zalo 2000)."""

from __future__ import annotations


def split_text(text: str, limit: int) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, cut between paragraphs, else between
    lines, else between words; a single word longer than the limit is cut where it must be."""
    text = text.strip() or "…"
    pieces: list[str] = []
    while len(text) > limit:
        cut = _cut_point(text, limit)
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    pieces.append(text)
    return [piece for piece in pieces if piece]


def _cut_point(text: str, limit: int) -> int:
    window = text[: limit + 1]
    for separator in ("\n\n", "\n", " "):
        at = window.rfind(separator)
        if at > limit // 4:
            return at
    return limit
