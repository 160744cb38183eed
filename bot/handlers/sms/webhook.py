"""The SMS webhook on the shared HTTP server: ``POST /channels/sms/inbound``.

The body is read up to :data:`MAX_BODY` bytes actually received (413 past it), then the
gateway's parser checks the timestamp and the signature on the raw bytes before the JSON is
parsed: a request that fails gets 401 (400 when signed but malformed, with a fixed short body)
and touches nothing. A good one is handled before the answer is sent (the engine is quick), so
2xx means the message and its reply are stored; a repeated event id, or a replayed signature,
is answered 2xx and ignored. The log names event ids and reasons, never a number or a text.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from aiohttp import web

from bot.handlers.http import BodyTooLarge, Route, error_response, read_capped
from bot.handlers.sms.events import InboundParser, WebhookRejected
from bot.handlers.sms.inbox import SmsInbox

INBOUND_PATH = "/channels/sms/inbound"
MAX_BODY = 64 * 1024

log = logging.getLogger(__name__)


def sms_route(
    parser: InboundParser, inbox: SmsInbox, *, unix_time: Callable[[], float] = time.time
) -> Route:
    async def inbound(request: web.Request) -> web.Response:
        try:
            body = await read_capped(request, MAX_BODY)
        except BodyTooLarge:
            log.warning("sms: webhook refused (body over %d bytes)", MAX_BODY)
            return error_response(413)
        try:
            event = parser.parse(request.headers, body, unix_time())
        except WebhookRejected as rejected:
            log.warning("sms: webhook refused (%s)", rejected.reason)
            return error_response(rejected.status)
        await inbox.receive(event)
        return web.json_response({"status": "ok"})

    def register(app: web.Application) -> None:
        app.router.add_post(INBOUND_PATH, inbound)

    return register
