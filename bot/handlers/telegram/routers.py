"""The Telegram routers: thin on purpose. Each update becomes one :class:`Inbound` for the
engine (text, or the key a button sends), and the engine's replies are sent back.

- only private chats are served; the identity is ``("telegram", chat id)``;
- ``update_id`` goes with the message, so an update delivered twice is answered once;
- a button press is acknowledged at once (``answerCallbackQuery``), then the question it
  answered is edited to show the choice and lose its keyboard, so it cannot be pressed twice;
- a list of more than eight options is shown a page at a time; ◀ ▶ redraw the keyboard from
  the kept list (:mod:`~bot.handlers.telegram.paging`) without asking the engine;
- the chat shows "typing…" when the engine takes longer than :data:`TYPING_AFTER` seconds
  (a summary with its chart and tables), renewed every :data:`TYPING_EVERY` seconds; a quick
  answer costs no extra call and no extra task, only a timer;
- a photo during a household check is kept with it (:mod:`~bot.handlers.telegram.photos`);
- an unexpected failure gets a short apology; the log names the error type only, never the
  message text, a name or a phone number.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from aiogram import Bot, Router
from aiogram.enums import ChatAction, ChatType
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.types import CallbackQuery, Message, Update

from bot.flows.engine import Engine
from bot.flows.messages import IdentityRef, Inbound, Outbound
from bot.handlers.telegram.paging import KeyboardPages
from bot.handlers.telegram.photos import PhotoDesk
from bot.handlers.telegram.rendering import (
    MAX_TEXT,
    command_text,
    keyboard,
    page_turn,
    pressed_label,
)
from bot.handlers.telegram.sender import send_replies, with_retry
from bot.i18n import DEFAULT_LANGUAGE, _, __, language

CHANNEL = "telegram"
TYPING_AFTER = 0.5
TYPING_EVERY = 4.5
"""Telegram shows a chat action for about five seconds."""
FAILED = __("Xin lỗi, trợ lý đang gặp sự cố. Xin thử lại sau ít phút.")
LIST_GONE = __("Danh sách này đã cũ. Xin gõ lại yêu cầu để xem danh sách mới.")

log = logging.getLogger(__name__)


def build_router() -> Router:
    """A fresh router (a router joins one dispatcher only, and tests build several)."""
    router = Router(name="telegram")
    router.message.filter(in_private_chat)
    router.message.register(on_message)
    router.callback_query.register(on_button)
    return router


async def in_private_chat(message: Message) -> bool:
    """Only private chats are served. A coroutine on purpose: aiogram runs a plain function
    filter (``F.chat.type == …`` included) on a worker thread, a thread hop per update."""
    return message.chat.type == ChatType.PRIVATE


async def on_message(
    message: Message,
    bot: Bot,
    engine: Engine,
    event_update: Update,
    photos: PhotoDesk | None = None,
    pages: KeyboardPages | None = None,
) -> None:
    if message.photo and photos is not None:
        await photos.receive(bot, message, event_update.update_id)
        return
    text = command_text(message.text or message.caption or "")
    await converse(bot, engine, message.chat.id, text, event_update.update_id, pages=pages)


async def on_button(
    query: CallbackQuery,
    bot: Bot,
    engine: Engine,
    event_update: Update,
    pages: KeyboardPages | None = None,
) -> None:
    message = query.message if isinstance(query.message, Message) else None
    page = page_turn(query.data or "")
    if page is not None and message is not None and pages is not None:
        await turn_page(bot, query, message, page, pages)
        return
    with suppress(TelegramBadRequest):
        await query.answer()
    if message is not None and message.chat.type != ChatType.PRIVATE:
        return
    chat_id = message.chat.id if message is not None else query.from_user.id
    await converse(
        bot,
        engine,
        chat_id,
        query.data or "",
        event_update.update_id,
        before=message,
        pages=pages,
    )


async def turn_page(
    bot: Bot, query: CallbackQuery, message: Message, page: int, pages: KeyboardPages
) -> None:
    """Redraw a paged keyboard at ``page``; a list no longer kept gets a short note."""
    if message.chat.type != ChatType.PRIVATE:
        return
    options = await pages.options(message.chat.id, message.message_id)
    with language(DEFAULT_LANGUAGE):
        note = _(LIST_GONE) if options is None else None
    with suppress(TelegramBadRequest):
        await query.answer(text=note)
    if options is None:
        return
    with suppress(TelegramBadRequest):  # "message is not modified": the page shown already
        await bot.edit_message_reply_markup(
            chat_id=message.chat.id,
            message_id=message.message_id,
            reply_markup=keyboard(options, page),
        )


async def converse(
    bot: Bot,
    engine: Engine,
    chat_id: int,
    text: str,
    update_id: int,
    *,
    before: Message | None = None,
    pages: KeyboardPages | None = None,
) -> list[Outbound]:
    """Hand one message to the engine and send its replies; ``before`` is the question whose
    button was pressed, marked with the choice once the engine has taken it."""
    inbound = Inbound(IdentityRef(CHANNEL, str(chat_id)), text, str(update_id))
    try:
        async with typing_when_slow(bot, chat_id):
            replies = await engine.handle(inbound)
    except Exception as error:  # the channel's outer boundary: apologise, keep serving
        log.error("telegram: update %s failed with %s", update_id, type(error).__name__)
        with language(DEFAULT_LANGUAGE):
            await with_retry(lambda: bot.send_message(chat_id, _(FAILED)))
        return []
    if replies and before is not None:
        await mark_choice(bot, before, text)
    await send_replies(bot, chat_id, replies, pages)
    return replies


@asynccontextmanager
async def typing_when_slow(bot: Bot, chat_id: int) -> AsyncIterator[None]:
    """Show "typing…" while the body runs, once it has taken :data:`TYPING_AFTER` seconds."""
    typing: list[asyncio.Task[None]] = []
    timer = asyncio.get_running_loop().call_later(
        TYPING_AFTER, lambda: typing.append(asyncio.create_task(keep_typing(bot, chat_id)))
    )
    try:
        yield
    finally:
        timer.cancel()
        for task in typing:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task


async def keep_typing(bot: Bot, chat_id: int) -> None:
    while True:
        with suppress(TelegramAPIError):
            await bot.send_chat_action(chat_id, ChatAction.TYPING)
        await asyncio.sleep(TYPING_EVERY)


async def mark_choice(bot: Bot, message: Message, data: str) -> None:
    """Show the pressed button's label under the question and remove the keyboard."""
    label = pressed_label(message.reply_markup, data)
    text = message.text
    with suppress(TelegramBadRequest):
        if label is not None and text is not None and len(text) + len(label) + 3 <= MAX_TEXT:
            await bot.edit_message_text(
                text=f"{text}\n\n» {label}", chat_id=message.chat.id, message_id=message.message_id
            )
        else:
            await bot.edit_message_reply_markup(
                chat_id=message.chat.id, message_id=message.message_id, reply_markup=None
            )
