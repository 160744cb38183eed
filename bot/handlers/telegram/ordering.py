"""Updates of one chat are handled one at a time and in order; different chats run side by side.

aiogram's polling hands every update to its own task, so two quick button presses of one person
could race. The engine already locks the conversation row on PostgreSQL, but SQLite has no row
locks and the order of replies matters to a person reading them, so this outer middleware holds
a lock per chat while an update is handled. It also counts the updates in flight, so shutdown
can let them finish. The locks live in this process only: they order replies, they do not guard
data (the database does that), so several webhook workers stay correct without them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


def chat_of(update: Update) -> int | None:
    if update.message is not None:
        return update.message.chat.id
    if update.callback_query is not None:
        query = update.callback_query
        return query.message.chat.id if query.message is not None else query.from_user.id
    return None


class ChatOrdering(BaseMiddleware):
    """One lock per chat while its update is handled, dropped when nobody waits for it."""

    def __init__(self) -> None:
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        chat = chat_of(event) if isinstance(event, Update) else None
        self._in_flight += 1
        self._idle.clear()
        try:
            if chat is None:
                return await handler(event, data)
            lock = self._locks.setdefault(chat, asyncio.Lock())
            self._waiting[chat] = self._waiting.get(chat, 0) + 1
            try:
                async with lock:
                    return await handler(event, data)
            finally:
                self._waiting[chat] -= 1
                if not self._waiting[chat]:
                    del self._waiting[chat]
                    del self._locks[chat]
        finally:
            self._in_flight -= 1
            if not self._in_flight:
                self._idle.set()

    async def wait_idle(self, seconds: float) -> bool:
        """Wait until no update is being handled; False when ``seconds`` ran out first."""
        try:
            async with asyncio.timeout(seconds):
                await self._idle.wait()
        except TimeoutError:
            return False
        return True
