"""Zalo's free-reply window (reference/channels.md §2.5).

After a person writes to the OA, the OA may send them up to 8 messages within 48 hours for free;
the count starts again whenever they write. A reminder goes by Zalo only while the window is
open, otherwise by the fallbacks (ZNS, SMS). Both numbers are settings, since Zalo may change
them; the state of each identity's window is stored by :mod:`storage.reply_window`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class ReplyWindow:
    length: timedelta = timedelta(hours=48)
    messages: int = 8

    def opens_after(self, now: datetime) -> datetime:
        """Inbound messages later than this keep the window open at ``now``."""
        return now - self.length
