"""Who is never answered by SMS: operators, brandnames, short codes and auto-replies.

Only a Vietnamese mobile number can be a person using the assistant. An alphanumeric sender
(``Viettel``, ``VNPT``), a short code (``1414``, ``9029``) or a fixed line is the network or a
service writing, and answering it could start an endless exchange of automatic messages.
The same goes for texts that read like automatic replies (balance notices, "the subscriber
cannot be reached", out-of-office notes), whoever sends them.
"""

from __future__ import annotations

from poverty.text import fold, normalize_phone

MOBILE_DIGITS = 12
"""``+84`` and a nine-digit national number; fixed lines have ten."""

AUTO_REPLY_MARKS = (
    "tin nhan tu dong",
    "tra loi tu dong",
    "auto reply",
    "auto-reply",
    "autoreply",
    "automatic reply",
    "out of office",
    "thue bao quy khach",
    "thue bao ban vua goi",
    "tai khoan chinh",
    "tk chinh",
    "so du tai khoan",
    "quy khach da dang ky",
    "cam on quy khach da su dung",
    "khong lien lac duoc",
    "tam thoi khong lien lac",
)
"""Folded fragments (no tone marks, lower case) that mark a text as automatic."""


def mobile_number(sender: str) -> str | None:
    """The sender in E.164 form when it is a Vietnamese mobile number, else None."""
    phone = normalize_phone(sender)
    if phone is None or len(phone) != MOBILE_DIGITS:
        return None
    return phone


def is_auto_reply(text: str) -> bool:
    folded = fold(text)
    return any(mark in folded for mark in AUTO_REPLY_MARKS)
