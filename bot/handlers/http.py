"""The one HTTP server of ``giamngheo run``: ``/healthz`` and the webhook of each channel.

A channel adds its routes with a :data:`Route` (a function that registers them on the app),
so Telegram, and later Zalo (``/channels/zalo/webhook``) and SMS (``/channels/sms/inbound``),
share one host and port (``GIAMNGHEO_HTTP_HOST``/``GIAMNGHEO_HTTP_PORT``) behind one load
balancer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from aiohttp import web

Route = Callable[[web.Application], None]
HEALTH_PATH = "/healthz"


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def build_app(routes: Sequence[Route]) -> web.Application:
    app = web.Application()
    app.router.add_get(HEALTH_PATH, healthz)
    for route in routes:
        route(app)
    return app


async def start_http(app: web.Application, host: str, port: int) -> web.AppRunner:
    """Listen on ``host:port``; the caller closes the returned runner (``cleanup()``)."""
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError:
        await runner.cleanup()
        raise
    return runner


async def serve_http(app: web.Application, host: str, port: int, stop: asyncio.Event) -> None:
    """Serve ``app`` until ``stop`` is set, then finish the requests in flight and close."""
    runner = await start_http(app, host, port)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
