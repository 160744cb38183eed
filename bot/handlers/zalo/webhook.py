"""The Zalo webhook on the shared HTTP server: ``POST /channels/zalo/webhook``.

The body is read up to :data:`MAX_BODY` bytes actually received (413 past it). Every request
is authenticated before its JSON is parsed (:mod:`~bot.handlers.zalo.signature`): an unsigned,
wrongly signed, stale or future-dated request, or one for another app, gets 401 and is never
processed; a signed one that does not parse gets 400. A genuine event's signature goes into the
replay cache (:mod:`storage.replays`, kept for the whole window), so a copy sent again is
answered 200 and ignored. A genuine event is answered 200 at once and handled afterwards in a
background task.

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
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.handlers.http import BodyTooLarge, Route, error_response, read_capped
from bot.handlers.zalo.background import Background
from bot.handlers.zalo.events import ZaloEvent, read_event
from bot.handlers.zalo.signature import (
    FUTURE_LEEWAY,
    SignatureError,
    signature_digest,
    verify_event,
)
from storage.replays import remember_signature

WEBHOOK_PATH = "/channels/zalo/webhook"
SIGNATURE_HEADER = "X-ZEvent-Signature"
MAX_BODY = 256 * 1024
CHANNEL = "zalo"
UNBOUNDED_AGE = timedelta(days=1)
"""How long a signature is remembered when events are accepted at any age."""

log = logging.getLogger(__name__)

ReplayCheck = Callable[[str], Awaitable[bool]]
"""True when a signature (hex) is new, recording it; False for a replay."""


def replay_cache(
    sessions: async_sessionmaker[AsyncSession],
    clock: Callable[[], datetime],
    max_age: timedelta | None,
) -> ReplayCheck:
    keep = (max_age or UNBOUNDED_AGE) + FUTURE_LEEWAY

    async def is_new(digest: str) -> bool:
        async with sessions() as session, session.begin():
            return await remember_signature(session, CHANNEL, digest, clock(), keep)

    return is_new


def zalo_route(
    *,
    app_id: str,
    oa_secret: str,
    max_age: timedelta | None,
    clock: Callable[[], datetime],
    handle: Callable[[ZaloEvent], Awaitable[None]],
    background: Background,
    is_new: ReplayCheck,
) -> Route:
    async def receive(request: web.Request) -> web.Response:
        try:
            raw = await read_capped(request, MAX_BODY)
        except BodyTooLarge:
            log.warning("zalo: webhook request refused (body over %d bytes)", MAX_BODY)
            return error_response(413)
        header = request.headers.get(SIGNATURE_HEADER)
        now = clock()
        try:
            event = verify_event(
                raw, header, app_id=app_id, oa_secret=oa_secret, now=now, max_age=max_age
            )
        except SignatureError as error:
            log.warning("zalo: webhook request refused (%s)", error.reason)
            return error_response(error.status)
        parsed = read_event(event, now)
        if parsed is None:
            return web.json_response({"error": 0})
        assert header is not None
        if not await is_new(signature_digest(header)):
            log.warning("zalo: a replayed %s event ignored", parsed.kind)
            return web.json_response({"error": 0})
        background.start(parsed.user_id, partial(handle, parsed))
        return web.json_response({"error": 0})

    def register(app: web.Application) -> None:
        app.router.add_post(WEBHOOK_PATH, receive)

    return register
