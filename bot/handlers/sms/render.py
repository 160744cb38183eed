"""Replies as SMS text: no tone marks, GSM-7 only, compact, within a number of parts.

A feature phone shows plain text, so a question's choices become one numbered line
(``1. Co  2. Khong``) that the person answers with the number; the engine reads ``1`` as the
first option. Several replies to one message are joined line by line into one SMS and blank
lines are dropped. A text longer than ``max_parts`` parts (160 characters for one, 153 each
when concatenated) is cut at a word boundary and marked with :data:`TRUNCATED`; the options of
the question being asked are kept whole, since they are what the person answers. Rendering
rendered text changes nothing, so the sender can render every outbox row. Files (a chart, a
table) cannot travel by SMS and are left out.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.flows.messages import Outbound
from bot.handlers.sms.gsm7 import PER_PART, SINGLE_PART, septets, to_gsm7

TRUNCATED = "..."
DEFAULT_MAX_PARTS = 2
CHOICE_GAP = "  "
MIN_BODY = 40
"""Below this room for the text, the options are cut with it rather than kept whole."""


def max_septets(max_parts: int) -> int:
    return SINGLE_PART if max_parts <= 1 else PER_PART * max_parts


def render_message(
    text: str, choices: Sequence[str] = (), max_parts: int = DEFAULT_MAX_PARTS
) -> str:
    """One message (text and option labels) as an SMS."""
    return _fit_with_choices(_compact(text), _choices_line(choices), max_parts)


def render_replies(replies: Sequence[Outbound], max_parts: int = DEFAULT_MAX_PARTS) -> str:
    """All replies to one inbound SMS as one SMS; empty when there is nothing to say. The
    options of the last reply (the question now asked) are kept whole when the text is cut."""
    blocks: list[str] = []
    last_choices = ""
    for number, reply in enumerate(replies, 1):
        blocks.append(_compact(reply.text))
        line = _choices_line([option.label for option in reply.choices])
        if number == len(replies):
            last_choices = line
        else:
            blocks.append(line)
    body = "\n".join(block for block in blocks if block)
    return _fit_with_choices(body, last_choices, max_parts)


def _fit_with_choices(body: str, choices: str, max_parts: int) -> str:
    limit = max_septets(max_parts)
    whole = "\n".join(part for part in (body, choices) if part)
    if septets(whole) <= limit or not choices:
        return _cut(whole, limit)
    room = limit - septets(choices) - 1
    if room < MIN_BODY:
        return _cut(whole, limit)
    return "\n".join(part for part in (_cut(body, room), choices) if part)


def _cut(text: str, limit: int) -> str:
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


def _compact(text: str) -> str:
    lines = [line.strip() for line in to_gsm7(text).splitlines()]
    return "\n".join(line for line in lines if line)


def _choices_line(labels: Sequence[str]) -> str:
    plain = [" ".join(to_gsm7(label).split()) for label in labels]
    return CHOICE_GAP.join(f"{n}. {label}" for n, label in enumerate(plain, 1)).strip()
