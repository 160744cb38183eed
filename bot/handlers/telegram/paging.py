"""The options of a paged Telegram keyboard, kept so ◀ ▶ can redraw it.

A keyboard of more than eight options shows one page (:mod:`~bot.handlers.telegram.rendering`);
the whole list is kept under the message's id (:mod:`storage.kept_pages`) for ``keep`` (3 days,
like an unfinished conversation), so a page turn works after a restart and on any worker. A page
turn changes only the keyboard (``editMessageReplyMarkup``); a pick is a button like any other
and goes to the engine. Once the list is gone the person is told to ask again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows.messages import Option
from storage.kept_pages import keep_pages, kept_pages

CHANNEL = "telegram"
DEFAULT_KEEP = timedelta(days=3)


@dataclass(frozen=True)
class KeyboardPages:
    """Where the router keeps and finds the options of paged keyboards."""

    sessions: async_sessionmaker[AsyncSession]
    clock: Callable[[], datetime]
    keep: timedelta = DEFAULT_KEEP

    async def remember(self, chat_id: int, message_id: int, options: Sequence[Option]) -> None:
        pairs = [[option.key, option.label] for option in options]
        async with self.sessions() as session, session.begin():
            await keep_pages(
                session, CHANNEL, str(chat_id), pairs, self.clock(), self.keep, str(message_id)
            )

    async def options(self, chat_id: int, message_id: int) -> list[Option] | None:
        async with self.sessions() as session, session.begin():
            pairs = await kept_pages(session, CHANNEL, str(chat_id), self.clock(), str(message_id))
        if not pairs:
            return None
        return [Option(str(key), str(label)) for key, label in pairs]
