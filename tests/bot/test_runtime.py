"""Start-up wiring: the heap freeze a long-running worker does once its channels are built."""

from __future__ import annotations

import gc
import weakref

from bot.runtime import freeze_start_up_heap


class Node:
    partner: Node | None = None


def test_freeze_collects_start_up_garbage_then_puts_the_rest_out_of_the_collectors_reach() -> None:
    cycle = Node()
    cycle.partner = cycle
    garbage = weakref.ref(cycle)
    del cycle
    try:
        freeze_start_up_heap()
        assert garbage() is None
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
    assert gc.get_freeze_count() == 0
