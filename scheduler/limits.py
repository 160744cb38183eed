"""Send-rate limits kept by one dispatcher: an even pace overall and a gap per chat.

Sends are spread evenly, ``1/rate`` apart on a fixed schedule (a late wake-up does not shift
the schedule, so sleep overshoot costs no throughput), and a log of the last ``rate`` start
times guarantees that no one-second window ever holds more than ``rate`` sends, which is how
Telegram counts (about 30 messages per second per bot, one per second per chat;
reference/channels.md §1.1). When the dispatcher falls behind by more than one interval the
schedule restarts from now instead of bursting to catch up.
Time is injected (``monotonic`` and ``sleep``) so tests can run without waiting.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

Monotonic = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

SAFETY = 1.001
"""Intervals are stretched by 0.1 % so rounding never puts one send too many in a window."""
CHAT_MARGIN = 0.05
"""Seconds added to the per-chat gap: it costs no throughput when many chats wait, and absorbs
the jitter of the network between two messages to one chat."""


@dataclass
class Pacer:
    """Hands out start times ``1/rate`` apart, and a per-chat gap of ``chat_interval``."""

    rate: float
    chat_interval: float
    monotonic: Monotonic = time.monotonic
    sleep: Sleep = asyncio.sleep
    _next: float = 0.0
    _chat_ready: dict[str, float] = field(default_factory=dict)
    _recent: deque[float] = field(default_factory=deque)

    @property
    def interval(self) -> float:
        return SAFETY / self.rate

    def chat_ready_at(self, chat: str) -> float:
        return self._chat_ready.get(chat, 0.0)

    def pause(self, seconds: float) -> None:
        """Send nothing for ``seconds`` (a 429 without a chat to blame)."""
        self._next = max(self._next, self.monotonic() + seconds)

    def pause_chat(self, chat: str, seconds: float) -> None:
        self._chat_ready[chat] = max(self.chat_ready_at(chat), self.monotonic() + seconds)

    async def acquire(self, chat: str) -> None:
        """Wait for the next overall slot at which ``chat`` may also receive, and take it."""
        while True:
            now = self.monotonic()
            window_free = self._recent[0] + SAFETY if len(self._recent) >= self.rate else 0.0
            start = max(self._next, self.chat_ready_at(chat), window_free, now)
            if start <= now:
                behind = now - self._next > self.interval
                self._next = (now if behind else self._next) + self.interval
                self._chat_ready[chat] = now + self.chat_interval * SAFETY + CHAT_MARGIN
                self._recent.append(now)
                while len(self._recent) > self.rate:
                    self._recent.popleft()
                self._forget(now)
                return
            await self.sleep(start - now)

    def _forget(self, now: float) -> None:
        if len(self._chat_ready) > 10_000:
            self._chat_ready = {c: t for c, t in self._chat_ready.items() if t > now}
