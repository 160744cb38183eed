"""An in-process fake of a rate-limited Bot API, usable as a :class:`scheduler.sending.Sender`.

It enforces the limits the way Telegram states them (reference/channels.md §1.1): at most
``per_second`` messages in any one-second window overall and one message per ``chat_interval``
per chat; a send over either limit gets a 429 with ``retry_after``. It deduplicates by the
message key like a gateway with idempotency keys, counting repeated keys, and can be told to
answer particular keys with 5xx, 429 or "blocked" first.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field

from scheduler.sending import SendResult
from storage.outbox import ClaimedMessage


@dataclass
class FakeBotApi:
    per_second: float = 30.0
    chat_interval: float = 1.0
    latency: float = 0.005
    retry_after: float = 1.0
    monotonic: Callable[[], float] = time.monotonic
    scripted: dict[str, list[SendResult]] = field(default_factory=dict)
    """Key → answers to give, in order, before the key is accepted."""
    delivered: Counter[str] = field(default_factory=Counter)
    calls: int = 0
    too_many: int = 0
    duplicates: int = 0
    first_at: float | None = None
    last_at: float | None = None
    texts: dict[str, str] = field(default_factory=dict)
    _window: deque[float] = field(default_factory=deque)
    _chat_last: dict[str, float] = field(default_factory=dict)

    async def send(self, message: ClaimedMessage) -> SendResult:
        now = self.monotonic()
        self.calls += 1
        result = self._answer(message, now)
        await asyncio.sleep(self.latency)
        return result

    def _answer(self, message: ClaimedMessage, now: float) -> SendResult:
        script = self.scripted.get(message.key)
        if script:
            return script.pop(0)
        while self._window and self._window[0] <= now - 1.0:
            self._window.popleft()
        chat = f"{message.channel}:{message.external_id}"
        last = self._chat_last.get(chat)
        if len(self._window) >= self.per_second or (
            last is not None and now - last < self.chat_interval
        ):
            self.too_many += 1
            return SendResult.wait(self.retry_after)
        self._window.append(now)
        self._chat_last[chat] = now
        if message.key in self.delivered:
            self.duplicates += 1
        else:
            self.texts[message.key] = message.text
        self.delivered[message.key] += 1
        self.first_at = now if self.first_at is None else self.first_at
        self.last_at = now
        return SendResult.sent()

    @property
    def accepted(self) -> int:
        return sum(self.delivered.values())

    def rate(self) -> float:
        """Accepted sends per second between the first and the last one."""
        if self.first_at is None or self.last_at is None or self.accepted < 2:
            return 0.0
        return (self.accepted - 1) / (self.last_at - self.first_at)
