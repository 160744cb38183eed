"""Photos sent in a Telegram chat during a household check: the largest size is downloaded
(``getFile`` and the file URL, through :meth:`aiogram.Bot.download`) and kept with that check
(:mod:`bot.flows.check_photos`), as on Zalo. The ``update_id`` makes a redelivered photo
harmless."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import Message
from aiohttp import ClientError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows.check_photos import PHOTO_NOT_FETCHED, PHOTO_TOO_LARGE, receive_check_photo
from bot.flows.messages import IdentityRef, Outbound
from bot.handlers.telegram.sender import send_replies
from bot.i18n import DEFAULT_LANGUAGE, _, language
from storage.check_photos import MAX_PHOTO_BYTES

CHANNEL = "telegram"
CONTENT_TYPE = "image/jpeg"
"""Telegram re-encodes every photo sent as a photo to JPEG."""

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PhotoDesk:
    """What the router needs to keep a photo: the database and the clock."""

    sessions: async_sessionmaker[AsyncSession]
    clock: Callable[[], datetime]

    async def receive(self, bot: Bot, message: Message, update_id: int) -> None:
        assert message.photo
        largest = message.photo[-1]
        chat_id = message.chat.id
        reply: Outbound | None
        with language(DEFAULT_LANGUAGE):
            if largest.file_size is not None and largest.file_size > MAX_PHOTO_BYTES:
                reply = Outbound(_(PHOTO_TOO_LARGE))
            else:
                reply = await self._keep(bot, chat_id, largest.file_id, update_id)
        if reply is not None:
            await send_replies(bot, chat_id, [reply])

    async def _keep(self, bot: Bot, chat_id: int, file_id: str, update_id: int) -> Outbound | None:
        try:
            downloaded = await bot.download(file_id)
        except (TelegramAPIError, ClientError, TimeoutError) as error:
            log.warning("telegram: photo not fetched (%s)", type(error).__name__)
            return Outbound(_(PHOTO_NOT_FETCHED))
        if downloaded is None:
            return Outbound(_(PHOTO_NOT_FETCHED))
        data = downloaded.read()
        identity = IdentityRef(CHANNEL, str(chat_id))
        async with self.sessions() as session, session.begin():
            return await receive_check_photo(
                session, identity, data, CONTENT_TYPE, self.clock(), str(update_id)
            )
