"""``X-ZEvent-Signature``: Zalo signs each webhook event (reference/channels.md §2.4).

The value is ``mac=`` + hex SHA-256 of ``app_id + raw body + timestamp + OA secret key`` (a plain
hash of the concatenation, not an HMAC), where ``app_id`` and ``timestamp`` come from the JSON
body. The body must be hashed exactly as received, so it is verified before anything else reads
it. The ``mac=`` prefix is optional here, the comparison takes constant time, the event must be
for our app, and an event much older than ``max_age`` is refused as a replay.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

PREFIX = "mac="


class SignatureError(Exception):
    """The request is not a genuine event for this app; ``reason`` names why (for logs)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def signature(app_id: str, raw: bytes, timestamp: str, oa_secret: str) -> str:
    """The header value Zalo sends for this body."""
    base = app_id.encode() + raw + timestamp.encode() + oa_secret.encode()
    return PREFIX + hashlib.sha256(base).hexdigest()


def verify_event(
    raw: bytes,
    header: str | None,
    *,
    app_id: str,
    oa_secret: str,
    now: datetime,
    max_age: timedelta | None,
) -> dict[str, Any]:
    """The event, parsed, when ``header`` signs ``raw`` for ``app_id``; else SignatureError."""
    if not header:
        raise SignatureError("unsigned")
    try:
        event = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise SignatureError("not json") from None
    if not isinstance(event, dict):
        raise SignatureError("not an object")
    sent_app, timestamp = event.get("app_id"), event.get("timestamp")
    if not isinstance(sent_app, str | int) or not isinstance(timestamp, str | int):
        raise SignatureError("no app_id or timestamp")
    given = header.strip()
    given = given if given.startswith(PREFIX) else PREFIX + given
    expected = signature(str(sent_app), raw, str(timestamp), oa_secret)
    if not hmac.compare_digest(expected.lower(), given.lower()):
        raise SignatureError("bad signature")
    if not hmac.compare_digest(str(sent_app), app_id):
        raise SignatureError("other app")
    if max_age is not None and now - event_time(event, now) > max_age:
        raise SignatureError("stale")
    return event


def event_time(event: dict[str, Any], default: datetime) -> datetime:
    """When Zalo says the event happened (``timestamp``, milliseconds); ``default`` when the
    field is missing or unreadable."""
    try:
        millis = int(event.get("timestamp", ""))
        return datetime.fromtimestamp(millis / 1000, UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return default
