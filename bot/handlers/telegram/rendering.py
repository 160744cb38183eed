"""Engine replies in Telegram's shapes: text cut to the 4,096-character limit, choices as an
inline keyboard whose callback data fits in 64 bytes.

More than :data:`PAGE_SIZE` options are shown a page at a time, with a last row ``◀ 2/12 ▶``
whose buttons send :data:`PAGE_PREFIX` and a page number; the router redraws the keyboard from
the options kept for that message (:mod:`~bot.handlers.telegram.paging`). Every option keeps its
number in the whole list, so a pick on any page reaches the engine as that option.

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
PAGE_SIZE = 8
PAGE_PREFIX = "trang:"
"""Callback data of the page buttons; an option key that starts with it sends its number."""
PREVIOUS = "◀"
NEXT = "▶"


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, cut where a reader would."""
    return splitting.split_text(text, limit)


def callback_data(option: Option, number: int) -> str:
    """What the button sends back: the option key, or its number when the key is too long."""
    key = option.key
    if (
        key
        and not key.isdigit()
        and not key.startswith(PAGE_PREFIX)
        and len(key.encode("utf-8")) <= MAX_CALLBACK_BYTES
    ):
        return key
    return str(number)


def is_paged(options: Sequence[Option]) -> bool:
    return len(options) > PAGE_SIZE


def page_count(options: Sequence[Option]) -> int:
    return max(1, -(-len(options) // PAGE_SIZE))


def keyboard(
    options: Sequence[Option], page: int = 0, *, paged: bool = True
) -> InlineKeyboardMarkup | None:
    """The options as inline buttons, in order; None when there are none. A long list shows
    page ``page`` (from 0; clamped) and the row that turns pages, unless ``paged`` is False
    (where the options cannot be kept for a page turn: every button is shown)."""
    if not options:
        return None
    numbered = list(enumerate(options, 1))
    nav: list[InlineKeyboardButton] = []
    if paged and is_paged(options):
        pages = page_count(options)
        page = min(max(page, 0), pages - 1)
        numbered = numbered[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
        if page > 0:
            nav.append(_page_button(PREVIOUS, page - 1))
        nav.append(_page_button(f"{page + 1}/{pages}", page))
        if page < pages - 1:
            nav.append(_page_button(NEXT, page + 1))
    buttons = [
        InlineKeyboardButton(
            text=option.label[:64] or option.key, callback_data=callback_data(option, i)
        )
        for i, option in numbered
    ]
    per_row = 2 if all(len(o.label) <= SHORT_LABEL for _, o in numbered) else 1
    rows = [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]
    if nav:
        rows.append(nav)
    return InlineKeyboardMarkup(inline_keyboard=rows)


def _page_button(text: str, page: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=f"{PAGE_PREFIX}{page}")


def page_turn(data: str) -> int | None:
    """The page a page button asks for; None for any other callback data."""
    if not data.startswith(PAGE_PREFIX):
        return None
    number = data.removeprefix(PAGE_PREFIX)
    return int(number) if number.isdigit() and len(number) < 6 else None


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
