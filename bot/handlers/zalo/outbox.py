"""The Zalo side of the outbox: reminders and digests inside the free-reply window, ZNS or SMS
outside.

Zalo lets the OA send 8 free messages within 48 hours of the person's last message
(reference/channels.md §2.5); anything else is a paid proactive message the OA may not have.
So before sending, the message's share of the window is taken in the database
(:func:`storage.reply_window.reserve_replies`, one statement, so two dispatchers never overdraw
it). When the window has closed since the reminder was planned, or Zalo says it has, the message
goes out by the fallbacks in ``order`` (setting ``GIAMNGHEO_ZALO_FALLBACK_ORDER``, default ZNS
then SMS), each at the phone number of the user behind the Zalo identity, with the same
idempotency key: a ZNS template message (:mod:`~bot.handlers.zalo.zns`), then the SMS
channel's sender. A fallback that fails hands over to the next; when all fail, the last one's
answer decides (a temporary failure is retried by the dispatcher from the start). The result
names the channel the message went out on and its cost class, which the outbox records.

Zalo's answers become :class:`scheduler.sending.SendResult`: network trouble and 5xx are
temporary; -216 has already been met with one refresh and one retry by the client, so a second
-216 is temporary too; the codes in :class:`ErrorCodes` mean "outside the window" (fallback) or
"not a follower any more" (blocked); any other code is a refusal. The codes come from
integrators' reports, not from Zalo's (unreadable) documentation; adjust them there when Zalo
answers otherwise. Delivery is at least once, as for Telegram: Zalo has no idempotency key.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows.messages import Option
from bot.handlers.zalo.client import TOKEN_INVALID, ZaloAnswer, ZaloClient, ZaloUnavailable
from bot.handlers.zalo.rendering import messages
from bot.handlers.zalo.window import ReplyWindow
from bot.handlers.zalo.zns import ZnsSender
from scheduler.sending import Sender, SendResult, SendStatus
from storage.outbox import ClaimedMessage
from storage.reply_window import (
    contact_of_identity,
    exhaust_window,
    release_replies,
    reserve_replies,
)

CHANNEL = "zalo"
FALLBACK_CHANNEL = "sms"
Fallback = Literal["zns", "sms"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ErrorCodes:
    outside_window: frozenset[int] = frozenset({-213, -230})
    """No free message left: the person has not written recently enough (48 h, 7 days)."""
    gone: frozenset[int] = frozenset({-201})
    """The person no longer follows the OA."""


class ZaloOutboxSender:
    """:class:`scheduler.sending.Sender` for the ``zalo`` channel."""

    def __init__(
        self,
        client: ZaloClient,
        sessions: async_sessionmaker[AsyncSession],
        clock: Callable[[], datetime],
        *,
        window: ReplyWindow | None = None,
        fallback: Sender | None = None,
        zns: ZnsSender | None = None,
        order: Sequence[Fallback] = ("zns", "sms"),
        codes: ErrorCodes | None = None,
    ) -> None:
        self._client = client
        self._sessions = sessions
        self._clock = clock
        self._window = window or ReplyWindow()
        self._fallback = fallback
        self._zns = zns
        self._order = tuple(order)
        self._codes = codes or ErrorCodes()

    async def send(self, message: ClaimedMessage) -> SendResult:
        user_id = message.external_id
        pieces = messages(message.text, [Option(choice, choice) for choice in message.choices])
        async with self._sessions() as session, session.begin():
            reserved = await reserve_replies(
                session,
                CHANNEL,
                user_id,
                self._window.opens_after(self._clock()),
                self._window.messages,
                len(pieces),
            )
        if not reserved:
            return await self._fall_back(message, "zalo window closed")
        sent = 0
        answer: ZaloAnswer | None = None
        try:
            for piece in pieces:
                answer = await self._client.send(user_id, piece)
                if not answer.ok:
                    break
                sent += 1
        except ZaloUnavailable as error:
            await self._release(user_id, len(pieces) - sent)
            return SendResult.temporary(f"zalo: {error}")
        await self._release(user_id, len(pieces) - sent)
        if answer is None or answer.ok:
            return SendResult.sent()
        return await self._refused(message, answer.error)

    async def _refused(self, message: ClaimedMessage, code: int) -> SendResult:
        if code in self._codes.outside_window:
            async with self._sessions() as session, session.begin():
                await exhaust_window(session, CHANNEL, message.external_id, self._window.messages)
            return await self._fall_back(message, f"zalo {code}")
        if code in self._codes.gone:
            return SendResult.blocked(f"zalo {code}")
        log.warning("zalo: reminder refused with error %d", code)
        if code == TOKEN_INVALID:
            return SendResult.temporary(f"zalo {code}")
        return SendResult.rejected(f"zalo {code}")

    async def _release(self, user_id: str, count: int) -> None:
        if count > 0:
            async with self._sessions() as session, session.begin():
                await release_replies(session, CHANNEL, user_id, count)

    async def _fall_back(self, message: ClaimedMessage, why: str) -> SendResult:
        """Send by the fallbacks in order instead. A refusal there must not mark the Zalo
        identity as blocked, so a "blocked" answer is passed on as a refusal."""
        async with self._sessions() as session:
            contact = await contact_of_identity(session, CHANNEL, message.external_id)
        phone = contact[1] if contact is not None else None
        if contact is None or phone is None:
            return SendResult.rejected(f"{why}; no phone number")
        name = contact[0]
        result = SendResult.rejected(f"{why}; no fallback")
        for fallback in self._order:
            if fallback == "zns" and self._zns is not None:
                if self._zns.template_for(message.key) is None:
                    continue
                result = await self._zns.send(message, phone, name)
            elif fallback == "sms" and self._fallback is not None:
                result = await self._fallback.send(
                    replace(message, channel=FALLBACK_CHANNEL, external_id=phone)
                )
                if result.status is SendStatus.SENT:
                    result = SendResult.sent(via=FALLBACK_CHANNEL, cost="sms")
            else:
                continue
            if result.status is SendStatus.SENT:
                return result
            log.warning("zalo: fallback %s failed (%s)", fallback, result.status.value)
        if result.status is SendStatus.BLOCKED:
            return SendResult.rejected(f"fallback: {result.detail}")
        return result
