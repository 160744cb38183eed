"""What an SMS gateway's webhook tells us, once its signature is checked and its shape read.

Every gateway adapter (:mod:`bot.handlers.sms.generic`, :mod:`bot.handlers.sms.smsgate`)
turns a request into one :class:`SmsEvent` or raises :class:`WebhookRejected` with the HTTP
status to answer, so the webhook itself knows nothing of any gateway's format.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

EventKind = Literal["received", "status", "other"]
MAX_EVENT_ID = 100
"""Longer ids are refused (the processed-update record keeps 128 characters)."""
MAX_AGE_SECONDS = 300
"""Requests signed further than this from our clock are refused (replays)."""
UNIX_SECONDS = re.compile(r"[0-9]{1,12}")
"""A timestamp is ASCII digits, and no more of them than unix seconds need for millennia."""


@dataclass(frozen=True)
class SmsEvent:
    """``received``: a text from ``sender``; ``status``: a delivery report (``detail`` names
    it: delivered, failed…); ``other``: anything else the gateway reports (pings)."""

    kind: EventKind
    event_id: str
    sender: str = ""
    text: str = ""
    detail: str = ""
    signature: str = ""
    """The request's signature (hex), what the replay cache remembers."""


class WebhookRejected(Exception):
    """The request is not processed; ``status`` is the HTTP answer (401 or 400)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class InboundParser(Protocol):
    """One gateway's webhook format: verify the request and read the event it carries."""

    def parse(self, headers: Mapping[str, str], body: bytes, now: float) -> SmsEvent: ...


def check_timestamp(value: str | None, now: float) -> str:
    """The ``X-Timestamp`` as sent, stripped; refuses a missing, malformed or stale one (more
    than 300 s either way)."""
    stamp = (value or "").strip()
    if not UNIX_SECONDS.fullmatch(stamp):
        raise WebhookRejected(401, "missing or malformed timestamp")
    if abs(now - int(stamp)) > MAX_AGE_SECONDS:
        raise WebhookRejected(401, "stale timestamp")
    return stamp


def json_object(body: bytes) -> dict[str, Any]:
    """The signed body as a JSON object; 400 for anything else (not UTF-8, not JSON, nested
    past what the parser can follow, not an object)."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise WebhookRejected(400, "body is not JSON") from error
    if not isinstance(data, dict):
        raise WebhookRejected(400, "body is not a JSON object")
    return data


def check_event_id(value: object) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_EVENT_ID:
        raise WebhookRejected(400, "bad event id")
    return value.strip()
