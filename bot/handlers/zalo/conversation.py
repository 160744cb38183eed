"""One Zalo event through the engine, and the replies back to the person.

- a text (typed, or a quick-reply button's payload) goes to the engine with the identity
  ``("zalo", sender id)`` and ``msg:<msg_id>`` as its update id, so a redelivered event is
  answered once;
- following the OA is answered like ``/start``: a known person gets the menu; a stranger learns
  how to join with an invite code and is asked to share their phone number
  (``request_user_info``). A shared number that an invite names, or a known user's, links the
  Zalo account (:mod:`bot.flows.phone_link`) and the menu follows; an unknown number gets a
  polite note. Unfollowing marks the identity as blocking us, so no reminder is planned for it
  until the person writes again;
- a photo (``user_send_image``) during a household check is kept with that check
  (:mod:`bot.flows.check_photos`); the question that was waiting stays;
- a reply's files (the summary's chart and appendices) are uploaded and sent as media and
  file messages after its text, which names them (:mod:`~bot.handlers.zalo.files`);
- after each message the free-reply window opens again (:mod:`storage.reply_window`), and each
  message sent counts against it;
- an unexpected failure gets a short apology; the log names the error type only, never the
  message text, a name or a phone number.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows.check_photos import receive_check_photo
from bot.flows.engine import Engine
from bot.flows.messages import FileVersion, IdentityRef, Inbound, Outbound
from bot.flows.phone_link import link_shared_phone
from bot.handlers.zalo.client import ZaloClient, ZaloUnavailable
from bot.handlers.zalo.events import ZaloEvent
from bot.handlers.zalo.files import (
    REFUSED,
    NotSent,
    Uploaded,
    announcement,
    not_sent_line,
    upload,
)
from bot.handlers.zalo.rendering import Message, messages, request_info_message
from bot.i18n import DEFAULT_LANGUAGE, _, __, language
from storage.access import lookup_identity
from storage.reply_window import count_sent, record_inbound, set_blocked

CHANNEL = "zalo"
GREETING_COMMAND = "/start"
FAILED = __("Xin lỗi, trợ lý đang gặp sự cố. Xin thử lại sau ít phút.")
SHARE_TITLE = __("Đăng ký bằng số điện thoại")
SHARE_SUBTITLE = __(
    "Bấm để chia sẻ số điện thoại Zalo của anh/chị. Nếu xã đã ghi số này trong lời mời, "
    "anh/chị được đăng ký ngay, không cần gõ mã."
)

log = logging.getLogger(__name__)


class ZaloConversation:
    def __init__(
        self,
        engine: Engine,
        client: ZaloClient,
        sessions: async_sessionmaker[AsyncSession],
        clock: Callable[[], datetime],
        *,
        share_image_url: str | None = None,
    ) -> None:
        self._engine = engine
        self._client = client
        self._sessions = sessions
        self._clock = clock
        self._share_image_url = share_image_url
        self._drawing = asyncio.Lock()

    async def handle(self, event: ZaloEvent) -> None:
        if event.kind == "unfollow":
            async with self._sessions() as session, session.begin():
                await set_blocked(session, CHANNEL, event.user_id, event.at)
            return
        if event.kind == "follow":
            async with self._sessions() as session, session.begin():
                await set_blocked(session, CHANNEL, event.user_id, None)
        identity = IdentityRef(CHANNEL, event.user_id)
        if event.kind == "image":
            await self._photo(identity, event)
            return
        linked, replies = False, list[Outbound]()
        try:
            if event.kind == "shared":
                linked, replies = await self._link(identity, event)
            if event.kind != "shared" or linked:
                text = event.text if event.kind == "text" else GREETING_COMMAND
                replies += await self._engine.handle(Inbound(identity, text, event.update_id))
        except Exception as error:  # the channel's outer boundary: apologise, keep serving
            log.error("zalo: %s event failed with %s", event.kind, type(error).__name__)
            with language(DEFAULT_LANGUAGE):
                replies = [Outbound(_(FAILED))]
        if event.kind in ("text", "shared"):
            async with self._sessions() as session, session.begin():
                await record_inbound(session, CHANNEL, event.user_id, event.at)
        await self.send(event.user_id, replies, quote=event.msg_id)
        if event.kind == "follow" and await self._is_stranger(event.user_id):
            await self._ask_to_share(event.user_id)

    async def _link(self, identity: IdentityRef, event: ZaloEvent) -> tuple[bool, list[Outbound]]:
        assert event.phone is not None
        with language(DEFAULT_LANGUAGE):
            async with self._sessions() as session, session.begin():
                return await link_shared_phone(
                    session, identity, event.phone, event.name or None, self._clock()
                )

    async def _photo(self, identity: IdentityRef, event: ZaloEvent) -> None:
        """A photo goes with the household being checked, if any; the waiting question stays."""
        assert event.url is not None
        with language(DEFAULT_LANGUAGE):
            async with self._sessions() as session, session.begin():
                reply = await receive_check_photo(
                    session, identity, event.url, self._clock(), event.update_id
                )
        async with self._sessions() as session, session.begin():
            await record_inbound(session, CHANNEL, event.user_id, event.at)
        if reply is not None:
            await self.send(event.user_id, [reply], quote=event.msg_id)

    async def _is_stranger(self, user_id: str) -> bool:
        async with self._sessions() as session:
            found = await lookup_identity(session, CHANNEL, user_id)
        return found.access is None and not found.revoked

    async def _ask_to_share(self, user_id: str) -> None:
        with language(DEFAULT_LANGUAGE):
            message = request_info_message(_(SHARE_TITLE), _(SHARE_SUBTITLE), self._share_image_url)
        await self._send_all(user_id, [message])

    async def send(
        self, user_id: str, replies: Sequence[Outbound], *, quote: str | None = None
    ) -> int:
        """Send the replies in order, stopping at the first refusal; returns how many messages
        Zalo accepted (each counts against the free-reply window). A reply's files are
        uploaded first and its text says which follow (:mod:`~bot.handlers.zalo.files`)."""
        sent = 0
        for reply in replies:
            results = [await upload(self._client, a, self._render) for a in reply.attachments]
            text = announcement(reply.text, results) if results else reply.text
            pieces = messages(text, reply.choices, quote=quote)
            files = [r for r in results if isinstance(r, Uploaded)]
            delivered = await self._send_all(user_id, [*pieces, *(f.message for f in files)])
            sent += delivered
            if delivered < len(pieces) + len(files):
                if delivered >= len(pieces):
                    sent += await self._not_delivered(user_id, files[delivered - len(pieces) :])
                break
        if sent:
            async with self._sessions() as session, session.begin():
                await count_sent(session, CHANNEL, user_id, sent)
        return sent

    async def _render(self, version: FileVersion) -> bytes:
        """A file's bytes, drawn in a worker thread so the other conversations go on; one at a
        time, because matplotlib's settings (the PDF font type) are process-wide."""
        async with self._drawing:
            return await asyncio.to_thread(version.render)

    async def _send_all(self, user_id: str, pieces: Sequence[Message]) -> int:
        """How many of ``pieces`` Zalo accepted, in order, up to the first refusal."""
        sent = 0
        for message in pieces:
            try:
                answer = await self._client.send(user_id, message)
            except ZaloUnavailable as error:
                log.warning("zalo: reply not sent (%s)", error)
                break
            if not answer.ok:
                log.warning("zalo: reply refused with error %d", answer.error)
                break
            sent += 1
        return sent

    async def _not_delivered(self, user_id: str, files: Sequence[Uploaded]) -> int:
        """After the text announced files that Zalo then refused to deliver, one note saying
        so (if Zalo takes it)."""
        lines = [not_sent_line(NotSent(f.attachment, _(REFUSED))) for f in files]
        return await self._send_all(user_id, messages("\n".join(lines)))
