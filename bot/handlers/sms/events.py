"""What an SMS gateway's webhook tells us, once its signature is checked and its shape read.

Every gateway adapter (:mod:`bot.handlers.sms.generic`, :mod:`bot.handlers.sms.smsgate`)
turns a request into one :class:`SmsEvent` or raises :class:`WebhookRejected` with the HTTP
status to answer, so the webhook itself knows nothing of any gateway's format.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, Protocol

EventKind = Literal["received", "status", "other"]
MAX_EVENT_ID = 100
"""Longer ids are refused (the processed-update record keeps 128 characters)."""
MAX_AGE_SECONDS = 300
"""Requests signed further than this from our clock are refused (replays)."""


@dataclass(frozen=True)
class SmsEvent:
    """``received``: a text from ``sender``; ``status``: a delivery report (``detail`` names
    it: delivered, failed…); ``other``: anything else the gateway reports (pings)."""

    kind: EventKind
    event_id: str
    sender: str = ""
    text: str = ""
    detail: str = ""


class WebhookRejected(Exception):
    """The request is not processed; ``status`` is the HTTP answer (401 or 400)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class InboundParser(Protocol):
    """One gateway's webhook format: verify the request and read the event it carries."""

    def parse(self, headers: Mapping[str, str], body: bytes, now: float) -> SmsEvent: ...


def check_timestamp(value: str | None, now: float) -> None:
    """Refuse a missing, malformed or stale ``X-Timestamp`` (more than 300 s either way)."""
    if value is None or not value.strip().isdigit():
        raise WebhookRejected(401, "missing timestamp")
    if abs(now - int(value.strip())) > MAX_AGE_SECONDS:
        raise WebhookRejected(401, "stale timestamp")


def check_event_id(value: object) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_EVENT_ID:
        raise WebhookRejected(400, "bad event id")
    return value.strip()
