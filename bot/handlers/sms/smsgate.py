"""Adapter for "SMS Gateway for Android" (SMSGate, reference/channels.md §3.4).

Inbound: the app posts ``{"deviceId", "event", "id", "payload": {...}, "webhookId"}`` with
``X-Signature`` = hex HMAC-SHA256(signing key, raw body + ``X-Timestamp``), no separator and
no prefix. ``sms:received`` carries ``payload.message`` and ``payload.sender`` (older app
versions: ``phoneNumber``). The envelope ``id`` is unique per event and is what we deduplicate
on; the payload's ``messageId`` is derived from the content and is not.

Outbound: ``POST`` to the app's send address (cloud or private server
``…/3rdparty/v1/messages``, local mode ``http://<phone>:8080/message``) with Basic auth and
``{"textMessage": {"text"}, "phoneNumbers": [...], "id"}``. SMSGate ids are short (a UUID), so
the outbox key is hashed into a name-based UUID: the same row always gets the same id, and the
gateway drops the second copy of a message sent again after a crash.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
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

STATUS_EVENTS = {"sms:sent": "sent", "sms:delivered": "delivered", "sms:failed": "failed"}
ID_NAMESPACE = uuid.UUID("3f6c1f0e-5d1a-4c55-9b8e-6a1f2c9d7e10")


def sign(key: bytes, timestamp: str, body: bytes) -> str:
    return hmac.new(key, body + timestamp.encode(), hashlib.sha256).hexdigest()


def message_id(key: str) -> str:
    """The SMSGate ``id`` for an outbox key."""
    return str(uuid.uuid5(ID_NAMESPACE, key))


class SmsGateInbound:
    """:class:`bot.handlers.sms.events.InboundParser` for SMSGate webhooks."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def parse(self, headers: Mapping[str, str], body: bytes, now: float) -> SmsEvent:
        timestamp = check_timestamp(headers.get("X-Timestamp"), now)
        expected = sign(self._key, timestamp, body)
        given = headers.get("X-Signature", "").strip().lower()
        if not hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace")):
            raise WebhookRejected(401, "bad signature")
        envelope = json_object(body)
        event_id = check_event_id(envelope.get("id"))
        event = envelope.get("event")
        payload = envelope.get("payload")
        payload = payload if isinstance(payload, dict) else {}
        if event == "sms:received":
            sender = payload.get("sender") or payload.get("phoneNumber")
            text = payload.get("message")
            if not isinstance(sender, str) or not isinstance(text, str):
                raise WebhookRejected(400, "sms:received without sender/message")
            return SmsEvent("received", event_id, sender, text, signature=expected)
        if isinstance(event, str) and event in STATUS_EVENTS:
            return SmsEvent("status", event_id, detail=STATUS_EVENTS[event], signature=expected)
        return SmsEvent("other", event_id, detail=str(event)[:32], signature=expected)


class SmsGateSender(GatewayClient):
    """:class:`scheduler.sending.Sender` for the ``sms`` channel through SMSGate."""

    def __init__(
        self,
        url: str,
        user: str,
        password: str,
        *,
        max_parts: int,
        timeout: float = 10.0,
        pages: PageStore | None = None,
    ) -> None:
        super().__init__(url, max_parts=max_parts, timeout=timeout, pages=pages)
        credentials = base64.b64encode(f"{user}:{password}".encode()).decode()
        self._headers = {"Authorization": f"Basic {credentials}"}

    async def deliver(
        self, http: aiohttp.ClientSession, message: ClaimedMessage, phone: str, text: str
    ) -> SendResult:
        payload = {
            "textMessage": {"text": text},
            "phoneNumbers": [phone],
            "id": message_id(message.key),
        }
        return await self.post(http, payload, self._headers)
