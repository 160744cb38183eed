"""Quiet hours: reminders are not sent at night in the recipients' time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class QuietHours:
    """From ``start`` to ``end`` local time (crossing midnight when ``start > end``)."""

    timezone: str
    """The recipients' time zone (``Settings.timezone``)."""
    start: time = time(21, 0)
    end: time = time(6, 30)

    def contains(self, moment: datetime) -> bool:
        local = moment.astimezone(ZoneInfo(self.timezone)).time()
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end
