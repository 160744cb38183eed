"""The webhook events this channel reads (reference/channels.md §2.3), as plain values.

- ``user_send_text``: a message from a follower. A quick-reply button (``oa.query.hide``)
  arrives the same way, its payload as the text, so a press and typing are one thing;
- ``follow`` / ``unfollow``: the person started or stopped following the OA;
- ``user_send_image``: a photo, at ``message.attachments[0].payload.url`` (kept with the
  household being checked, :mod:`bot.flows.check_photos`);
- ``user_submit_info``: the person answered the request to share their information
  (``request_user_info``) with ``info.phone`` (``84…``) and ``info.name``; the field names are
  those integrators report, Zalo's own documentation could not be read;
- everything else (``oa_send_text``, the echo of our own messages; ``user_received_message``
  and ``user_seen_message`` receipts; images, stickers…) is ignored.

Ids are kept as strings: they are 18–19 digit numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from bot.handlers.zalo.signature import event_time

Kind = Literal["text", "follow", "unfollow", "shared", "image"]


@dataclass(frozen=True)
class ZaloEvent:
    kind: Kind
    user_id: str
    at: datetime
    text: str = ""
    msg_id: str | None = None
    phone: str | None = None
    """For ``shared``: the number from the person's Zalo account."""
    name: str = ""
    """For ``shared``: the name the person shared."""
    url: str | None = None
    """For ``image``: where Zalo serves the photo."""

    @property
    def update_id(self) -> str:
        """What makes a redelivery recognisable: the message id, or for a follow the person
        and the time."""
        if self.kind in ("text", "image") and self.msg_id:
            return f"msg:{self.msg_id}"
        return f"{self.kind}:{self.user_id}:{int(self.at.timestamp() * 1000)}"


def _id(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("id")
    if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
        return str(value).strip()
    return None


def _image_url(attachments: Any) -> str | None:
    if not isinstance(attachments, list):
        return None
    for attachment in attachments:
        if not isinstance(attachment, dict) or attachment.get("type") != "image":
            continue
        payload = attachment.get("payload")
        url = payload.get("url") if isinstance(payload, dict) else None
        if isinstance(url, str) and url.startswith(("https://", "http://")):
            return url
    return None


def read_event(event: dict[str, Any], now: datetime) -> ZaloEvent | None:
    """The event as a :class:`ZaloEvent`, or None for events this channel ignores."""
    name = event.get("event_name")
    at = min(event_time(event, now), now)
    if name == "user_send_text":
        sender = _id(event.get("sender"))
        message = event.get("message")
        if sender is None or not isinstance(message, dict):
            return None
        text = message.get("text")
        return ZaloEvent(
            "text",
            sender,
            at,
            text if isinstance(text, str) else "",
            _id(message.get("msg_id")),
        )
    if name == "user_send_image":
        sender = _id(event.get("sender"))
        message = event.get("message")
        if sender is None or not isinstance(message, dict):
            return None
        url = _image_url(message.get("attachments"))
        if url is None:
            return None
        return ZaloEvent("image", sender, at, msg_id=_id(message.get("msg_id")), url=url)
    if name == "user_submit_info":
        sender = _id(event.get("sender"))
        info = event.get("info")
        if sender is None or not isinstance(info, dict):
            return None
        phone, person = info.get("phone"), info.get("name")
        if not isinstance(phone, str | int) or isinstance(phone, bool) or not str(phone).strip():
            return None
        shared_name = person.strip()[:120] if isinstance(person, str) else ""
        return ZaloEvent("shared", sender, at, phone=str(phone).strip(), name=shared_name)
    if name in ("follow", "unfollow"):
        follower = _id(event.get("follower")) or _id(event.get("sender"))
        if follower is None:
            return None
        return ZaloEvent("follow" if name == "follow" else "unfollow", follower, at)
    return None
