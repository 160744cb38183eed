"""Sending the engine's replies to one chat: text in pieces, the keyboard under the last piece,
then each attachment as a photo or a file; flood-control answers (429) are waited out.

Telegram asks bots to keep to about one message per second per chat; the replies to one message
are a few messages at most, a burst Telegram tolerates, and a 429 says how long to wait
(``retry_after``), which is honoured a few times before giving up on that message.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from aiogram import Bot
from aiogram.exceptions import TelegramForbiddenError, TelegramRetryAfter
from aiogram.types import BufferedInputFile, InlineKeyboardMarkup, Message

from bot.flows.messages import Attachment, Outbound
from bot.handlers.telegram.paging import KeyboardPages
from bot.handlers.telegram.rendering import MAX_CAPTION, is_paged, keyboard, split_text

log = logging.getLogger(__name__)
T = TypeVar("T")
RETRIES = 3
MAX_RETRY_WAIT = 30


async def with_retry(call: Callable[[], Awaitable[T]]) -> T | None:
    """Run ``call``, waiting and retrying on 429; None when the person blocked the bot or the
    API kept refusing."""
    for _attempt in range(RETRIES):
        try:
            return await call()
        except TelegramRetryAfter as error:
            await asyncio.sleep(min(error.retry_after, MAX_RETRY_WAIT))
        except TelegramForbiddenError:
            log.info("telegram: the chat blocked the bot; reply dropped")
            return None
    log.warning("telegram: still rate limited after %d tries; reply dropped", RETRIES)
    return None


async def send_replies(
    bot: Bot, chat_id: int, replies: Sequence[Outbound], pages: KeyboardPages | None = None
) -> None:
    """Send the replies; with ``pages``, a keyboard of more than eight options shows its first
    page and the whole list is kept for ◀ ▶ (without, every button is shown)."""
    for reply in replies:
        pieces = split_text(reply.text)
        paged = pages is not None and is_paged(reply.choices)
        markup = keyboard(reply.choices, paged=paged)
        for number, piece in enumerate(pieces, 1):
            last = number == len(pieces)
            sent = await send_text(bot, chat_id, piece, markup if last else None)
            if last and paged and sent is not None and pages is not None:
                await pages.remember(chat_id, sent.message_id, reply.choices)
        for attachment in reply.attachments:
            await send_attachment(bot, chat_id, attachment)


async def send_text(
    bot: Bot, chat_id: int, text: str, markup: InlineKeyboardMarkup | None
) -> Message | None:
    return await with_retry(lambda: bot.send_message(chat_id, text, reply_markup=markup))


async def send_attachment(bot: Bot, chat_id: int, attachment: Attachment) -> None:
    upload = BufferedInputFile(attachment.data, filename=attachment.filename)
    caption = attachment.caption[:MAX_CAPTION] or None
    if attachment.kind == "photo":
        await with_retry(lambda: bot.send_photo(chat_id, upload, caption=caption))
    else:
        await with_retry(lambda: bot.send_document(chat_id, upload, caption=caption))
