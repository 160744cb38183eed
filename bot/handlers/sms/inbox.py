"""Inbound SMS → the engine → the reply queued in the outbox, all in one transaction.

Why the outbox and not a direct send: the engine stores the conversation step and the
processed ``X-Event-Id`` in the message's transaction, and the reply row is written in that same
transaction (``Engine.handle(before_commit=…)``) with the deterministic key
``sms-reply:{event id}``. If the process dies before the commit, nothing is stored, the webhook
does not answer 2xx, and the gateway's retry is processed afresh. If it dies after, the reply
is in the outbox and the dispatcher sends it (within about a second) with that key as the
gateway's idempotency key, so a retried send is delivered once. A direct send after the commit
could be lost; one before it could be sent twice.

Before the engine reads a message, in the same transaction (``Engine.handle(admit=…)``):

- its signature goes into the replay cache (:mod:`storage.replays`); a copy of a request
  already handled is dropped, whatever its unsigned headers say;
- loop guard: at most ``replies`` messages from one number are handled per ``window`` (fixed
  windows counted in the database under the channel key ``sms-out``, so the limit holds across
  workers). Past it the message is neither handled nor answered: two automatic systems
  answering each other stop after a few messages instead of running up the bill. A ``TIEP``
  that gets a kept page is not counted: the pages of a long reply are few and each is sent
  once, so reading a digest to its end never trips the guard.

A reply longer than ``max_parts`` parts is queued as its first page and the rest is kept in the
same transaction for ``TIEP`` (:mod:`~bot.handlers.sms.pages`).

Strangers (numbers of no registered person) cost money and bring nothing, so their replies have
a budget (:class:`StrangerBudget`): one number at most ``per_number`` replies per day, all
strangers together at most ``all_per_hour`` per hour. A reply over the budget is recorded in the
outbox as ``failed`` (``withheld: …``) and never sent. Someone who registers with an invite code
is no longer a stranger when the reply is written, so that reply always goes out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows.engine import Engine
from bot.flows.messages import IdentityRef, Inbound, Outbound
from bot.flows.more import asks_for_more
from bot.handlers.sms.events import MAX_AGE_SECONDS, SmsEvent
from bot.handlers.sms.pages import DEFAULT_KEEP, keep_rest, more_line
from bot.handlers.sms.render import DEFAULT_MAX_PARTS, render_replies
from bot.handlers.sms.senders import is_auto_reply, mobile_number
from bot.i18n import DEFAULT_LANGUAGE, _, __, language
from storage.access import lookup_identity
from storage.kept_pages import kept_pages
from storage.outbox import NewMessage, enqueue
from storage.rates import count_message
from storage.replays import remember_signature

CHANNEL = "sms"
LOOP_CHANNEL = "sms-out"
STRANGER_CHANNEL = "sms-stranger"
ALL_STRANGERS = ("sms-strangers", "*")
"""The counter every stranger's reply adds to (channel key, identity)."""
REPLAY_KEEP = timedelta(seconds=2 * MAX_AGE_SECONDS + 60)
"""A signature is accepted within 300 s either side of our clock: remembered a little longer."""
FAILED = __("Xin lỗi, trợ lý đang gặp sự cố. Xin thử lại sau ít phút.")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoopGuard:
    replies: int = 5
    window: timedelta = timedelta(minutes=10)


@dataclass(frozen=True)
class StrangerBudget:
    per_number: int = 1
    """Replies to one unregistered number per day (fixed windows from 00:00 UTC)."""
    all_per_hour: int = 20
    """Replies to all unregistered numbers together per hour."""


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
        strangers: StrangerBudget | None = None,
        max_parts: int = DEFAULT_MAX_PARTS,
        keep_pages: timedelta = DEFAULT_KEEP,
    ) -> None:
        self._engine = engine
        self._sessions = sessions
        self._clock = clock
        self._guard = guard or LoopGuard()
        self._strangers = strangers or StrangerBudget()
        self._max_parts = max_parts
        self._keep_pages = keep_pages

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

        async def admit(session: AsyncSession) -> bool:
            return await self._admit(session, phone, event)

        async def queue(session: AsyncSession, replies: list[Outbound]) -> list[Outbound]:
            return await self._queue(session, phone, event.event_id, replies)

        try:
            await self._engine.handle(inbound, admit=admit, before_commit=queue)
        except Exception as error:  # the channel's outer boundary: apologise, keep serving
            log.error("sms: event %s failed with %s", event.event_id, type(error).__name__)
            with language(DEFAULT_LANGUAGE):
                apology = [Outbound(_(FAILED))]
            async with self._sessions() as session, session.begin():
                await self._queue(session, phone, event.event_id, apology)

    async def _admit(self, session: AsyncSession, phone: str, event: SmsEvent) -> bool:
        now = self._clock()
        if event.signature and not await remember_signature(
            session, CHANNEL, event.signature, now, REPLAY_KEEP
        ):
            log.warning("sms: event %s is a replayed request, ignored", event.event_id)
            return False
        if asks_for_more(event.text) and await kept_pages(session, CHANNEL, phone, now):
            return True  # the pages are few and each is sent once: no loop to guard against
        guard = self._guard
        if await count_message(session, LOOP_CHANNEL, phone, now, guard.window) > guard.replies:
            log.warning("sms: event %s not handled, limit per number reached", event.event_id)
            return False
        return True

    async def _queue(
        self, session: AsyncSession, phone: str, event_id: str, replies: list[Outbound]
    ) -> list[Outbound]:
        pages = render_replies(replies, self._max_parts, more_line())
        if not pages:
            return replies
        now = self._clock()
        message = NewMessage(reply_key(event_id), CHANNEL, phone, pages[0], quiet=False)
        over = await self._over_stranger_budget(session, phone, now)
        if over is not None:
            log.warning("sms: reply to event %s withheld (%s)", event_id, over)
            await enqueue(session, [message], now, withheld=f"withheld: {over}")
            return []
        await enqueue(session, [message], now)
        await keep_rest(session, phone, pages, now, self._keep_pages)
        return replies

    async def _over_stranger_budget(
        self, session: AsyncSession, phone: str, now: datetime
    ) -> str | None:
        """None when the reply may go: always to a registered person; to a stranger while
        both budgets allow (each reply counted). Otherwise which budget is spent."""
        if (await lookup_identity(session, CHANNEL, phone)).access is not None:
            return None
        budget = self._strangers
        day = timedelta(days=1)
        if await count_message(session, STRANGER_CHANNEL, phone, now, day) > budget.per_number:
            return "stranger replies per number per day"
        hour = timedelta(hours=1)
        if await count_message(session, *ALL_STRANGERS, now, hour) > budget.all_per_hour:
            return "stranger replies per hour"
        return None
