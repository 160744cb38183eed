"""``TIEP``: the next page of a reply that was too long for the channel.

A channel that cannot show a reply at once (SMS beyond ``SMS_MAX_PARTS`` parts) sends the first
page ending with :data:`MORE` and keeps the rest (:mod:`storage.kept_pages`). ``TIEP`` (also
``tiếp``, ``xem tiếp``, ``tiếp theo``) then sends the next page, whatever else is going on: a
question waiting stays as it was, so a person can read a question's options on the next page and
answer it. The engine asks :func:`next_page` first, before anything else reads the message.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.flows.messages import IdentityRef, Outbound
from bot.i18n import _, __
from poverty.text import fold
from storage.kept_pages import kept_pages, take_page

MORE = __("(gửi TIEP để xem tiếp)")
NOTHING_LEFT = __("Không còn phần nào để xem tiếp.")
MORE_WORDS = frozenset({"tiep", "xem tiep", "tiep theo", "gui tiep"})


def asks_for_more(text: str) -> bool:
    return fold(text).strip(" .!") in MORE_WORDS


async def next_page(
    session: AsyncSession,
    identity: IdentityRef,
    text: str,
    now: datetime,
    *,
    in_conversation: bool,
) -> list[Outbound] | None:
    """The reply to ``TIEP``: the next kept page, or a note that none is left when the last
    page was already sent and no question waits for an answer. None when ``text`` is not
    ``TIEP`` or nothing was kept: the message is then read as usual (at a question, ``tiếp``
    may be an answer)."""
    if not asks_for_more(text):
        return None
    pages = await kept_pages(session, identity.channel, identity.external_id, now)
    if pages is None:
        return None
    if not pages:
        return None if in_conversation else [Outbound(_(NOTHING_LEFT))]
    page = await take_page(session, identity.channel, identity.external_id, now)
    return [Outbound(str(page))] if page is not None else None
