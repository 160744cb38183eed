"""Telegram over a webhook: the route on the shared HTTP server and the ``setWebhook`` call.

Telegram sends ``X-Telegram-Bot-Api-Secret-Token`` with every update. The route checks it first,
in constant time, and answers 401 to anything else, so only Telegram can post updates. Then it
reads the body up to :data:`MAX_BODY` bytes actually received (413 past it), parses it and
validates it as an ``Update``; anything that is not one gets 400 with a fixed short body, and
the log names the failing fields, never their values (a validation error quotes the input,
which holds people's messages). A valid update goes to the dispatcher (``feed_update``) and is
handled before the response is sent (not in the background), so a failure returns an error and
Telegram delivers the update again; the engine's ``update_id`` record makes that second
delivery harmless.
"""

from __future__ import annotations

import json
import logging
import secrets
from urllib.parse import urlsplit, urlunsplit

from aiogram.types import Update
from aiohttp import web
from pydantic import ValidationError

from bot.handlers.http import BodyTooLarge, Route, error_response, read_capped
from bot.handlers.telegram.setup import Telegram

WEBHOOK_PATH = "/channels/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1024 * 1024
"""Updates are a few kilobytes; one with a long message and its entities stays far below."""

log = logging.getLogger(__name__)


def webhook_url(public_url: str) -> str:
    """The address Telegram posts to: ``public_url`` as given, or with the webhook path added
    when it names only the host (``https://bot.example.vn``)."""
    parts = urlsplit(public_url)
    if parts.path in ("", "/"):
        parts = parts._replace(path=WEBHOOK_PATH)
    return urlunsplit(parts)


def _fields(error: ValidationError) -> str:
    """Where validation failed (``message.chat``), without the values; a part of the place
    that is not a plain field name (a key taken from the input) is shown as ``*``."""
    places = {
        ".".join(_safe_part(part) for part in detail["loc"])
        for detail in error.errors(include_url=False, include_input=False)
    }
    return ", ".join(sorted(places)[:3]) or "?"


def _safe_part(part: object) -> str:
    if isinstance(part, int) or (isinstance(part, str) and part.isascii() and part.isidentifier()):
        return str(part)[:40]
    return "*"


def telegram_route(telegram: Telegram, secret: str) -> Route:
    expected = secret.encode()

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "replace")
        if not secrets.compare_digest(given, expected):
            log.warning("telegram: webhook request refused (secret token)")
            return error_response(401)
        try:
            raw = await read_capped(request, MAX_BODY)
        except BodyTooLarge:
            log.warning("telegram: webhook request refused (body over %d bytes)", MAX_BODY)
            return error_response(413)
        try:
            data = json.loads(raw)
        except (UnicodeDecodeError, ValueError, RecursionError):
            log.warning("telegram: webhook request refused (body is not JSON)")
            return error_response(400)
        if not isinstance(data, dict):
            log.warning("telegram: webhook request refused (body is not an object)")
            return error_response(400)
        try:
            update = Update.model_validate(data, context={"bot": telegram.bot})
        except ValidationError as error:
            log.warning("telegram: update refused, invalid at %s", _fields(error))
            return error_response(400)
        await telegram.dispatcher.feed_update(telegram.bot, update)
        return web.json_response({})

    def register(app: web.Application) -> None:
        app.router.add_post(WEBHOOK_PATH, receive)

    return register


async def set_webhook(telegram: Telegram, public_url: str, secret: str) -> None:
    await telegram.bot.set_webhook(
        webhook_url(public_url),
        secret_token=secret,
        allowed_updates=telegram.dispatcher.resolve_used_update_types(),
        drop_pending_updates=False,
    )
