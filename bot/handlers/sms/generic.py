"""The project's own SMS contract (reference/channels.md §3.5), inbound and outbound.

Inbound ``POST /channels/sms/inbound``: JSON ``{"event": "sms.received" | "sms.sent" |
"sms.delivered" | "sms.failed", "id", "from", "to", "text", …}`` with ``X-Timestamp`` (unix
seconds), ``X-Event-Id`` and ``X-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." +
raw body)>``. Outbound ``POST SMS_SEND_URL`` with ``{"to", "text", "client_ref"}``,
``Authorization: Bearer SMS_SEND_TOKEN`` and ``Idempotency-Key`` (the outbox key, so a message
sent again after a crash is delivered once).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

import aiohttp

from bot.handlers.sms.client import GatewayClient
from bot.handlers.sms.events import (
    SmsEvent,
    WebhookRejected,
    check_event_id,
    check_timestamp,
    json_object,
)
from bot.handlers.sms.pages import PageStore
from scheduler.sending import SendResult
from storage.outbox import ClaimedMessage

SIGNATURE_PREFIX = "sha256="
STATUS_EVENTS = {"sms.sent": "sent", "sms.delivered": "delivered", "sms.failed": "failed"}


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    """The ``X-Signature`` header value for ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return SIGNATURE_PREFIX + digest


class GenericInbound:
    """:class:`bot.handlers.sms.events.InboundParser` for the contract's webhook."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def parse(self, headers: Mapping[str, str], body: bytes, now: float) -> SmsEvent:
        """The event's identity is the body's ``id``, which the signature covers; an
        ``X-Event-Id`` header that names another is refused, so a replay cannot pass as a new
        event by changing it."""
        timestamp = check_timestamp(headers.get("X-Timestamp"), now)
        given = headers.get("X-Signature", "").strip().lower()
        expected = sign(self._secret, timestamp, body)
        if not hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace")):
            raise WebhookRejected(401, "bad signature")
        data = json_object(body)
        event_id = check_event_id(data.get("id"))
        claimed = headers.get("X-Event-Id")
        if claimed is not None and claimed.strip() != event_id:
            raise WebhookRejected(400, "X-Event-Id differs from the signed id")
        digest = expected.removeprefix(SIGNATURE_PREFIX)
        event = data.get("event")
        if event == "sms.received":
            sender, text = data.get("from"), data.get("text")
            if not isinstance(sender, str) or not isinstance(text, str):
                raise WebhookRejected(400, "sms.received without from/text")
            return SmsEvent("received", event_id, sender, text, signature=digest)
        if isinstance(event, str) and event in STATUS_EVENTS:
            return SmsEvent("status", event_id, detail=STATUS_EVENTS[event], signature=digest)
        return SmsEvent("other", event_id, detail=str(event)[:32], signature=digest)


class GenericSender(GatewayClient):
    """:class:`scheduler.sending.Sender` for the ``sms`` channel over the contract."""

    def __init__(
        self,
        url: str,
        token: str,
        *,
        max_parts: int,
        timeout: float = 10.0,
        pages: PageStore | None = None,
    ) -> None:
        super().__init__(url, max_parts=max_parts, timeout=timeout, pages=pages)
        self._token = token

    async def deliver(
        self, http: aiohttp.ClientSession, message: ClaimedMessage, phone: str, text: str
    ) -> SendResult:
        payload = {"to": phone, "text": text, "client_ref": message.key}
        headers = {"Authorization": f"Bearer {self._token}", "Idempotency-Key": message.key}
        return await self.post(http, payload, headers)
