"""The one HTTP server of ``giamngheo run``: ``/healthz`` and the webhook of each channel.

A channel adds its routes with a :data:`Route` (a function that registers them on the app),
so Telegram (``/channels/telegram/webhook``), Zalo (``/channels/zalo/webhook``) and SMS
(``/channels/sms/inbound``) share one host and port (``GIAMNGHEO_HTTP_HOST``/``_PORT``) behind
one load balancer.

What every route can rely on:

- :func:`read_capped` reads a body up to a limit on the bytes actually received, declared or
  streamed in chunks, and stops reading past it (:class:`BodyTooLarge`);
- every error answer has a fixed short body of our own (:func:`error_response`): aiohttp's
  pages, which may echo the request or a traceback, never reach a client. An exception a route
  did not expect is logged as one line (route and exception type, never the request) and
  answered 500, so the sender retries;
- the access log names the client, status, size and time, not the request line (a query
  string could carry anything).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from http import HTTPStatus

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

Route = Callable[[web.Application], None]
HEALTH_PATH = "/healthz"
CHUNK = 16 * 1024
ACCESS_LOG_FORMAT = "%a %s %b %Tf"

log = logging.getLogger(__name__)


class BodyTooLarge(Exception):
    """The request body is longer than the route accepts."""


async def read_capped(request: web.Request, limit: int) -> bytes:
    """The whole body, or :class:`BodyTooLarge` as soon as more than ``limit`` bytes are
    declared or received; a body sent in chunks without a length counts the same."""
    if request.content_length is not None and request.content_length > limit:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(CHUNK):
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def error_response(status: int) -> web.Response:
    """A fixed short JSON answer for an error status: its standard phrase, nothing else."""
    try:
        phrase = HTTPStatus(status).phrase.lower()
    except ValueError:
        phrase = "error"
    return web.json_response({"error": phrase}, status=status)


def _route_name(request: web.Request) -> str:
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else "?"


@web.middleware
async def shield(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Errors answered with our own short bodies; no exception reaches aiohttp's 500 page."""
    try:
        return await handler(request)
    except web.HTTPException as error:
        if error.status < 400:
            raise
        return error_response(error.status)
    except asyncio.CancelledError:
        raise
    except Exception as error:
        log.error("http: %s failed with %s", _route_name(request), type(error).__name__)
        return error_response(HTTPStatus.INTERNAL_SERVER_ERROR)


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def build_app(routes: Sequence[Route], middlewares: Sequence[Middleware] = ()) -> web.Application:
    """``middlewares`` run outside :func:`shield`, so they see its answers (the metrics count
    refused webhook requests there)."""
    app = web.Application(middlewares=[*middlewares, shield])
    app.router.add_get(HEALTH_PATH, healthz)
    for route in routes:
        route(app)
    return app


async def start_http(app: web.Application, host: str, port: int) -> web.AppRunner:
    """Listen on ``host:port``; the caller closes the returned runner (``cleanup()``)."""
    runner = web.AppRunner(app, handle_signals=False, access_log_format=ACCESS_LOG_FORMAT)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError:
        await runner.cleanup()
        raise
    return runner
