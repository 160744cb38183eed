"""What a flow may use while it runs: the open session, who is talking, and the time.

One :class:`FlowContext` is built per inbound message and handed to a flow's ``start`` and
``finish`` and to answers that look things up (``AnswerType.resolve``). Everything a flow needs
comes in here, so flows hold no module-level state and tests fix the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.flows.messages import IdentityRef
from storage.access import Access


@dataclass(frozen=True)
class FlowContext:
    """``now`` is UTC; ``today`` is the date in the people's time zone (Asia/Ho_Chi_Minh).
    ``text`` is the message being handled (for ``start``: what followed the keyword).
    ``brief``: the channel wants short replies (SMS: at most two parts)."""

    session: AsyncSession
    access: Access
    identity: IdentityRef
    now: datetime
    tz: ZoneInfo
    text: str = ""
    brief: bool = False

    @property
    def today(self) -> date:
        return self.now.astimezone(self.tz).date()

    @property
    def channel(self) -> str:
        return self.identity.channel
