"""Replies as SMS text: no tone marks, GSM-7 only, compact, in pages of a number of parts.

A feature phone shows plain text, so a question's choices become one numbered line
(``1. Co  2. Khong``) that the person answers with the number; the engine reads ``1`` as the
first option. Several replies to one message are joined line by line into one SMS and blank
lines are dropped. Nothing is cut: a text longer than ``max_parts`` parts (160 characters for
one, 153 each when concatenated) is split into pages that each fit, every page but the last
ending with the ``more`` line (“(gui TIEP de xem tiep)”); the caller sends the first and keeps
the rest for ``TIEP``. Pages break between lines where a line fits on a page, else between
words, and a list of options between two options, so a question always comes before its
options. Rendering a rendered page changes nothing, so the sender can render every outbox row.
Files (a chart, a table) cannot travel by SMS and are left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.flows.messages import Outbound
from bot.handlers.sms.gsm7 import PER_PART, SINGLE_PART, septets, to_gsm7

DEFAULT_MAX_PARTS = 2
CHOICE_GAP = "  "


@dataclass(frozen=True)
class _Line:
    """One line of the SMS as the pieces it may be broken between."""

    pieces: tuple[str, ...]
    joiner: str

    @property
    def text(self) -> str:
        return self.joiner.join(self.pieces)


def max_septets(max_parts: int) -> int:
    return SINGLE_PART if max_parts <= 1 else PER_PART * max_parts


def render_message(
    text: str, choices: Sequence[str] = (), max_parts: int = DEFAULT_MAX_PARTS, more: str = ""
) -> list[str]:
    """One message (text and option labels) as SMS pages; empty when there is nothing."""
    return _pages([*_text_lines(text), *_choice_lines(choices)], max_parts, more)


def render_replies(
    replies: Sequence[Outbound], max_parts: int = DEFAULT_MAX_PARTS, more: str = ""
) -> list[str]:
    """All replies to one inbound SMS as SMS pages; empty when there is nothing to say."""
    lines: list[_Line] = []
    for reply in replies:
        lines += _text_lines(reply.text)
        lines += _choice_lines([option.label for option in reply.choices])
    return _pages(lines, max_parts, more)


def _pages(lines: list[_Line], max_parts: int, more: str) -> list[str]:
    limit = max_septets(max_parts)
    whole = "\n".join(line.text for line in lines)
    if septets(whole) <= limit:
        return [whole] if whole else []
    marker = " ".join(to_gsm7(more).split())
    room = limit - (septets(marker) + 1 if marker else 0)
    pages = _pack(lines, room)
    if not marker:
        return pages
    return [f"{page}\n{marker}" for page in pages[:-1]] + pages[-1:]


def _pack(lines: list[_Line], room: int) -> list[str]:
    """The lines in pages of at most ``room`` septets each."""
    pages: list[str] = []
    page: list[str] = []

    def fits(candidate: str) -> bool:
        return septets("\n".join([*page, candidate])) <= room

    def close() -> None:
        if page:
            pages.append("\n".join(page))
            page.clear()

    for line in lines:
        if fits(line.text):
            page.append(line.text)
            continue
        if septets(line.text) <= room:  # fits on a page of its own: not broken
            close()
            page.append(line.text)
            continue
        current = ""
        for piece in line.pieces:
            candidate = f"{current}{line.joiner}{piece}" if current else piece
            if fits(candidate):
                current = candidate
                continue
            if current:
                page.append(current)
            close()
            *whole_pages, current = _hard_split(piece, room)
            pages.extend(whole_pages)
        if current:
            page.append(current)
    close()
    return pages


def _hard_split(piece: str, room: int) -> list[str]:
    """A piece longer than a page (a word without spaces) in chunks that fit."""
    if septets(piece) <= room:
        return [piece]
    chunks: list[str] = []
    current = ""
    for char in piece:
        if septets(current + char) > room:
            chunks.append(current)
            current = ""
        current += char
    return [*chunks, current] if current else chunks


def _text_lines(text: str) -> list[_Line]:
    lines = [line.strip() for line in to_gsm7(text).splitlines()]
    return [_Line(tuple(line.split(" ")), " ") for line in lines if line]


def _choice_lines(labels: Sequence[str]) -> list[_Line]:
    plain = [" ".join(to_gsm7(label).split()) for label in labels]
    entries = tuple(f"{n}. {label}".strip() for n, label in enumerate(plain, 1))
    return [_Line(entries, CHOICE_GAP)] if entries else []
