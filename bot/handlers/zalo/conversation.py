"""One Zalo event through the engine, and the replies back to the person.

- a text (typed, or a quick-reply button's payload) goes to the engine with the identity
  ``("zalo", sender id)`` and ``msg:<msg_id>`` as its update id, so a redelivered event is
  answered once;
- following the OA is answered like ``/start``: a stranger learns how to join with an invite
  code, a known person gets the menu; unfollowing marks the identity as blocking us, so no
  reminder is planned for it until the person writes again;
- after each message the free-reply window opens again (:mod:`storage.reply_window`), and each
  message sent counts against it;
- an unexpected failure gets a short apology; the log names the error type only, never the
  message text, a name or a phone number.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows.engine import Engine
from bot.flows.messages import IdentityRef, Inbound, Outbound
from bot.handlers.zalo.client import ZaloClient, ZaloUnavailable
from bot.handlers.zalo.events import ZaloEvent
from bot.handlers.zalo.rendering import reply_messages
from bot.i18n import DEFAULT_LANGUAGE, _, __, language
from storage.reply_window import count_sent, record_inbound, set_blocked

CHANNEL = "zalo"
GREETING_COMMAND = "/start"
FAILED = __("Xin lỗi, trợ lý đang gặp sự cố. Xin thử lại sau ít phút.")

log = logging.getLogger(__name__)


class ZaloConversation:
    def __init__(
        self,
        engine: Engine,
        client: ZaloClient,
        sessions: async_sessionmaker[AsyncSession],
        clock: Callable[[], datetime],
    ) -> None:
        self._engine = engine
        self._client = client
        self._sessions = sessions
        self._clock = clock

    async def handle(self, event: ZaloEvent) -> None:
        if event.kind == "unfollow":
            async with self._sessions() as session, session.begin():
                await set_blocked(session, CHANNEL, event.user_id, event.at)
            return
        if event.kind == "follow":
            async with self._sessions() as session, session.begin():
                await set_blocked(session, CHANNEL, event.user_id, None)
        text = event.text if event.kind == "text" else GREETING_COMMAND
        inbound = Inbound(IdentityRef(CHANNEL, event.user_id), text, event.update_id)
        try:
            replies = await self._engine.handle(inbound)
        except Exception as error:  # the channel's outer boundary: apologise, keep serving
            log.error("zalo: %s event failed with %s", event.kind, type(error).__name__)
            with language(DEFAULT_LANGUAGE):
                replies = [Outbound(_(FAILED))]
        if event.kind == "text":
            async with self._sessions() as session, session.begin():
                await record_inbound(session, CHANNEL, event.user_id, event.at)
        await self.send(event.user_id, replies, quote=event.msg_id)

    async def send(
        self, user_id: str, replies: Sequence[Outbound], *, quote: str | None = None
    ) -> int:
        """Send the replies in order, stopping at the first refusal; returns how many messages
        Zalo accepted (each counts against the free-reply window)."""
        sent = 0
        for message in reply_messages(replies, quote=quote):
            try:
                answer = await self._client.send(user_id, message)
            except ZaloUnavailable as error:
                log.warning("zalo: reply not sent (%s)", error)
                break
            if not answer.ok:
                log.warning("zalo: reply refused with error %d", answer.error)
                break
            sent += 1
        if sent:
            async with self._sessions() as session, session.begin():
                await count_sent(session, CHANNEL, user_id, sent)
        return sent
