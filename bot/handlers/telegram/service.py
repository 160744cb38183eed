"""Serving Telegram until asked to stop: long polling, or the webhook on the HTTP server.

Both end the same way when ``stop`` is set (SIGTERM or Ctrl+C): no new update is taken, the
updates being handled get up to :data:`DRAIN_SECONDS` to finish, and the bot's HTTP session is
closed. Polling first removes any webhook (Telegram refuses getUpdates while one is set).
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress

from aiogram.exceptions import TelegramAPIError
from aiohttp import ClientError

from bot.handlers.telegram.setup import Telegram, set_commands

DRAIN_SECONDS = 10.0
POLLING_TIMEOUT = 10

log = logging.getLogger(__name__)


async def prepare(telegram: Telegram) -> None:
    """The command menu; a failure here is logged and does not stop the bot."""
    try:
        await set_commands(telegram.bot)
    except (TelegramAPIError, ClientError, TimeoutError) as error:
        log.warning("telegram: could not set the command menu (%s)", type(error).__name__)


async def serve_polling(telegram: Telegram, stop: asyncio.Event) -> None:
    await prepare(telegram)
    await telegram.bot.delete_webhook(drop_pending_updates=False)
    polling = asyncio.create_task(
        telegram.dispatcher.start_polling(
            telegram.bot,
            polling_timeout=POLLING_TIMEOUT,
            handle_signals=False,
            close_bot_session=False,
        )
    )
    stopping = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({polling, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if not polling.done():
            try:
                await telegram.dispatcher.stop_polling()
            except RuntimeError:
                polling.cancel()
        with suppress(asyncio.CancelledError):
            await polling
        await telegram.ordering.wait_idle(DRAIN_SECONDS)
    finally:
        stopping.cancel()
        with suppress(asyncio.CancelledError):
            await stopping
        await telegram.bot.session.close()
