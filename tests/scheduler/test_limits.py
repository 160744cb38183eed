"""The pacer: never more than ``rate`` starts in a one-second window, one gap per chat."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.limits import Pacer


@dataclass
class FakeTime:
    now: float = 100.0

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds + 0.0007  # the event loop wakes a little late


def run_pacer(rate: float, chats: list[int], chat_interval: float) -> list[tuple[float, int]]:
    time = FakeTime()
    pacer = Pacer(rate, chat_interval, monotonic=time.monotonic, sleep=time.sleep)

    async def go() -> list[tuple[float, int]]:
        starts = []
        for chat in chats:
            await pacer.acquire(str(chat))
            starts.append((time.now, chat))
        return starts

    return asyncio.run(go())


@settings(max_examples=40, deadline=None)
@given(
    rate=st.sampled_from([5.0, 30.0]),
    chats=st.lists(st.integers(0, 8), min_size=1, max_size=120),
)
def test_no_window_holds_more_than_the_rate_and_chats_keep_their_gap(
    rate: float, chats: list[int]
) -> None:
    starts = run_pacer(rate, chats, 1.0)
    times = [t for t, _ in starts]
    for i, t in enumerate(times):
        assert sum(1 for u in times[i:] if u < t + 1.0) <= rate
    last: dict[int, float] = {}
    for t, chat in starts:
        if chat in last:
            assert t - last[chat] >= 1.0
        last[chat] = t


def test_many_chats_are_served_at_the_full_rate() -> None:
    starts = run_pacer(30.0, list(range(300)), 1.0)
    elapsed = starts[-1][0] - starts[0][0]
    assert 299 / elapsed >= 0.99 * 30
