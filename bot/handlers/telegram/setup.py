"""Building the Telegram side once at start-up: the bot (pointed at the configured Bot API
server), the dispatcher with its routers and ordering middleware, and the command menu.

``GIAMNGHEO_TELEGRAM_API_URL`` replaces the public Bot API (a self-hosted ``telegram-bot-api``
or, in tests, a fake server on 127.0.0.1). Conversation state is ours (``storage``), so the
dispatcher gets no FSM storage of consequence; the engine is handed to the handlers as
workflow data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiogram import Bot, Dispatcher, methods
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramAPIError
from aiogram.methods import Response, TelegramMethod
from aiogram.types import BotCommand
from aiohttp import ClientError

from bot.flows.engine import Engine
from bot.handlers.telegram.ordering import ChatOrdering
from bot.handlers.telegram.paging import KeyboardPages
from bot.handlers.telegram.photos import PhotoDesk
from bot.handlers.telegram.routers import build_router
from bot.i18n import DEFAULT_LANGUAGE, _, __, language

BOT_LOOKUP_SECONDS = 10
COMMANDS = (
    ("start", __("Bắt đầu, xem các việc có thể làm")),
    ("kiemtra", __("Kiểm tra một hộ theo chuẩn nghèo")),
    ("chinhsach", __("Tra cứu chính sách hỗ trợ")),
    ("tomtat", __("Tóm tắt số liệu địa bàn (lãnh đạo)")),
    ("huy", __("Hủy việc đang làm")),
    ("giup", __("Hướng dẫn cho câu hỏi đang trả lời")),
)


CALLED_METHODS: tuple[type[TelegramMethod[Any]], ...] = (
    methods.GetUpdates, methods.SendMessage, methods.EditMessageText,
    methods.EditMessageReplyMarkup, methods.AnswerCallbackQuery, methods.SendChatAction,
    methods.SendPhoto, methods.SendDocument,
)  # fmt: skip
"""The Bot API methods the bot calls for every update or reminder."""


def response_models() -> tuple[type[object], ...]:
    """``Response[Message]`` and the like for :data:`CALLED_METHODS`, to be kept alive.

    aiogram reads every answer of the Bot API into ``Response[<the method's result>]``, and
    pydantic keeps such parametrised models only while something else holds them (a weak
    cache). Nothing does, so each garbage collection dropped them and the next answer built the
    model again, a few milliseconds each, dozens of times a minute on a busy bot."""
    generic: Any = Response  # parametrised at run time, by each method's result type
    return tuple(generic[method.__returning__] for method in CALLED_METHODS)


@dataclass(frozen=True)
class Telegram:
    """What ``giamngheo run`` needs to serve Telegram."""

    bot: Bot
    dispatcher: Dispatcher
    ordering: ChatOrdering
    kept: tuple[type[object], ...] = field(default_factory=response_models, repr=False)


def build_bot(token: str, api_url: str) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(api_url))
    return Bot(token, session=session)


def build_telegram(
    token: str,
    api_url: str,
    engine: Engine,
    photos: PhotoDesk | None = None,
    pages: KeyboardPages | None = None,
) -> Telegram:
    """``photos``: where photos sent during a household check are kept (None: photos are read
    like a message without text); ``pages``: where the options of long lists are kept for
    ◀ ▶ (None: every option is shown at once)."""
    ordering = ChatOrdering()
    dispatcher = Dispatcher(engine=engine, photos=photos, pages=pages)
    dispatcher.update.outer_middleware(ordering)
    dispatcher.include_router(build_router())
    return Telegram(build_bot(token, api_url), dispatcher, ordering)


def bot_commands() -> list[BotCommand]:
    """The command menu Telegram shows next to the text field, in Vietnamese."""
    with language(DEFAULT_LANGUAGE):
        return [BotCommand(command=name, description=_(text)) for name, text in COMMANDS]


async def set_commands(bot: Bot) -> None:
    await bot.set_my_commands(bot_commands())


async def fetch_bot_name(token: str, api_url: str) -> str | None:
    """The bot's username (``getMe``); None when the Bot API cannot be reached."""
    bot = build_bot(token, api_url)
    try:
        me = await bot.get_me(request_timeout=BOT_LOOKUP_SECONDS)
    except (TelegramAPIError, ClientError, TimeoutError):
        return None
    finally:
        await bot.session.close()
    return me.username
