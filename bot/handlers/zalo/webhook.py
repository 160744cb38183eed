"""The Zalo webhook on the shared HTTP server: ``POST /channels/zalo/webhook``.

Every request is checked before anything reads it (:mod:`~bot.handlers.zalo.signature`): an
unsigned, wrongly signed or stale request, or one for another app, gets 401 and is never
processed. A genuine event is answered 200 at once and handled afterwards in a background task.

Why a background task and not the outbox: Zalo wants an answer within about two seconds and
retries a slow webhook, while the engine may take longer (a summary with its tables). Replies
to a conversation are sent straight away with the user's ``msg_id`` quoted, which the outbox's
rows (text and choice labels, paced per chat and held in quiet hours) cannot carry, and a reply
late by a dispatcher cycle reads badly in a chat. The cost: a worker that dies between the 200
and the engine's commit loses that one message; the person sees no answer and writes again,
and nothing already stored is touched. Redeliveries are answered once (``msg_id``).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from functools import partial

from aiohttp import web

from bot.handlers.http import Route
from bot.handlers.zalo.background import Background
from bot.handlers.zalo.events import ZaloEvent, read_event
from bot.handlers.zalo.signature import SignatureError, verify_event

WEBHOOK_PATH = "/channels/zalo/webhook"
SIGNATURE_HEADER = "X-ZEvent-Signature"
MAX_BODY = 256 * 1024

log = logging.getLogger(__name__)


def zalo_route(
    *,
    app_id: str,
    oa_secret: str,
    max_age: timedelta | None,
    clock: Callable[[], datetime],
    handle: Callable[[ZaloEvent], Awaitable[None]],
    background: Background,
) -> Route:
    async def receive(request: web.Request) -> web.Response:
        if request.content_length is not None and request.content_length > MAX_BODY:
            return web.json_response({"error": "too large"}, status=413)
        raw = await request.read()
        now = clock()
        try:
            event = verify_event(
                raw,
                request.headers.get(SIGNATURE_HEADER),
                app_id=app_id,
                oa_secret=oa_secret,
                now=now,
                max_age=max_age,
            )
        except SignatureError as error:
            log.warning("zalo: webhook request refused (%s)", error.reason)
            return web.json_response({"error": "unauthorized"}, status=401)
        parsed = read_event(event, now)
        if parsed is not None:
            background.start(parsed.user_id, partial(handle, parsed))
        return web.json_response({"error": 0})

    def register(app: web.Application) -> None:
        app.router.add_post(WEBHOOK_PATH, receive)

    return register
