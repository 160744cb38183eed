"""The rest of a long SMS reply, kept for ``TIEP`` (:mod:`bot.flows.more`).

A reply is split into pages by :mod:`~bot.handlers.sms.render`; the first is sent and the others
are kept for the number (:mod:`storage.kept_pages`) for ``keep`` (3 days by default, like an
unfinished conversation; ``SMS_PAGES_KEEP_HOURS``). A reply to a message keeps its rest in
the message's transaction; a reminder or digest the dispatcher sends keeps it once the gateway
has taken the first page. A newer long reply replaces the rest; a short one leaves it, so a
mentor can answer one task of a digest with a code and then ask for the rest of the digest.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows.more import MORE
from bot.i18n import DEFAULT_LANGUAGE, _, language
from storage.kept_pages import keep_pages

CHANNEL = "sms"
DEFAULT_KEEP = timedelta(days=3)

log = logging.getLogger(__name__)


def more_line() -> str:
    """The line that ends every page but the last, in the default language."""
    with language(DEFAULT_LANGUAGE):
        return _(MORE)


async def keep_rest(
    session: AsyncSession,
    phone: str,
    pages: Sequence[str],
    now: datetime,
    keep: timedelta = DEFAULT_KEEP,
) -> None:
    """Keep every page after the first for ``TIEP``; nothing when the reply is one page."""
    if len(pages) > 1:
        await keep_pages(session, CHANNEL, phone, pages[1:], now, keep)


@dataclass(frozen=True)
class PageStore:
    """What the outbound client needs to keep the rest of a reminder it sends."""

    sessions: async_sessionmaker[AsyncSession]
    clock: Callable[[], datetime]
    keep: timedelta = DEFAULT_KEEP

    async def keep_rest(self, phone: str, pages: Sequence[str]) -> None:
        """Keep the rest after the first page was sent. A database failure here must not make
        the sent page count as failed (it would be sent again): it is only logged."""
        if len(pages) <= 1:
            return
        try:
            async with self.sessions() as session, session.begin():
                await keep_rest(session, phone, pages, self.clock(), self.keep)
        except SQLAlchemyError as error:
            log.warning("sms: the rest of a long message was not kept (%s)", type(error).__name__)
