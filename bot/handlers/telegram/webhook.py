"""Telegram over a webhook: the route on the shared HTTP server and the ``setWebhook`` call.

Telegram sends ``X-Telegram-Bot-Api-Secret-Token`` with every update; aiogram's handler
compares it in constant time and answers 401 to anything else, so only Telegram can post
updates. Updates are handled before the response is sent (not in the background), so a failure
returns an error and Telegram delivers the update again; the engine's ``update_id`` record
makes that second delivery harmless.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from bot.handlers.http import Route
from bot.handlers.telegram.setup import Telegram

WEBHOOK_PATH = "/channels/telegram/webhook"


def webhook_url(public_url: str) -> str:
    """The address Telegram posts to: ``public_url`` as given, or with the webhook path added
    when it names only the host (``https://bot.example.vn``)."""
    parts = urlsplit(public_url)
    if parts.path in ("", "/"):
        parts = parts._replace(path=WEBHOOK_PATH)
    return urlunsplit(parts)


def telegram_route(telegram: Telegram, secret: str) -> Route:
    def register(app: web.Application) -> None:
        handler = SimpleRequestHandler(
            telegram.dispatcher, telegram.bot, secret_token=secret, handle_in_background=False
        )
        handler.register(app, path=WEBHOOK_PATH)

    return register


async def set_webhook(telegram: Telegram, public_url: str, secret: str) -> None:
    await telegram.bot.set_webhook(
        webhook_url(public_url),
        secret_token=secret,
        allowed_updates=telegram.dispatcher.resolve_used_update_types(),
        drop_pending_updates=False,
    )
