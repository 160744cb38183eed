"""Replies as SMS text: no tone marks, GSM-7 only, compact, within a number of parts.

A feature phone shows plain text, so a question's choices become one numbered line
(``1. Co  2. Khong``) that the person answers with the number; the engine reads ``1`` as the
first option. Several replies to one message are joined line by line into one SMS, blank lines
and runs of spaces are dropped, and a text longer than ``max_parts`` parts (160 characters
for one, 153 each when concatenated) is cut at a word boundary and marked with
:data:`TRUNCATED`. Files (a chart, a table) cannot travel by SMS and are left out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.flows.messages import Outbound
from bot.handlers.sms.gsm7 import PER_PART, SINGLE_PART, septets, to_gsm7

TRUNCATED = "..."
DEFAULT_MAX_PARTS = 2
_SPACES = re.compile(r"[ ]{2,}")
CHOICE_GAP = "  "


def max_septets(max_parts: int) -> int:
    return SINGLE_PART if max_parts <= 1 else PER_PART * max_parts


def render_message(
    text: str, choices: Sequence[str] = (), max_parts: int = DEFAULT_MAX_PARTS
) -> str:
    """One message (text and option labels) as an SMS."""
    return fit(_compact(text, choices), max_parts)


def render_replies(replies: Sequence[Outbound], max_parts: int = DEFAULT_MAX_PARTS) -> str:
    """All replies to one inbound SMS as one SMS; empty when there is nothing to say."""
    blocks = [_compact(r.text, [o.label for o in r.choices]) for r in replies]
    return fit("\n".join(block for block in blocks if block), max_parts)


def fit(text: str, max_parts: int) -> str:
    """``text`` cut to ``max_parts`` parts at a word boundary, with the marker when cut."""
    limit = max_septets(max_parts)
    if septets(text) <= limit:
        return text
    room = limit - septets(TRUNCATED)
    kept: list[str] = []
    used = 0
    for char in text:
        used += septets(char)
        if used > room:
            break
        kept.append(char)
    head = "".join(kept)
    boundary = max(head.rfind(" "), head.rfind("\n"))
    if boundary >= len(head) - 20:
        head = head[:boundary]
    return head.rstrip(" \n.,;:-") + TRUNCATED


def _compact(text: str, choices: Sequence[str]) -> str:
    lines = [_SPACES.sub(" ", line).strip() for line in to_gsm7(text).splitlines()]
    if choices:
        labels = [_SPACES.sub(" ", to_gsm7(label)).strip() for label in choices]
        lines.append(CHOICE_GAP.join(f"{n}. {label}" for n, label in enumerate(labels, 1)))
    return "\n".join(line for line in lines if line)
