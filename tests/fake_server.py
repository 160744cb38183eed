"""What the fake channel servers (Telegram Bot API, Zalo OA, SMS gateway) share: an aiohttp
app served on 127.0.0.1 at a free port for the length of a test, and waiting until the fake has
seen what a test expects."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aiohttp import web


class LocalServer:
    """Serves one app; ``url`` is known once :meth:`start` returned."""

    def __init__(self) -> None:
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, app: web.Application) -> None:
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


async def wait_until(changed: asyncio.Condition, check: Callable[[], bool], seconds: float) -> None:
    """Wait until ``check()`` holds (re-checked whenever ``changed`` is notified), at most
    ``seconds``; TimeoutError otherwise."""
    async with asyncio.timeout(seconds), changed:
        await changed.wait_for(check)
