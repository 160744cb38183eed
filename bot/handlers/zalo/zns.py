"""ZNS: a reminder as a Zalo template message to the person's phone, when the free-reply window
is closed (reference/channels.md §2.5–2.6).

``POST ZALO_ZNS_URL`` with the OA's access token and ``{"phone": "84…", "template_id": …,
"template_data": {…}, "tracking_id": <outbox key>}`` (plus ``"mode": "development"`` while
templates are tried). Templates must be registered and approved in the ZNS console; which
template a message uses and how its parameters are filled is data
(``GIAMNGHEO_ZALO_ZNS_TEMPLATES``, :class:`bot.settings.ZnsTemplate`), chosen by the message's
kind (the outbox key's first part). A kind without a template is not sent by ZNS (the next
fallback takes it).

Answers: ``error`` 0 is sent; network trouble, 5xx and a second -216 are temporary; any other
code is a refusal (its meaning is not documented in our reference, so it is logged and the next
fallback is tried).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.handlers.zalo.client import ZaloClient, ZaloUnavailable
from bot.settings import ZnsTemplate
from poverty.formatting import format_date
from scheduler.sending import SendResult
from storage.outbox import ClaimedMessage

ANY_KIND = "*"

log = logging.getLogger(__name__)


def zns_phone(phone: str) -> str | None:
    """``+84912345678`` or ``0912345678`` as ZNS wants it: ``84912345678``."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if digits.startswith("84") and len(digits) >= 11:
        return digits
    if digits.startswith("0") and len(digits) >= 10:
        return "84" + digits[1:]
    return None


def message_kind(key: str) -> str:
    """``digest:mentor:7:2026-12-01`` → ``digest``."""
    return key.partition(":")[0]


def template_data(template: ZnsTemplate, name: str, text: str, today: str) -> dict[str, str]:
    values = {"ten": name, "noi_dung": " ".join(text.split()), "ngay": today}
    return {
        param: pattern.format_map(values)[: template.max_length]
        for param, pattern in template.params.items()
    }


class ZnsSender:
    """Sends one outbox message as a ZNS template message."""

    def __init__(
        self,
        client: ZaloClient,
        url: str,
        templates: Mapping[str, ZnsTemplate],
        clock: Callable[[], datetime],
        *,
        timezone: str,
        development: bool = False,
    ) -> None:
        self._client = client
        self._url = url
        self._templates = templates
        self._clock = clock
        self._tz = ZoneInfo(timezone)
        self._development = development

    def template_for(self, key: str) -> ZnsTemplate | None:
        return self._templates.get(message_kind(key)) or self._templates.get(ANY_KIND)

    async def send(self, message: ClaimedMessage, phone: str, name: str) -> SendResult:
        template = self.template_for(message.key)
        if template is None:
            return SendResult.rejected(f"zns: no template for {message_kind(message.key)}")
        number = zns_phone(phone)
        if number is None:
            return SendResult.rejected("zns: no usable phone number")
        today = format_date(self._clock().astimezone(self._tz).date())
        body: dict[str, object] = {
            "phone": number,
            "template_id": template.template_id,
            "template_data": template_data(template, name, message.text, today),
            "tracking_id": message.key,
        }
        if self._development:
            body["mode"] = "development"
        try:
            answer = await self._client.send_template(self._url, body)
        except ZaloUnavailable as error:
            return SendResult.temporary(f"zns: {error}")
        if answer.ok:
            return SendResult.sent(via="zns", cost="zns")
        log.warning("zalo: zns refused with error %d", answer.error)
        return SendResult.rejected(f"zns {answer.error}")
