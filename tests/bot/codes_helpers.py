"""Sending compact codes through the engine and checking that each reply fits two SMS."""

from __future__ import annotations

from bot.flows.engine import Engine
from bot.flows.messages import IdentityRef, Inbound
from poverty.text import strip_marks

SMS_LIMIT = 300
"""Two SMS parts of 153 characters, once tone marks are stripped."""


async def ask(
    bot: Engine, who: IdentityRef, text: str, update_id: str | None = None, *, short: bool = True
) -> str:
    """The replies to ``text`` as one text; unless ``short`` is False (a policy card, which SMS
    sends in pages), on every channel it must fit two SMS."""
    replies = await bot.handle(Inbound(who, text, update_id))
    joined = "\n".join(reply.text for reply in replies)
    assert all(not reply.choices for reply in replies), joined
    if short:
        assert len(strip_marks(joined)) <= SMS_LIMIT, joined
    return joined
