"""Fixtures for scheduler tests: a clock the test moves, and helpers to fill the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from tests.conftest import FIXED_NOW


@dataclass
class Clock:
    """A controllable clock; the dispatcher and planners call it for "now"."""

    now: datetime = FIXED_NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def clock() -> Clock:
    return Clock()
