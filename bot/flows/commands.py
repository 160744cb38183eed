"""Words that work at every step, matched after folding: cancel, back, help and menu.

``/huy``, ``huy``, ``hủy``, ``huỷ``, ``thôi``, ``/cancel``; ``/quaylai``, ``quay lai``,
``/back``; ``/giup``, ``giúp``, ``/help``; ``/start``, ``menu``, ``xin chào``. Folding makes
the accented, unaccented and upper-case forms the same.
"""

from __future__ import annotations

from typing import Literal

from poverty.text import fold

Command = Literal["cancel", "back", "help", "menu"]

COMMANDS: dict[str, Command] = {
    **dict.fromkeys(
        ("/huy", "huy", "/cancel", "cancel", "huy bo", "/huybo", "thoi", "thoi a", "thoi nhe"),
        "cancel",
    ),
    **dict.fromkeys(("/quaylai", "quay lai", "quaylai", "/back", "back"), "back"),
    **dict.fromkeys(("/giup", "giup", "giup do", "tro giup", "/help", "help", "?"), "help"),
    **dict.fromkeys(
        ("/start", "start", "/menu", "menu", "xin chao", "chao", "hello", "hi", "bat dau"),
        "menu",
    ),
}


def command_of(text: str) -> Command | None:
    """The command ``text`` is, if it is one (trailing ``.``/``!`` ignored)."""
    return COMMANDS.get(fold(text).strip(" .!"))
