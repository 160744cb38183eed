"""Photos sent in a Telegram chat during a household check: the largest size's ``file_id`` is
kept with that check (:mod:`bot.flows.check_photos`), as on Zalo; the file stays with Telegram,
which serves it again by that id (``getFile``). The ``update_id`` makes a redelivered photo
harmless."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from aiogram import Bot
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows.check_photos import receive_check_photo
from bot.flows.messages import IdentityRef
from bot.handlers.telegram.sender import send_replies
from bot.i18n import DEFAULT_LANGUAGE, language

CHANNEL = "telegram"


@dataclass(frozen=True)
class PhotoDesk:
    """What the router needs to keep a photo: the database and the clock."""

    sessions: async_sessionmaker[AsyncSession]
    clock: Callable[[], datetime]

    async def receive(self, bot: Bot, message: Message, update_id: int) -> None:
        assert message.photo
        largest = message.photo[-1]
        chat_id = message.chat.id
        identity = IdentityRef(CHANNEL, str(chat_id))
        with language(DEFAULT_LANGUAGE):
            async with self.sessions() as session, session.begin():
                reply = await receive_check_photo(
                    session, identity, largest.file_id, self.clock(), str(update_id)
                )
        if reply is not None:
            await send_replies(bot, chat_id, [reply])
