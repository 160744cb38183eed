"""Everything ``giamngheo run`` needs to serve Zalo, built in one call from the settings.

Wiring, inside ``serve()`` once the engine exists and with ``stack`` an ``AsyncExitStack``::

    zalo = await stack.enter_async_context(build_zalo(settings, engine, rt.sessions, rt.now, sms))
    routes.append(zalo.route)          # the HTTP server's routes
    senders["zalo"] = zalo.sender      # the ChannelRouter's senders

``zalo.route`` goes to :func:`bot.handlers.http.build_app` with the other channels' routes
(``/channels/zalo/webhook``); ``zalo.sender`` goes to the
:class:`scheduler.sending.ChannelRouter` under ``"zalo"``; ``sms`` (``fallback``) is the SMS
channel's sender (None: reminders outside Zalo's free-reply window go by ZNS only, or fail).
ZNS is on when ``GIAMNGHEO_ZALO_ZNS_TEMPLATES`` names templates; the order of the fallbacks is
``GIAMNGHEO_ZALO_FALLBACK_ORDER``. Leaving the context lets the events being handled finish
(up to :data:`DRAIN_SECONDS`) and closes the HTTP session; leave it after the HTTP server has
stopped taking requests. Without an ``async with``, call :meth:`Zalo.close`. Build it inside the
running event loop (it opens an aiohttp session).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import TracebackType

from aiohttp import ClientSession
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows.engine import Engine
from bot.handlers.http import Route
from bot.handlers.zalo.background import Background
from bot.handlers.zalo.client import ZaloClient
from bot.handlers.zalo.conversation import ZaloConversation
from bot.handlers.zalo.outbox import ZaloOutboxSender
from bot.handlers.zalo.tokens import TokenKeeper
from bot.handlers.zalo.webhook import replay_cache, zalo_route
from bot.handlers.zalo.window import ReplyWindow
from bot.handlers.zalo.zns import ZnsSender
from bot.settings import Settings
from scheduler.sending import Sender

DRAIN_SECONDS = 10.0

log = logging.getLogger(__name__)


class ZaloNotConfiguredError(Exception):
    """``GIAMNGHEO_ZALO_APP_ID`` or ``GIAMNGHEO_ZALO_OA_SECRET_KEY`` is missing."""


@dataclass(frozen=True)
class Zalo:
    route: Route
    sender: ZaloOutboxSender
    client: ZaloClient
    conversation: ZaloConversation
    background: Background
    http: ClientSession

    async def close(self, drain_seconds: float = DRAIN_SECONDS) -> None:
        try:
            if not await self.background.drain(drain_seconds):
                log.warning("zalo: events still being handled at shutdown were cancelled")
        finally:
            await self.http.close()

    async def __aenter__(self) -> Zalo:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()


def reply_window(settings: Settings) -> ReplyWindow:
    return ReplyWindow(timedelta(hours=settings.zalo_window_hours), settings.zalo_window_messages)


def build_zalo(
    settings: Settings,
    engine: Engine,
    sessions: async_sessionmaker[AsyncSession],
    clock: Callable[[], datetime],
    fallback: Sender | None = None,
) -> Zalo:
    if settings.zalo_app_id is None or settings.zalo_oa_secret_key is None:
        raise ZaloNotConfiguredError
    if settings.zalo_app_secret is None:
        log.warning("zalo: GIAMNGHEO_ZALO_APP_SECRET is not set; tokens cannot be refreshed")
    app_secret = settings.zalo_app_secret.get_secret_value() if settings.zalo_app_secret else ""
    http = ClientSession()
    tokens = TokenKeeper(
        sessions,
        http,
        oauth_url=settings.zalo_oauth_url,
        app_id=settings.zalo_app_id,
        app_secret=app_secret,
        clock=clock,
    )
    client = ZaloClient(http, settings.zalo_api_url, tokens)
    conversation = ZaloConversation(
        engine, client, sessions, clock, share_image_url=settings.zalo_share_image_url
    )
    background = Background()
    seconds = settings.zalo_signature_max_age_seconds
    max_age = timedelta(seconds=seconds) if seconds is not None else None
    route = zalo_route(
        app_id=settings.zalo_app_id,
        oa_secret=settings.zalo_oa_secret_key.get_secret_value(),
        max_age=max_age,
        clock=clock,
        handle=conversation.handle,
        background=background,
        is_new=replay_cache(sessions, clock, max_age),
    )
    zns = None
    if settings.zalo_zns_templates:
        zns = ZnsSender(
            client,
            settings.zalo_zns_url,
            settings.zalo_zns_templates,
            clock,
            timezone=settings.timezone,
            development=settings.zalo_zns_mode == "development",
        )
    sender = ZaloOutboxSender(
        client,
        sessions,
        clock,
        window=reply_window(settings),
        fallback=fallback,
        zns=zns,
        order=settings.zalo_fallback_order,
    )
    return Zalo(route, sender, client, conversation, background, http)
