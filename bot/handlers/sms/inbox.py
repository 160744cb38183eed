"""Inbound SMS → the engine → the reply queued in the outbox, all in one transaction.

Why the outbox and not a direct send: the engine stores the conversation step and the
processed ``X-Event-Id`` in the message's transaction, and the reply row is written in that same
transaction (``Engine.handle(before_commit=…)``) with the deterministic key
``sms-reply:{event id}``. If the process dies before the commit, nothing is stored, the webhook
does not answer 2xx, and the gateway's retry is processed afresh. If it dies after, the reply
is in the outbox and the dispatcher sends it (within about a second) with that key as the
gateway's idempotency key, so a retried send is delivered once. A direct send after the commit
could be lost; one before it could be sent twice.

Loop guard: at most ``replies`` answers to one number per ``window`` (fixed windows counted in
the database under the channel key ``sms-out``, so the limit holds across workers). Past it the
message is still processed but no reply is queued: two automatic systems answering each other
stop after a few messages instead of running up the bill.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows.engine import Engine
from bot.flows.messages import IdentityRef, Inbound, Outbound
from bot.handlers.sms.events import SmsEvent
from bot.handlers.sms.render import DEFAULT_MAX_PARTS, render_replies
from bot.handlers.sms.senders import is_auto_reply, mobile_number
from bot.i18n import DEFAULT_LANGUAGE, _, __, language
from storage.outbox import NewMessage, enqueue
from storage.rates import count_message

CHANNEL = "sms"
LOOP_CHANNEL = "sms-out"
FAILED = __("Xin lỗi, trợ lý đang gặp sự cố. Xin thử lại sau ít phút.")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoopGuard:
    replies: int = 5
    window: timedelta = timedelta(minutes=10)


def reply_key(event_id: str) -> str:
    return f"sms-reply:{event_id}"


class SmsInbox:
    """Handles the events one gateway reports; see the module docstring."""

    def __init__(
        self,
        engine: Engine,
        sessions: async_sessionmaker[AsyncSession],
        clock: Callable[[], datetime],
        *,
        guard: LoopGuard | None = None,
        max_parts: int = DEFAULT_MAX_PARTS,
    ) -> None:
        self._engine = engine
        self._sessions = sessions
        self._clock = clock
        self._guard = guard or LoopGuard()
        self._max_parts = max_parts

    async def receive(self, event: SmsEvent) -> None:
        if event.kind != "received":
            log.info("sms: %s event %s (%s)", event.kind, event.event_id, event.detail)
            return
        phone = mobile_number(event.sender)
        if phone is None:
            log.info("sms: event %s from a non-mobile sender ignored", event.event_id)
            return
        if is_auto_reply(event.text):
            log.info("sms: event %s looks like an automatic reply, ignored", event.event_id)
            return
        inbound = Inbound(IdentityRef(CHANNEL, phone), event.text, event.event_id)

        async def queue(session: AsyncSession, replies: list[Outbound]) -> list[Outbound]:
            return await self._queue(session, phone, event.event_id, replies)

        try:
            await self._engine.handle(inbound, before_commit=queue)
        except Exception as error:  # the channel's outer boundary: apologise, keep serving
            log.error("sms: event %s failed with %s", event.event_id, type(error).__name__)
            with language(DEFAULT_LANGUAGE):
                apology = [Outbound(_(FAILED))]
            async with self._sessions() as session, session.begin():
                await self._queue(session, phone, event.event_id, apology)

    async def _queue(
        self, session: AsyncSession, phone: str, event_id: str, replies: list[Outbound]
    ) -> list[Outbound]:
        text = render_replies(replies, self._max_parts)
        if not text:
            return replies
        now = self._clock()
        guard = self._guard
        if await count_message(session, LOOP_CHANNEL, phone, now, guard.window) > guard.replies:
            log.warning("sms: event %s not answered, reply limit reached", event_id)
            return []
        message = NewMessage(reply_key(event_id), CHANNEL, phone, text, quiet=False)
        await enqueue(session, [message], now)
        return replies
