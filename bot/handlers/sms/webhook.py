"""The SMS webhook on the shared HTTP server: ``POST /channels/sms/inbound``.

The gateway's parser checks the signature and the timestamp before anything is read: a
request that fails gets 401 (400 when signed but malformed) and touches nothing. A good one
is handled before the answer is sent (the engine is quick), so 2xx means the message and its
reply are stored; a repeated event id is answered 2xx and ignored by the engine's
processed-update record. The log names event ids and kinds, never a number or a text.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from aiohttp import web

from bot.handlers.http import Route
from bot.handlers.sms.events import InboundParser, WebhookRejected
from bot.handlers.sms.inbox import SmsInbox

INBOUND_PATH = "/channels/sms/inbound"
MAX_BODY = 64 * 1024

log = logging.getLogger(__name__)


def sms_route(
    parser: InboundParser, inbox: SmsInbox, *, unix_time: Callable[[], float] = time.time
) -> Route:
    async def inbound(request: web.Request) -> web.Response:
        if request.content_length is not None and request.content_length > MAX_BODY:
            return web.json_response({"error": "too large"}, status=413)
        body = await request.read()
        try:
            event = parser.parse(request.headers, body, unix_time())
        except WebhookRejected as rejected:
            log.warning("sms: webhook refused (%s)", rejected.reason)
            return web.json_response({"error": rejected.reason}, status=rejected.status)
        await inbox.receive(event)
        return web.json_response({"status": "ok"})

    def register(app: web.Application) -> None:
        app.router.add_post(INBOUND_PATH, inbound)

    return register
