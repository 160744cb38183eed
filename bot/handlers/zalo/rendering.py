"""Engine replies as Zalo consultation messages (reference/channels.md §2.2).

Text is cut into pieces of at most 2,000 characters. Choices become quick-reply buttons
(``oa.query.hide``: a press sends the payload back as a message from the person, without showing
it) under the last piece; the payload is the option key, exactly what a person would type, so
the engine never learns which channel it talks to. A key made of digits only would be read as
the option's position, and a long key may not fit, so those send the option's number instead.
More options than Zalo shows as buttons are written as numbered lines, which every choice
accepts. Replies to a message quote it (``quote_message_id``): Zalo counts a quoted reply as a
reply, not as a proactive message.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.flows.messages import Option
from bot.handlers import splitting

MAX_TEXT = 2000
MAX_BUTTONS = 5
MAX_TITLE = 100
MAX_PAYLOAD = 64

Message = dict[str, Any]


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, cut where a reader would."""
    return splitting.split_text(text, limit)


def payload(option: Option, number: int) -> str:
    """What the button sends back: the option key, or its number."""
    key = option.key
    if key and not key.isdigit() and len(key) <= MAX_PAYLOAD:
        return key
    return str(number)


def buttons(options: Sequence[Option]) -> list[dict[str, str]]:
    return [
        {
            "title": (option.label or option.key)[:MAX_TITLE],
            "type": "oa.query.hide",
            "payload": payload(option, number),
        }
        for number, option in enumerate(options, 1)
    ]


def numbered(options: Sequence[Option]) -> str:
    return "\n".join(f"{number}. {option.label}" for number, option in enumerate(options, 1))


def messages(
    text: str, options: Sequence[Option] = (), *, quote: str | None = None
) -> list[Message]:
    """The ``message`` objects to send, in order, for one reply."""
    with_buttons = 0 < len(options) <= MAX_BUTTONS
    if options and not with_buttons:
        text = f"{text.rstrip()}\n{numbered(options)}"
    pieces = split_text(text)
    out: list[Message] = []
    for number, piece in enumerate(pieces, 1):
        message: Message = {"text": piece}
        if quote:
            message["quote_message_id"] = quote
        if with_buttons and number == len(pieces):
            message["attachment"] = {"type": "template", "payload": {"buttons": buttons(options)}}
        out.append(message)
    return out


def request_info_message(title: str, subtitle: str, image_url: str | None = None) -> Message:
    """The request to share name and phone number (``template_type: "request_user_info"``,
    reference/channels.md §2.2); the person's answer comes back as ``user_submit_info``."""
    element = {"title": title[:MAX_TITLE], "subtitle": subtitle}
    if image_url:
        element["image_url"] = image_url
    return {
        "attachment": {
            "type": "template",
            "payload": {"template_type": "request_user_info", "elements": [element]},
        }
    }
