"""Engine replies in Telegram's shapes: text cut to the 4,096-character limit, choices as an
inline keyboard whose callback data fits in 64 bytes.

A button sends its option key, exactly what a person would type, so the engine never learns
which channel it talks to. A key longer than 64 bytes in UTF-8, or made of digits only (a
choice reads a bare number as the option's position, so the key ``5`` of the second option
would pick the fifth), is replaced by the option's number, which every choice accepts.
"""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.flows.messages import Option
from bot.handlers import splitting

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_BYTES = 64
SHORT_LABEL = 14
"""Buttons with labels this short go two to a row; longer ones get a row each."""


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, cut where a reader would."""
    return splitting.split_text(text, limit)


def callback_data(option: Option, number: int) -> str:
    """What the button sends back: the option key, or its number when the key is too long."""
    key = option.key
    if key and not key.isdigit() and len(key.encode("utf-8")) <= MAX_CALLBACK_BYTES:
        return key
    return str(number)


def keyboard(options: Sequence[Option]) -> InlineKeyboardMarkup | None:
    """The options as inline buttons, in order; None when there are none."""
    if not options:
        return None
    buttons = [
        InlineKeyboardButton(
            text=option.label[:64] or option.key, callback_data=callback_data(option, i)
        )
        for i, option in enumerate(options, 1)
    ]
    per_row = 2 if all(len(o.label) <= SHORT_LABEL for o in options) else 1
    rows = [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def pressed_label(markup: InlineKeyboardMarkup | None, data: str) -> str | None:
    """The label of the button that sent ``data``, read back from the message's keyboard."""
    if markup is None:
        return None
    for row in markup.inline_keyboard:
        for button in row:
            if button.callback_data == data:
                return button.text
    return None


def command_text(text: str) -> str:
    """``/kiemtra@TroLyBot TL00001`` → ``/kiemtra TL00001`` (the bot's name is dropped)."""
    if not text.startswith("/"):
        return text
    head, _, rest = text.partition(" ")
    command = head.split("@", 1)[0]
    return f"{command} {rest}".strip() if rest else command
