"""Work that runs after the webhook has answered: one person's events in order, others side by
side, and a way to let the work in flight finish at shutdown.

The locks order replies within this process only; they guard no data (the database does), so
several webhook workers stay correct without them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class Background:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()
        self._locks: dict[str, asyncio.Lock] = {}
        self._waiting: dict[str, int] = {}

    def start(self, key: str, work: Callable[[], Awaitable[None]]) -> None:
        """Run ``work`` after the earlier work of ``key`` has finished."""
        task = asyncio.create_task(self._run(key, work))
        self._tasks.add(task)
        task.add_done_callback(self._done)

    async def _run(self, key: str, work: Callable[[], Awaitable[None]]) -> None:
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock:
                await work()
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:
                del self._waiting[key]
                del self._locks[key]

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("zalo: background work failed with %s", type(task.exception()).__name__)

    async def drain(self, seconds: float) -> bool:
        """Wait until the work in flight is done; False when ``seconds`` ran out first (the
        rest is cancelled)."""
        if not self._tasks:
            return True
        _done, pending = await asyncio.wait(set(self._tasks), timeout=seconds)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending)
        return not pending
