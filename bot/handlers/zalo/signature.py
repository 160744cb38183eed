"""``X-ZEvent-Signature``: Zalo signs each webhook event (reference/channels.md §2.4).

The value is ``mac=`` + hex SHA-256 of ``app_id + raw body + timestamp + OA secret key`` (a plain
hash of the concatenation, not an HMAC), where ``app_id`` and ``timestamp`` are fields of the
JSON body. The request is authenticated before the body is parsed: the app id is ours, and the
timestamp is read from the raw bytes (each ``"timestamp": digits`` in them, a few at most, is
tried), so a forged body of any shape costs a few hashes and is never handed to the JSON
parser. Only a signed body is parsed; it must then carry our app id and the timestamp that was
signed. The ``mac=`` prefix is optional, the comparison takes constant time, and the event must
fall inside the window: not older than ``max_age`` (a replay), not more than
:data:`FUTURE_LEEWAY` ahead of our clock.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

PREFIX = "mac="
TIMESTAMP_FIELD = re.compile(rb'"timestamp"\s*:\s*"?([0-9]{1,16})"?')
MAX_TIMESTAMPS = 4
"""How many ``timestamp`` fields of a body are tried against the signature."""
FUTURE_LEEWAY = timedelta(minutes=5)


class SignatureError(Exception):
    """The request is not a genuine event for this app (``status`` 401), or a signed one that
    is malformed (400); ``reason`` names why (for logs)."""

    def __init__(self, reason: str, status: int = 401) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


def signature(app_id: str, raw: bytes, timestamp: str, oa_secret: str) -> str:
    """The header value Zalo sends for this body."""
    base = app_id.encode() + raw + timestamp.encode() + oa_secret.encode()
    return PREFIX + hashlib.sha256(base).hexdigest()


def signature_digest(header: str) -> str:
    """The hex digest of a header value, with or without its prefix, in lower case."""
    return header.strip().lower().removeprefix(PREFIX)


def verify_event(
    raw: bytes,
    header: str | None,
    *,
    app_id: str,
    oa_secret: str,
    now: datetime,
    max_age: timedelta | None,
) -> dict[str, Any]:
    """The event, parsed, when ``header`` signs ``raw`` for ``app_id`` within the window;
    else SignatureError."""
    if not header:
        raise SignatureError("unsigned")
    given = (PREFIX + signature_digest(header)).encode("utf-8", "replace")
    stamps = [s.decode() for s in dict.fromkeys(TIMESTAMP_FIELD.findall(raw))][:MAX_TIMESTAMPS]
    signed = next(
        (
            stamp
            for stamp in stamps
            if hmac.compare_digest(signature(app_id, raw, stamp, oa_secret).encode(), given)
        ),
        None,
    )
    if signed is None:
        raise SignatureError("bad signature" if stamps else "no timestamp")
    try:
        event = json.loads(raw)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise SignatureError("signed body is not json", 400) from None
    if not isinstance(event, dict):
        raise SignatureError("signed body is not an object", 400)
    if str(event.get("app_id")) != app_id:
        raise SignatureError("other app")
    if str(event.get("timestamp")) != signed:
        raise SignatureError("signed timestamp is not the event's", 400)
    age_ms = now.timestamp() * 1000 - int(signed)
    if max_age is not None and age_ms > max_age.total_seconds() * 1000:
        raise SignatureError("stale")
    if -age_ms > FUTURE_LEEWAY.total_seconds() * 1000:
        raise SignatureError("from the future")
    return event


def event_time(event: dict[str, Any], default: datetime) -> datetime:
    """When Zalo says the event happened (``timestamp``, milliseconds); ``default`` when the
    field is missing or unreadable."""
    try:
        millis = int(event.get("timestamp", ""))
        return datetime.fromtimestamp(millis / 1000, UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return default
